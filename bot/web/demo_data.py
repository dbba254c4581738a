"""Made-up feedback for `safevoice demo`, so the charts are not empty on first start.

Every demo record has the flow id `demo_service_feedback`, so it can never be mistaken for
(or mixed into an export as) real feedback, and the demo runs on its own database file.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable

from sqlalchemy.engine import Connection

from bot.config import Config
from bot.privacy.keys import new_record_id
from bot.storage import rollup
from bot.storage.feedback import FeedbackStore, answers_table, records_table
from bot.storage.records import Answer, FeedbackFilters, FeedbackRecord, iso_week

__all__ = ["DEMO_FLOW", "add_many", "demo_records", "load_demo_feedback"]

DEMO_FLOW = "demo_service_feedback"
_COMMENTS = (
    "(demo) More activities at the weekend.",
    "(demo) Staff listen to me.",
    "(demo) I would like to choose my own clothes.",
    "(demo) The food is better now.",
    "(demo) Tell us earlier about appointments.",
)
_LIKED = ("people", "safe", "food", "activities", "help")


def demo_records(config: Config, today: dt.date, rng: random.Random) -> list[FeedbackRecord]:
    services = list(config.services)[:4]
    records = []
    for weeks_ago in range(12):
        week = iso_week(today - dt.timedelta(weeks=weeks_ago))
        for n, service in enumerate(services):
            # The last service gets few answers, so the demo shows suppression too.
            count = rng.randint(0, 4) if n == len(services) - 1 else rng.randint(8, 22)
            for _ in range(count):
                band = rng.choice(config.age_bands)
                lang = rng.choice(config.languages.shipped)
                answers = [
                    Answer("overall", "scale", str(rng.choice((2, 3, 4, 4, 5, 5)))),
                    Answer("felt_safe", "yes_no", rng.choice(("yes", "yes", "yes", "no"))),
                    Answer("listened", "scale", str(rng.choice((1, 3, 4, 4, 5)))),
                    *(Answer("liked", "multi", v) for v in rng.sample(_LIKED, rng.randint(1, 3))),
                ]
                if "text" in band.keep and rng.random() < 0.4:
                    answers.append(Answer("improve", "text", rng.choice(_COMMENTS)))
                records.append(
                    FeedbackRecord(
                        DEMO_FLOW, 1, band.id, lang, service, tuple(answers), week, new_record_id()
                    )
                )
    return records


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


def load_demo_feedback(store: FeedbackStore, config: Config, today: dt.date) -> int:
    """Add the demo feedback once: nothing happens when it is already there."""
    if store.count(FeedbackFilters(flow_id=DEMO_FLOW)):
        return 0
    return add_many(store, demo_records(config, today, random.Random()))  # noqa: S311 - not secret
