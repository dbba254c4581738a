"""Advisors' comments and suggested wording on flow steps (the flow studio).

SQL beside the accounts; sync, so async callers wrap calls in ``asyncio.to_thread``. The
table starts as migration 8 made it (bot/storage/schema_v8.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.storage import schema_v8

__all__ = ["FlowComment", "SqlFlowComments", "comments_table", "metadata"]

metadata = sa.MetaData()
for _table in schema_v8.metadata.sorted_tables:
    _table.to_metadata(metadata)
comments_table = metadata.tables["flow_comments"]


@dataclass(frozen=True, slots=True)
class FlowComment:
    account: str
    scope: str
    flow_id: str
    band: str
    lang: str
    step: str
    text: str
    suggestion: str | None = None
    created_at: dt.datetime | None = None
    id: int | None = None


class SqlFlowComments:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, comment: FlowComment) -> int:
        when = comment.created_at or dt.datetime.now(dt.UTC)
        values = {
            "created_at": when, "account": comment.account, "scope": comment.scope,
            "flow_id": comment.flow_id, "band": comment.band, "lang": comment.lang,
            "step": comment.step, "text": comment.text, "suggestion": comment.suggestion,
        }  # fmt: skip
        with self.engine.begin() as conn:
            key = conn.execute(comments_table.insert().values(**values)).inserted_primary_key
        return int(key[0]) if key else 0

    def of_flow(self, scope: str, flow_id: str) -> list[FlowComment]:
        """Every comment on one flow, oldest first."""
        table = comments_table
        query = (
            sa.select(table)
            .where(table.c.scope == scope, table.c.flow_id == flow_id)
            .order_by(table.c.created_at, table.c.id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [_comment(row) for row in rows]


def _comment(row: sa.RowMapping) -> FlowComment:
    when: dt.datetime = row["created_at"]
    if when.tzinfo is None:  # SQLite gives back naive datetimes; stored times are UTC
        when = when.replace(tzinfo=dt.UTC)
    return FlowComment(
        str(row["account"]), str(row["scope"]), str(row["flow_id"]), str(row["band"]),
        str(row["lang"]), str(row["step"]), str(row["text"]),
        None if row["suggestion"] is None else str(row["suggestion"]), when, int(row["id"]),
    )  # fmt: skip
