"""Advisors' comments and suggested wording on flow steps (the flow studio).

SQL beside the accounts; sync, so async callers wrap calls in ``asyncio.to_thread``. The
table starts as migration 8 made it (bot/storage/schema_v8.py), with the columns of
migration 9 (schema_v9.py): an author may edit their own comment, and any reviewer may
mark one resolved or reopen it.
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
# Migration 9 added these after the others, so they come last in the table.
comments_table.append_column(sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))
comments_table.append_column(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
comments_table.append_column(sa.Column("resolved_by", sa.String(64), nullable=True))


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
    edited_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    resolved_by: str | None = None

    @property
    def resolved(self) -> bool:
        return self.resolved_at is not None


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

    def get(self, comment_id: int) -> FlowComment | None:
        query = sa.select(comments_table).where(comments_table.c.id == comment_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return None if row is None else _comment(row)

    def edit(self, comment_id: int, author: str, text: str, suggestion: str | None) -> bool:
        """New words for a comment, by its author only; False when it is not theirs (or gone)."""
        table = comments_table
        change = (
            table.update()
            .where(table.c.id == comment_id, table.c.account == author)
            .values(text=text, suggestion=suggestion, edited_at=dt.datetime.now(dt.UTC))
        )
        with self.engine.begin() as conn:
            return bool(conn.execute(change).rowcount)

    def resolve(self, comment_id: int, by: str | None) -> bool:
        """Mark a comment resolved by `by`, or reopen it (None); False when it is gone."""
        table = comments_table
        when = dt.datetime.now(dt.UTC) if by is not None else None
        change = table.update().where(table.c.id == comment_id)
        with self.engine.begin() as conn:
            return bool(conn.execute(change.values(resolved_at=when, resolved_by=by)).rowcount)


def _utc(when: dt.datetime | None) -> dt.datetime | None:
    if when is not None and when.tzinfo is None:  # SQLite gives back naive datetimes (UTC)
        return when.replace(tzinfo=dt.UTC)
    return when


def _comment(row: sa.RowMapping) -> FlowComment:
    return FlowComment(
        str(row["account"]), str(row["scope"]), str(row["flow_id"]), str(row["band"]),
        str(row["lang"]), str(row["step"]), str(row["text"]),
        None if row["suggestion"] is None else str(row["suggestion"]),
        _utc(row["created_at"]), int(row["id"]), _utc(row["edited_at"]),
        _utc(row["resolved_at"]),
        None if row["resolved_by"] is None else str(row["resolved_by"]),
    )  # fmt: skip
