"""Notices to a staff member that their credentials changed, until they dismiss them.

SQL (SQLite or PostgreSQL) beside the accounts; sync, so async callers wrap calls in
``asyncio.to_thread``. The table starts as migration 4 made it (bot/storage/schema_v4.py).
A row says which account, what changed (`kind`), whether the account itself or an
administrator changed it, and when (UTC); nothing else, and never a secret.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.storage import schema_v4

__all__ = ["Notice", "SqlNoticeStore", "metadata", "notices_table"]

metadata = sa.MetaData()
for _table in schema_v4.metadata.sorted_tables:
    _table.to_metadata(metadata)
notices_table = metadata.tables["staff_notices"]


@dataclass(frozen=True, slots=True)
class Notice:
    id: str
    account: str
    kind: str
    by_admin: bool
    at: dt.datetime


class SqlNoticeStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, account: str, kind: str, *, by_admin: bool) -> Notice:
        notice = Notice(secrets.token_hex(16), account, kind, by_admin, dt.datetime.now(dt.UTC))
        values = {"id": notice.id, "account": account, "kind": kind, "by_admin": by_admin,
                  "at": notice.at}  # fmt: skip
        with self.engine.begin() as conn:
            conn.execute(notices_table.insert().values(**values))
        return notice

    def of(self, account: str) -> list[Notice]:
        """The account's notices, oldest first."""
        table = notices_table
        query = sa.select(table).where(table.c.account == account).order_by(table.c.at)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            Notice(str(r["id"]), str(r["account"]), str(r["kind"]), bool(r["by_admin"]),
                   _utc(r["at"]))
            for r in rows
        ]  # fmt: skip

    def dismiss(self, account: str, notice_id: str) -> bool:
        """Forget one notice of `account`; False when it has none with that id."""
        table = notices_table
        query = table.delete().where(table.c.account == account, table.c.id == notice_id)
        with self.engine.begin() as conn:
            return bool(conn.execute(query).rowcount)


def _utc(when: dt.datetime) -> dt.datetime:
    # SQLite gives back naive datetimes; stored times are UTC.
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
