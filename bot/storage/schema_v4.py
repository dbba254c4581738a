"""Migration 4: notices to staff that their credentials changed, frozen as added.

A copy on purpose, not the live table of bot/storage/staff_notices.py (see schema_v1.py
for why). Staff accounts hold no e-mail or phone, so a change is told in the app: one row
per change not yet dismissed by its account (ASVS 4.0.3 V2.2.3, V2.5.5).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

__all__ = ["create", "metadata"]

metadata = sa.MetaData()

sa.Table(
    "staff_notices",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("account", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("by_admin", sa.Boolean, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_staff_notices_account", "account"),
)


def create(conn: Connection) -> None:
    metadata.create_all(conn, checkfirst=True)
