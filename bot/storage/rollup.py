"""The feedback tables and their rollup: counts the dashboard reads instead of raw answers.

Three count tables, each one row per (service, flow, age band, language, ISO week, ...):

- ``feedback_week_counts``: records (``weekly_counts``);
- ``feedback_question_counts``: records that answered a (question, kind), text included
  (``respondents``; a record with several options of one 'multi' question counts once);
- ``feedback_counts``: records per (question, kind, value), free text left out (``aggregate``).

Every record lies in exactly one such group, so summing a group's counts over any filter
gives the same number as ``COUNT(DISTINCT record_id)`` over the raw rows. They are kept
up to date in the same transaction as each write (``FeedbackStore.add`` upserts, each
purge batch subtracts what it deletes (purging.py), bulk loads rebuild), and each of
those writes changes the data version too (data_version.py). A record
without a service is stored with the service ``''``, since a NULL would not match in a
primary key / ON CONFLICT target.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from bot.storage import data_version
from bot.storage.records import FeedbackFilters, FeedbackRecord, week_start

__all__ = [
    "answers_table",
    "atom_counts",
    "metadata",
    "question_counts_table",
    "records_table",
    "value_counts_table",
    "week_counts_table",
]

NO_SERVICE = ""

metadata = sa.MetaData()
records_table = sa.Table(
    "feedback_records",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("flow_id", sa.String(100), nullable=False),
    sa.Column("flow_version", sa.Integer, nullable=False),
    sa.Column("age_band", sa.String(32), nullable=False),
    sa.Column("language", sa.String(16), nullable=False),
    sa.Column("service", sa.String(100), nullable=True),
    sa.Column("iso_week", sa.String(8), nullable=False),
    sa.Column("created_week_start", sa.Date, nullable=False),
    sa.Index("ix_feedback_records_service_week", "service", "created_week_start"),
    sa.Index("ix_feedback_records_week", "created_week_start"),
    sa.Index("ix_feedback_records_band_lang", "age_band", "language"),
)
answers_table = sa.Table(
    "feedback_answers",
    metadata,
    sa.Column(
        "record_id",
        sa.String(32),
        sa.ForeignKey("feedback_records.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("question_key", sa.String(100), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.CheckConstraint(
        "kind IN ('choice', 'multi', 'scale', 'yes_no', 'text')", name="ck_feedback_answers_kind"
    ),
    # Partial: only short choice values are grouped by value, and a long free text would not
    # fit in a PostgreSQL b-tree entry (about 2.7 kB).
    sa.Index(
        "ix_feedback_answers_question_value",
        "question_key",
        "value",
        postgresql_where=sa.text("kind <> 'text'"),
        sqlite_where=sa.text("kind <> 'text'"),
    ),
    sa.Index("ix_feedback_answers_record", "record_id"),
)
# Serves the comment queries (bot/storage/texts.py, the only ones still reading raw answers):
# the free-text rows alone, by record, so they never touch choice answers; ``newest`` probes
# it per record (records come newest week first from ix_feedback_records_service_week),
# ``page`` walks it in record id order.
text_index = sa.Index(
    "ix_feedback_answers_text",
    answers_table.c.record_id,
    answers_table.c.question_key,
    postgresql_where=sa.text("kind = 'text'"),
    sqlite_where=sa.text("kind = 'text'"),
)


def _group_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("created_week_start", sa.Date, primary_key=True),
        sa.Column("service", sa.String(100), primary_key=True),
        sa.Column("flow_id", sa.String(100), primary_key=True),
        sa.Column("age_band", sa.String(32), primary_key=True),
        sa.Column("language", sa.String(16), primary_key=True),
    ]


week_counts_table = sa.Table(
    "feedback_week_counts",
    metadata,
    *_group_columns(),
    sa.Column("iso_week", sa.String(8), nullable=False),
    sa.Column("n", sa.BigInteger, nullable=False),
)
question_counts_table = sa.Table(
    "feedback_question_counts",
    metadata,
    *_group_columns(),
    sa.Column("question_key", sa.String(100), primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("iso_week", sa.String(8), nullable=False),
    sa.Column("n", sa.BigInteger, nullable=False),
)
value_counts_table = sa.Table(
    "feedback_counts",
    metadata,
    *_group_columns(),
    sa.Column("question_key", sa.String(100), primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("value", sa.Text, primary_key=True),
    sa.Column("iso_week", sa.String(8), nullable=False),
    sa.Column("n", sa.BigInteger, nullable=False),
)
ROLLUP = (week_counts_table, question_counts_table, value_counts_table)


def where(filters: FeedbackFilters | None, table: sa.Table) -> list[sa.ColumnElement[bool]]:
    """Filter conditions on the records table or a count table (same column names)."""
    if filters is None:
        return []
    c = table.c
    conditions: list[sa.ColumnElement[bool]] = []
    if filters.services:
        conditions.append(c.service.in_(filters.services))
    for column, wanted in (
        (c.age_band, filters.age_band),
        (c.language, filters.language),
        (c.flow_id, filters.flow_id),
    ):
        if wanted is not None:
            conditions.append(column == wanted)
    if filters.week_from is not None:
        conditions.append(c.created_week_start >= week_start(filters.week_from))
    if filters.week_to is not None:
        conditions.append(c.created_week_start <= week_start(filters.week_to))
    if filters.exclude:
        # The records table keeps "no service" as NULL, the count tables as ''.
        service = sa.func.coalesce(c.service, NO_SERVICE)
        group = sa.tuple_(service, c.flow_id, c.age_band, c.language, c.created_week_start)
        left_out = [
            (NO_SERVICE if a.service is None else a.service, a.flow_id, a.age_band, a.language,
             week_start(a.iso_week))
            for a in filters.exclude
        ]  # fmt: skip
        conditions.append(group.notin_(left_out))
    return conditions


def atom_counts(
    conn: Connection, table: sa.Table, services: tuple[str, ...]
) -> list[tuple[Any, ...]]:
    """The table's rows summed per (service, flow, band, language, week, own key columns),
    for ``services`` (all if empty): the groups bot/services/disclosure.py builds blocks of."""
    c = table.c
    own = [col for col in (c.get("question_key"), c.get("kind"), c.get("value")) if col is not None]
    groups = [c.service, c.flow_id, c.age_band, c.language, c.iso_week, *own]
    query = sa.select(*groups, sa.func.sum(c.n)).group_by(*groups)
    if services:
        query = query.where(c.service.in_(services))
    return [
        (None if row[0] == NO_SERVICE else row[0], *row[1:-1], int(row[-1]))
        for row in conn.execute(query)
    ]


def add_record(conn: Connection, record: FeedbackRecord) -> None:
    """Count one (checked) record in the rollup, inside the caller's transaction."""
    data_version.bump(conn)  # first: the lock order of every rollup writer
    group = {
        "created_week_start": record.week_start,
        "service": NO_SERVICE if record.service is None else record.service,
        "flow_id": record.flow_id,
        "age_band": record.age_band,
        "language": record.language,
        "iso_week": record.iso_week,
        "n": 1,
    }
    _upsert(conn, week_counts_table, [group])
    questions = dict.fromkeys((a.key, a.kind) for a in record.answers)
    if questions:
        rows = [{**group, "question_key": key, "kind": kind} for key, kind in questions]
        _upsert(conn, question_counts_table, rows)
    values = dict.fromkeys((a.key, a.kind, a.value) for a in record.answers if a.kind != "text")
    if values:
        rows = [{**group, "question_key": k, "kind": kind, "value": v} for k, kind, v in values]
        _upsert(conn, value_counts_table, rows)


