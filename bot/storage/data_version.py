"""The feedback data version: one number that changes with every change of the rollup.

The dashboard's suppression plan (bot/services/plans.py) is worked out from the rollup and
reused while this number stays the same, so it must change in the SAME transaction as
every write of the count tables: ``bump`` is called by ``rollup.add_record``,
``rollup.rebuild`` and each purge batch (bot/storage/purging.py), the only writers. It
lives in the database, not in memory, because several processes share one database.

Each bump draws a fresh random number rather than adding one: a database restored from a
backup would count the same numbers again for different data, and a plan cached for
"version 7" would then be reused for the wrong counts. Two states of the data share a
number only by a 1 in 2**62 chance. Writers take the row's lock first, before any count
row, so concurrent writers on PostgreSQL queue on it and never deadlock.
"""

from __future__ import annotations

import secrets
import weakref

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

__all__ = ["bump", "metadata", "read", "version_table"]

metadata = sa.MetaData()
version_table = sa.Table(
    "feedback_data_version",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version", sa.BigInteger, nullable=False),
)
# Engines whose database has the table: it is never dropped, so once seen it is not looked
# for again (a database without it, from before migration 7, is looked at on every write).
_HAVE: weakref.WeakSet[Engine] = weakref.WeakSet()


def bump(conn: Connection) -> None:
    """Give the data a new version, inside the caller's (writing) transaction."""
    if not _have(conn):
        return  # nothing to bump, and read() says None: nothing is cached
    conn.execute(
        version_table.update().where(version_table.c.id == 1).values(version=secrets.randbits(62))
    )


def read(conn: Connection) -> int | None:
    """The current version; None without the row (a database at migration 5 or older, or
    one emptied by hand): then nothing may be cached."""
    if not _have(conn):
        return None
    found = conn.execute(sa.select(version_table.c.version).where(version_table.c.id == 1))
    value = found.scalar()
    return None if value is None else int(value)


def _have(conn: Connection) -> bool:
    if conn.engine in _HAVE:
        return True
    if not sa.inspect(conn).has_table(version_table.name):
        return False
    _HAVE.add(conn.engine)
    return True
