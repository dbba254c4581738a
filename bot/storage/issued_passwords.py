"""Passwords given by an administrator, until the account chooses its own (ASVS 2.3.1).

SQL beside the accounts; sync, so async callers wrap calls in ``asyncio.to_thread``. The
table starts as migration 6 made it (bot/storage/schema_v6.py): an account name and when
its password was given, nothing else.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.storage import schema_v6

__all__ = ["SqlIssuedPasswords", "issued_table", "metadata"]

metadata = sa.MetaData()
for _table in schema_v6.metadata.sorted_tables:
    _table.to_metadata(metadata)
issued_table = metadata.tables["staff_issued_passwords"]


class SqlIssuedPasswords:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def issue(self, account: str, at: dt.datetime | None = None) -> None:
        """The account's password was just given to it (replacing an earlier mark)."""
        table = issued_table
        with self.engine.begin() as conn:
            conn.execute(table.delete().where(table.c.account == account))
            when = at or dt.datetime.now(dt.UTC)
            conn.execute(table.insert().values(account=account, issued_at=when))

    def issued_at(self, account: str) -> dt.datetime | None:
        """When the account's current password was given to it; None: it chose its own."""
        table = issued_table
        query = sa.select(table.c.issued_at).where(table.c.account == account)
        with self.engine.connect() as conn:
            when = conn.execute(query).scalar()
        if when is None:
            return None
        # SQLite gives back naive datetimes; stored times are UTC.
        found: dt.datetime = when
        return found if found.tzinfo is not None else found.replace(tzinfo=dt.UTC)

    def clear(self, account: str) -> None:
        table = issued_table
        with self.engine.begin() as conn:
            conn.execute(table.delete().where(table.c.account == account))
