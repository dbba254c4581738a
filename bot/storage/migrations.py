"""Numbered schema migrations for the SQL database (feedback, audit, staff accounts, desks).

Alembic's idea in a page, with no new dependency: the table ``safevoice_schema`` holds one
row per applied migration (version, title, when), and ``upgrade(engine)`` applies, in
order, every migration above ``current(engine)``. They run in one transaction together
with their version rows, under a lock, so N processes starting at once apply each
exactly once and the others wait, then find nothing left to do (and a failing migration
leaves the database as it was): on PostgreSQL the lock is
``pg_advisory_xact_lock`` (released with the transaction, so a crashed process never
leaves it held); on SQLite, ``BEGIN IMMEDIATE`` takes the database's write lock.

- A database with SafeVoice's tables but no ``safevoice_schema`` comes from 0.1.0:
  migration 1 adds whatever 0.1.0 had not created yet and stamps it version 1. No row is
  touched.
- A database at a version above ``HEAD`` was upgraded by a newer SafeVoice; this code
  refuses it rather than write rows that schema does not expect.

How to add migration 2:

1. Change the table where the code reads it (rollup.py, feedback.py, accounts.py,
   desk_names.py). The live tables must always equal the schema at HEAD:
   ``tests/storage/test_migrations.py`` builds both and compares them.
2. Write the step below as ``def _add_channel(conn: Connection) -> None`` with its own
   statements, never the live ``sa.Table`` objects (they will move on and the step must
   not), portable to SQLite and PostgreSQL or branching on ``conn.dialect.name``, e.g.
   ``conn.execute(sa.text("ALTER TABLE feedback_records ADD COLUMN channel VARCHAR(16)"))``,
   and backfill data in the same function (same transaction).
3. Append ``Migration(2, "feedback records say their channel", _add_channel)`` to
   ``MIGRATIONS``. Never edit, renumber or remove a migration that has been released.
4. Test that a database at version 1 with rows keeps them on upgrade.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.errors import StorageError
from bot.storage import (
    schema_v1,
    schema_v2,
    schema_v3,
    schema_v4,
    schema_v5,
    schema_v6,
    schema_v7,
    schema_v8,
    schema_v9,
    schema_v10,
)
from bot.storage.sql_errors import safe_url, sql_errors

__all__ = ["HEAD", "MIGRATIONS", "VERSION_TABLE", "Migration", "current", "is_empty", "upgrade"]

VERSION_TABLE = "safevoice_schema"
# Any fixed 64-bit number: only SafeVoice's migrations take this advisory lock.
_LOCK_KEY = 0x5AFE_701CE_0001

_meta = sa.MetaData()
_versions = sa.Table(
    VERSION_TABLE,
    _meta,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    title: str
    apply: Callable[[Connection], None]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "the tables of SafeVoice 0.1.0", schema_v1.create),
    Migration(2, "staff accounts get a second factor", schema_v2.create),
    Migration(3, "'you said, we did' updates and subscriptions to them", schema_v3.create),
    Migration(4, "staff are told in the app when their credentials change", schema_v4.create),
    Migration(5, "room for sealed authenticator keys", schema_v5.create),
    Migration(6, "passwords an administrator gave expire and must be replaced", schema_v6.create),
    Migration(7, "the feedback data version, for the dashboard's cache", schema_v7.create),
    Migration(8, "advisors' comments on flow steps", schema_v8.create),
    Migration(9, "advisors' comments can be edited and resolved", schema_v9.create),
    Migration(10, "who saw an update, once each; machine-drafted translations", schema_v10.create),
)
HEAD = MIGRATIONS[-1].version


def current(engine: Engine) -> int | None:
    """The schema version of the database; None when it has no version yet (an empty
    database, or one that SafeVoice 0.1.0 made)."""
    with sql_errors(_what(engine), "reading the schema version"), engine.connect() as conn:
        return _version(conn)


def upgrade(engine: Engine, *, migrations: Sequence[Migration] = MIGRATIONS) -> list[Migration]:
    """Apply every migration the database lacks; returns those this call applied (none
    when another process did them first). Safe to run at every start of every process.

    Raises StorageError when the database is newer than the code, or cannot be changed.
    ``migrations`` is for tests; it must be numbered 1, 2, 3, ... like ``MIGRATIONS``.
    """
    head = migrations[-1].version if migrations else 0
    applied: list[Migration] = []
    # Every missing migration in ONE transaction: another process starting meanwhile sees
    # the database before or after, never halfway (a new database at version 1 of 2
    # would look like one that needs `safevoice migrate`).
    with sql_errors(_what(engine), "upgrading the schema"), engine.begin() as conn:
        _lock(conn)
        # Read under the lock: another process may have upgraded while we waited.
        version = _version(conn) or 0
        if version > head:
            msg = (
                f"The database ({safe_url(engine)}) has schema version {version}, but "
                f"this SafeVoice knows versions up to {head} only: a newer SafeVoice "
                "has upgraded it. Upgrade SafeVoice here to the same version, then "
                "start it again."
            )
            raise StorageError(msg)
        for step in migrations[version:]:
            _versions.create(conn, checkfirst=True)
            step.apply(conn)
            conn.execute(
                _versions.insert().values(
                    version=step.version, title=step.title, applied_at=dt.datetime.now(dt.UTC)
                )
            )
            applied.append(step)
    return applied


def _what(engine: Engine) -> str:
    return f"The database ({safe_url(engine)})"


def _lock(conn: Connection) -> None:
    """Serialise migrations across processes until this transaction ends."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK_KEY)))
    elif conn.dialect.name == "sqlite":
        # pysqlite would open its transaction only at the first INSERT, and run the
        # CREATE TABLEs before it unlocked; taking the write lock first serialises the lot
        # (other processes wait up to the connection's busy timeout).
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _version(conn: Connection) -> int | None:
    if not sa.inspect(conn).has_table(VERSION_TABLE):
        return None
    found = conn.execute(sa.select(sa.func.max(_versions.c.version))).scalar()
    return None if found is None else int(found)


def is_empty(engine: Engine) -> bool:
    """None of SafeVoice's tables: a new database (perhaps shared with other programs),
    which any process may create at HEAD."""
    ours = {
        VERSION_TABLE,
        *schema_v1.metadata.tables,
        *schema_v2.metadata.tables,
        *schema_v3.metadata.tables,
        *schema_v4.metadata.tables,
        *schema_v5.metadata.tables,
        *schema_v6.metadata.tables,
        *schema_v7.metadata.tables,
        *schema_v8.metadata.tables,
        *schema_v10.metadata.tables,
    }
    with sql_errors(_what(engine), "reading the tables"), engine.connect() as conn:
        return not ours & set(sa.inspect(conn).get_table_names())
