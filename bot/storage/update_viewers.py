"""Who was shown a "you said, we did" update, once each: the dashboard's "young people
who saw it" (hidden below k).

The table starts as migration 10 made it (bot/storage/schema_v10.py). A viewer is an HMAC of
the update id and the chat's pseudonymous key (bot/services/updates.py makes it), so it
differs per update and holds nothing a feedback record has.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from bot.storage import schema_v10

__all__ = ["UpdateViewers", "metadata", "viewers_table"]

metadata = sa.MetaData()
for _table in schema_v10.metadata.sorted_tables:
    _table.to_metadata(metadata)
viewers_table = metadata.tables["update_viewers"]


class UpdateViewers:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, rows: list[tuple[str, str]]) -> None:
        """(update id, viewer hash) pairs; a pair already there stays once."""
        if not rows:
            return
        values = [{"update_id": u, "viewer": v} for u, v in set(rows)]
        with self.engine.begin() as conn:
            insert = (
                postgresql.insert(viewers_table)
                if conn.dialect.name == "postgresql"
                else sqlite.insert(viewers_table)
            )
            conn.execute(insert.on_conflict_do_nothing(), values)

    def count(self, update_ids: list[str]) -> dict[str, int]:
        """How many chats were shown each update (once each)."""
        if not update_ids:
            return {}
        v = viewers_table.c
        query = (
            sa.select(v.update_id, sa.func.count())
            .where(v.update_id.in_(update_ids))
            .group_by(v.update_id)
        )
        with self.engine.connect() as conn:
            return {str(u): int(n) for u, n in conn.execute(query).all()}

    def forget(self, hashes: list[str]) -> None:
        if hashes:
            with self.engine.begin() as conn:
                conn.execute(viewers_table.delete().where(viewers_table.c.viewer.in_(hashes)))
