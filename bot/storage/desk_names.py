"""The display name each staff account last claimed a case with (staff data only).

Lives in the SQL database beside accounts and audit, so every web process sees the same
name. Nothing here is about a young person.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.storage.migrations import upgrade

__all__ = ["DeskNameStore", "metadata"]

metadata = sa.MetaData()
names_table = sa.Table(
    "desk_display_names",
    metadata,
    sa.Column("account", sa.String(64), primary_key=True),
    sa.Column("display_name", sa.String(64), nullable=False),
)


class DeskNameStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create_schema(self) -> None:
        """Bring the whole schema up to date (bot/storage/migrations.py)."""
        upgrade(self.engine)

    def get(self, account: str) -> str:
        query = sa.select(names_table.c.display_name).where(names_table.c.account == account)
        with self.engine.connect() as conn:
            return str(conn.execute(query).scalar() or "")

    def set(self, account: str, name: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(names_table.delete().where(names_table.c.account == account))
            conn.execute(names_table.insert().values(account=account, display_name=name))
