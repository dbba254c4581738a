"""Migration 7: the feedback data version, frozen as added.

One row whose ``version`` changes in the same transaction as every change of the rollup
(bot/storage/data_version.py), so the dashboard can reuse its suppression plan while the
counts have not changed, and knows for certain when they have. Frozen like schema_v1.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from sqlalchemy.engine import Connection

__all__ = ["create", "metadata"]

metadata = sa.MetaData()

version_table = sa.Table(
    "feedback_data_version",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version", sa.BigInteger, nullable=False),
)


def create(conn: Connection) -> None:
    version_table.create(conn, checkfirst=True)
    if conn.execute(sa.select(version_table.c.id)).first() is None:
        conn.execute(version_table.insert().values(id=1, version=secrets.randbits(62)))
