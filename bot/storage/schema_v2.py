"""Migration 2: staff accounts get a second factor (TOTP and recovery codes).

Frozen like schema_v1: never change this file; write the next migration instead.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

__all__ = ["create", "metadata"]

metadata = sa.MetaData()

sa.Table(
    "staff_mfa",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("secret", sa.String(64), nullable=True),
    sa.Column("pending", sa.String(64), nullable=True),
    sa.Column("last_step", sa.BigInteger, nullable=True),
    sa.Column("recovery", sa.Text, nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
)


def create(conn: Connection) -> None:
    metadata.create_all(conn, checkfirst=True)
