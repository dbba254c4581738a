"""Migration 6: passwords an administrator gave, until their account chooses its own.

A copy on purpose, not the live table of bot/storage/issued_passwords.py (see
schema_v1.py for why). A row says that the account's password was set by someone else
(``safevoice users add|reset|password``, the admin page) and when: such a password
opens nothing but the account page, to choose one's own, and expires (ASVS 2.3.1).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

__all__ = ["create", "metadata"]

metadata = sa.MetaData()

sa.Table(
    "staff_issued_passwords",
    metadata,
    sa.Column("account", sa.String(64), primary_key=True),
    sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
)


def create(conn: Connection) -> None:
    metadata.create_all(conn, checkfirst=True)
