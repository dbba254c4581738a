"""Loading many trusted records at once: demo and benchmark data only, never feedback.

Real feedback goes through `FeedbackStore.add` (scrubbed, validated, one transaction per
record); this path skips both for speed, so only code that made the records itself uses it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy.engine import Connection

from bot.storage import rollup
from bot.storage.feedback import FeedbackStore, answers_table, records_table
from bot.storage.records import FeedbackRecord

__all__ = ["add_many"]


def add_many(
    store: FeedbackStore, records: Iterable[FeedbackRecord], *, batch_size: int = 50_000
) -> int:
    """Insert trusted records in one transaction (demo and benchmark data only).

    `FeedbackStore.add` scrubs and validates each record in its own transaction; that is
    right for real feedback but far too slow for loading thousands of made-up ones. Rows go
    in by big batches (COPY on PostgreSQL, executemany on SQLite); then the rollup counts
    of the weeks touched are rebuilt with one INSERT ... SELECT ... GROUP BY per table.
    ``records`` may be a generator: only one batch is held in memory.
    """
    added, since = 0, None
    heads: list[tuple[object, ...]] = []
    rows: list[tuple[object, ...]] = []
    with store.engine.begin() as conn:
        for record in records:
            monday = record.week_start
            since = monday if since is None else min(since, monday)
            heads.append((record.id, record.flow_id, record.flow_version, record.age_band,
                          record.language, record.service, record.iso_week, monday))  # fmt: skip
            rows.extend((record.id, a.key, a.kind, a.value) for a in record.answers)
            if len(heads) >= batch_size:
                added += _insert(conn, heads, rows)
                heads, rows = [], []
        added += _insert(conn, heads, rows)
        if since is not None:
            rollup.rebuild(conn, since)
    return added


def _insert(
    conn: Connection, heads: list[tuple[object, ...]], rows: list[tuple[object, ...]]
) -> int:
    tables = ((records_table, heads), (answers_table, rows))
    if conn.dialect.name == "postgresql":
        with conn.connection.driver_connection.cursor() as cursor:  # type: ignore[union-attr]
            for table, data in tables:
                names = ", ".join(c.name for c in table.columns)
                with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                    for row in data:
                        copy.write_row(row)
        return len(heads)
    for table, data in tables:
        if data:
            marks = ", ".join("?" * len(table.columns))
            names = ", ".join(c.name for c in table.columns)
            sql = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"  # noqa: S608 - our names
            conn.exec_driver_sql(sql, [tuple(_sqlite(v) for v in row) for row in data])
    return len(heads)


def _sqlite(value: object) -> object:
    # SQLAlchemy stores a Date as ISO text on SQLite; the driver would warn about adapting.
    return value.isoformat() if isinstance(value, dt.date) else value
