"""Migration 3: "you said, we did" updates and the opt-in to hear back, frozen as added.

A copy on purpose, not the live tables of bot/storage/updates.py (see schema_v1.py for why).
The subscriptions table shares no column with the feedback tables but a service id: no
record id, week, flow, band or language, so nothing joins a subscriber to what they said.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

__all__ = ["create", "metadata"]

metadata = sa.MetaData()

sa.Table(
    "service_updates",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("service", sa.String(100), nullable=False),
    sa.Column("question_key", sa.String(100), nullable=False),
    sa.Column("period", sa.String(24), nullable=False),
    sa.Column("respondents", sa.Integer, nullable=False),
    sa.Column("source_lang", sa.String(16), nullable=False),
    sa.Column("author", sa.String(64), nullable=False),
    sa.Column("approved_by", sa.String(64), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("views", sa.Integer, nullable=False, server_default="0"),
    sa.Index("ix_service_updates_service_published", "service", "published_at"),
)
sa.Table(
    "service_update_texts",
    metadata,
    sa.Column("update_id", sa.String(32), primary_key=True),
    sa.Column("lang", sa.String(16), primary_key=True),
    sa.Column("said", sa.Text, nullable=False),
    sa.Column("changed", sa.Text, nullable=False),
    sa.Column("added_by", sa.String(64), nullable=False),
    sa.Column("approved_by", sa.String(64), nullable=True),
)
sa.Table(
    "update_subscriptions",
    metadata,
    sa.Column("subscriber", sa.String(64), primary_key=True),
    sa.Column("service", sa.String(100), primary_key=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("reach", sa.String(128), nullable=True),
    sa.Column("lang", sa.String(16), nullable=False),
    sa.Column("young", sa.Boolean, nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("seen_through", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_update_subscriptions_expires", "expires_at"),
)


def create(conn: Connection) -> None:
    metadata.create_all(conn, checkfirst=True)