def _upsert(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    insert = dialect.insert(table)
    statement = insert.on_conflict_do_update(
        index_elements=[c.name for c in table.primary_key.columns],
        set_={"n": table.c.n + insert.excluded.n},
    )
    conn.execute(statement, rows)


def rebuild(conn: Connection, since: dt.date | None = None) -> None:
    """Recount the rollup from the raw tables (all of it, or the weeks from ``since`` on)."""
    data_version.bump(conn)
    r, a = records_table.c, answers_table.c
    for table in ROLLUP:
        delete = table.delete()
        if since is not None:
            delete = delete.where(table.c.created_week_start >= since)
        conn.execute(delete)
    group = [r.created_week_start, sa.func.coalesce(r.service, NO_SERVICE), r.flow_id,
             r.age_band, r.language, r.iso_week]  # fmt: skip
    recent = [r.created_week_start >= since] if since is not None else []
    names = ["created_week_start", "service", "flow_id", "age_band", "language", "iso_week"]
    weeks = sa.select(*group, sa.func.count()).where(*recent).group_by(*group)
    conn.execute(week_counts_table.insert().from_select([*names, "n"], weeks))
    joined = answers_table.join(records_table, a.record_id == r.id)
    for table, extra, only in (
        (question_counts_table, [a.question_key, a.kind], []),
        (value_counts_table, [a.question_key, a.kind, a.value], [a.kind != "text"]),
    ):
        columns = [*group, *extra]
        counted = (
            sa.select(*columns, sa.func.count(sa.distinct(a.record_id)))
            .select_from(joined)
            .where(*recent, *only)
            .group_by(*columns)
        )
        conn.execute(table.insert().from_select([*names, *(c.name for c in extra), "n"], counted))


def is_empty(conn: Connection) -> bool:
    return conn.execute(sa.select(week_counts_table.c.n).limit(1)).first() is None


def cutoff(day: dt.date) -> dt.date:
    """The last Monday whose whole ISO week ended before ``day`` (seven days before it)."""
    return day - dt.timedelta(days=7)


def counts(
    conn: Connection, table: sa.Table, filters: FeedbackFilters | None, by_week: bool
) -> list[tuple[Any, ...]]:
    """Summed counts per (service, [week], the table's own key columns)."""
    c = table.c
    own = [col for col in (c.get("question_key"), c.get("kind"), c.get("value")) if col is not None]
    groups = [c.service, *([c.iso_week] if by_week else []), *own]
    query = sa.select(*groups, sa.func.sum(c.n)).where(*where(filters, table)).group_by(*groups)
    rows = []
    for row in conn.execute(query):
        service = None if row[0] == NO_SERVICE else row[0]
        week = [row[1]] if by_week else ([] if table is week_counts_table else [None])
        rest = row[2:] if by_week else row[1:]
        rows.append((service, *week, *rest[:-1], int(rest[-1])))
    return rows
