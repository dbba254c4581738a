"""Migration 8: advisors' comments and suggested wording on flow steps, frozen as added.

A copy on purpose, not the live table of bot/storage/flow_comments.py (see schema_v1.py
for why). One row per comment: who (the staff account's name), when, which flow, age
band, language and step, the comment, and optionally a suggested wording. Staff words
only: nothing here is about a young person.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

__all__ = ["create", "metadata"]

metadata = sa.MetaData()

sa.Table(
    "flow_comments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("account", sa.String(64), nullable=False),
    sa.Column("scope", sa.String(64), nullable=False),
    sa.Column("flow_id", sa.String(64), nullable=False),
    sa.Column("band", sa.String(32), nullable=False),
    sa.Column("lang", sa.String(16), nullable=False),
    sa.Column("step", sa.String(64), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("suggestion", sa.Text, nullable=True),
    sa.Index("ix_flow_comments_flow", "scope", "flow_id"),
)


def create(conn: Connection) -> None:
    metadata.create_all(conn, checkfirst=True)
