"""The SQL feedback and audit store (SQLite embedded, PostgreSQL for deployments).

SQLAlchemy Core with a sync engine; async callers wrap calls in ``asyncio.to_thread``.
Every write of free text goes through ``scrub()`` again here, whatever the caller did:
the store is the last place a phone number can be stopped (defence in depth).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.pool import StaticPool

from bot.errors import StorageError
from bot.storage import data_version, migrations, purging, rollup, texts
from bot.storage.purging import PurgeBatch, What
from bot.storage.records import (
    Answer,
    AtomCounts,
    AtomKey,
    AuditEntry,
    FeedbackFilters,
    FeedbackRecord,
    QuestionCount,
    TextAnswer,
    ValueCount,
    WeekCount,
    checked_record,
)
from bot.storage.rollup import answers_table, metadata, records_table
from bot.storage.sql_errors import sql_errors
from bot.storage.texts import Group, TextCursor, TextGroup, TextPage, TextRef

__all__ = [
    "DEFAULT_DATABASE_URL",
    "PURGE_BATCH",
    "FeedbackStore",
    "PurgeBatch",
    "answers_table",
    "database_url",
    "records_table",
]

DEFAULT_DATABASE_URL = "sqlite:///data/feedback.db"
# Old records deleted per transaction: tens of milliseconds of SQLite's write lock each.
PURGE_BATCH = 2000

audit_table = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(100), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
)


def database_url(url: str) -> URL:
    """Parse and normalise a database URL; create the SQLite file's folder."""
    try:
        parsed = make_url(url)
    except (exc.ArgumentError, ValueError):
        msg = "The database URL is not valid; expected sqlite:///path or postgresql://..."
        raise StorageError(msg) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        name = parsed.database
        if name and name != ":memory:" and not name.startswith("file:"):
            try:
                Path(name).parent.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                msg = f"Cannot create the folder for the feedback database: {err.strerror}"
                raise StorageError(msg) from None
        return parsed.set(drivername="sqlite+pysqlite")
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    msg = f"Unsupported database {backend!r}: use sqlite:///path or postgresql://..."
    raise StorageError(msg)


class FeedbackStore:
    """Anonymous feedback records and the staff audit log in one SQL database."""

    def __init__(self, url: str = DEFAULT_DATABASE_URL) -> None:
        self.url = database_url(url)
        self.safe_url = self.url.render_as_string(hide_password=True)
        kwargs: dict[str, Any] = {"hide_parameters": True}  # no answers in error messages
        if self.url.get_backend_name() == "sqlite":
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
            if self.url.database in (None, "", ":memory:"):
                kwargs["poolclass"] = StaticPool  # one shared in-memory database
        else:
            kwargs["connect_args"] = {"connect_timeout": 10}
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = sa.create_engine(self.url, **kwargs)
        # Rest between two purge batches. A writer waiting for SQLite's lock (a staff
        # login's audit entry) retries at most every 100 ms; a longer gap is sure to let
        # it in. PostgreSQL locks rows, so nothing there waits for a purge.
        self.purge_pause = 0.0
        if self.url.get_backend_name() == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.purge_pause = 0.15

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> FeedbackStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _connect(self, doing: str, *, write: bool = False) -> Iterator[Connection]:
        """A connection (in a transaction when writing); database errors become StorageError."""
        with (
            sql_errors(f"The feedback database ({self.safe_url})", doing),
            self.engine.begin() if write else self.engine.connect() as conn,
        ):
            yield conn

    def create_schema(self) -> None:
        """Bring the schema up to date (bot/storage/migrations.py) and fill an empty rollup;
        safe to run on every start of every process."""
        migrations.upgrade(self.engine)
        with self._connect("counting feedback", write=True) as conn:
            if rollup.is_empty(conn) and conn.execute(sa.select(records_table.c.id)).first():
                rollup.rebuild(conn)  # a database from before the rollup, or emptied by hand

    def rebuild_rollup(self, since: dt.date | None = None) -> None:
        """Recount the rollup from the raw tables (after a bulk load, or to repair it)."""
        with self._connect("counting feedback", write=True) as conn:
            rollup.rebuild(conn, since)

    def add(self, record: FeedbackRecord) -> bool:
        """Store one record and its answers atomically, scrubbing free text on the way in.
        A record whose id is already stored is left as it is (a replayed turn): False.

        Raises StorageError for an answer of unknown kind or a malformed value.
        """
        record = checked_record(record)
        rows = [
            {"record_id": record.id, "question_key": a.key, "kind": a.kind, "value": a.value}
            for a in record.answers
        ]
        with self._connect("saving feedback", write=True) as conn:
            stored = sa.select(records_table.c.id).where(records_table.c.id == record.id)
            if conn.execute(stored).first() is not None:
                return False
            conn.execute(
                records_table.insert().values(
                    id=record.id,
                    flow_id=record.flow_id,
                    flow_version=record.flow_version,
                    age_band=record.age_band,
                    language=record.language,
                    service=record.service,
                    iso_week=record.iso_week,
                    created_week_start=record.week_start,
                )
            )
            if rows:
                conn.execute(answers_table.insert(), rows)
            rollup.add_record(conn, record)
        return True

    def count(self, filters: FeedbackFilters | None = None) -> int:
        query = sa.select(sa.func.count()).select_from(records_table).where(*_where(filters))
        with self._connect("counting feedback") as conn:
            return int(conn.execute(query).scalar_one())

    def iter_records(
        self, filters: FeedbackFilters | None = None, *, batch_size: int = 500
    ) -> Iterator[FeedbackRecord]:
        """Every matching record, in id order (random, so it reveals nothing about time).

        Pages are read with short connections, so a slow consumer holds no database lock.
        """
        after = ""
        while True:
            query = (
                sa.select(records_table)
                .where(records_table.c.id > after, *_where(filters))
                .order_by(records_table.c.id)
                .limit(batch_size)
            )
            with self._connect("reading feedback") as conn:
                heads = conn.execute(query).mappings().all()
                ids = [head["id"] for head in heads]
                found = conn.execute(
                    sa.select(answers_table).where(answers_table.c.record_id.in_(ids))
                )
                answers: dict[str, list[Answer]] = {key: [] for key in ids}
                for row in found:
                    answers[row.record_id].append(Answer(row.question_key, row.kind, row.value))
            for head in heads:
                fields = {k: v for k, v in head.items() if k != "created_week_start"}
                own = tuple(sorted(answers[head["id"]], key=_answer_order))
                yield FeedbackRecord(**fields, answers=own)
            if len(heads) < batch_size:
                return
            after = heads[-1]["id"]

    def aggregate(
        self, filters: FeedbackFilters | None = None, *, by_week: bool = False
    ) -> list[ValueCount]:
        """Records per (service, [week], question, kind, value); free text is left out."""
        with self._connect("counting answers") as conn:
            rows = rollup.counts(conn, rollup.value_counts_table, filters, by_week)
        return sorted(map(ValueCount._make, rows), key=_row_order)

    def respondents(
        self, filters: FeedbackFilters | None = None, *, by_week: bool = False
    ) -> list[QuestionCount]:
        """Records that answered each (service, [week], question) at all, text included."""
        with self._connect("counting answers") as conn:
            rows = rollup.counts(conn, rollup.question_counts_table, filters, by_week)
        return sorted(map(QuestionCount._make, rows), key=_row_order)

    def atom_counts(self, services: tuple[str, ...] = ()) -> AtomCounts:
        """Every rollup count per (service, flow, band, language, week) group."""
        with self._connect("counting feedback") as conn:
            records = rollup.atom_counts(conn, rollup.week_counts_table, services)
            answered = rollup.atom_counts(conn, rollup.question_counts_table, services)
            values = rollup.atom_counts(conn, rollup.value_counts_table, services)
        return AtomCounts(
            records={AtomKey(*row[:5]): row[5] for row in records},
            respondents={(AtomKey(*row[:5]), row[5], row[6]): row[7] for row in answered},
            values={(AtomKey(*row[:5]), row[5], row[6], row[7]): row[8] for row in values},
        )

    def data_version(self) -> int | None:
        """A number that changes with every change of the rollup (data_version.py); the
        dashboard reuses its plan while it stays the same. None: never reuse."""
        with self._connect("counting feedback") as conn:
            return data_version.read(conn)

    def weekly_counts(self, filters: FeedbackFilters | None = None) -> list[WeekCount]:
        with self._connect("counting feedback") as conn:
            rows = rollup.counts(conn, rollup.week_counts_table, filters, by_week=True)
        return sorted(map(WeekCount._make, rows), key=_row_order)

    def text_answers(self, filters: FeedbackFilters | None = None) -> list[TextAnswer]:
        """Every free-text answer, sorted by text (retention checks, tests): use text_samples."""
        with self._connect("reading feedback") as conn:
            rows = [TextAnswer._make(row) for row in texts.every(conn, filters)]
        return sorted(rows, key=_row_order)

    def text_samples(
        self, filters: FeedbackFilters | None, groups: Sequence[Group], per_group: int | None
    ) -> list[TextGroup]:
        """The newest ``per_group`` comments (None: all) of each (service, question) group."""
        with self._connect("reading feedback") as conn:
            return texts.newest(conn, filters, groups, per_group)

    def text_page(
        self, filters: FeedbackFilters | None, group: Group, after: TextCursor | None, size: int
    ) -> TextPage:
        """One page of a group's comments (random order); pass ``page.after`` for the next."""
        with self._connect("reading feedback") as conn:
            return texts.page(conn, filters, group, after, size)

    def text_sample_refs(
        self, filters: FeedbackFilters | None, groups: Sequence[Group], per_group: int | None
    ) -> dict[Group, tuple[TextRef, ...]]:
        """The comments ``text_samples`` picks, each with its record id (server side only)."""
        with self._connect("reading feedback") as conn:
            return texts.newest_refs(conn, filters, groups, per_group)

    def comment_owners(self, group: Group) -> list[tuple[str, bool]]:
        """(record id, removed already) of every comment of one (service, question)."""
        with self._connect("reading feedback") as conn:
            return texts.owners(conn, group)

    def remove_comment(self, record_id: str, question_key: str, actor: str, detail: str) -> bool:
        """Overwrite one comment at once (staff: it identifies someone) and audit it, in one
        transaction; False if it was removed already. ``detail`` must not hold the text.
        SQLite zeroes the old text in the file (secure_delete); PostgreSQL's old row version
        stays on disk until (auto)vacuum reclaims it, unreadable through SafeVoice."""
        sqlite = self.url.get_backend_name() == "sqlite"
        with self._connect("removing a comment", write=True) as conn:
            before = conn.exec_driver_sql("PRAGMA secure_delete").scalar() if sqlite else None
            if sqlite:
                conn.exec_driver_sql("PRAGMA secure_delete = ON")
            try:
                if not texts.remove(conn, record_id, question_key):
                    return False
                at = dt.datetime.now(dt.UTC)
                row = {"at": at, "actor": actor, "action": "comment-remove", "detail": detail}
                conn.execute(audit_table.insert().values(**row))
            finally:
                if sqlite:  # the pooled connection goes back as it came
                    conn.exec_driver_sql(f"PRAGMA secure_delete = {int(before or 0)}")
        return True

    def purge_batch(
        self, what: What, day: dt.date, *, after: str = "", size: int = PURGE_BATCH
    ) -> PurgeBatch:
        """One transaction of a purge: the free text ("texts") or whole records of up to
        ``size`` records whose ISO week ended before ``day``. Start with ``after=""`` and
        pass each result's ``after`` on until it is None."""
        doing = "deleting old free text" if what == "texts" else "deleting old feedback"
        with self._connect(doing, write=True) as conn:
            return purging.batch(conn, what, rollup.cutoff(day), after, size)

    def purge_text_older_than(self, day: dt.date, *, batch_size: int = PURGE_BATCH) -> int:
        """Delete free text of records whose ISO week ended before ``day``; how many."""
        return self._purge("texts", day, batch_size)

    def purge_records_older_than(self, day: dt.date, *, batch_size: int = PURGE_BATCH) -> int:
        """Delete whole records whose ISO week ended before ``day``; returns how many."""
        return self._purge("records", day, batch_size)

    def _purge(self, what: What, day: dt.date, size: int) -> int:
        done = self.purge_batch(what, day, size=size)
        removed = done.removed
        while done.after is not None:
            time.sleep(self.purge_pause)  # the web service's writers may share the file
            done = self.purge_batch(what, day, after=done.after, size=size)
            removed += done.removed
        return removed

    def audit_actions(self) -> list[str]:
        """Every kind of action the audit log holds, for the audit page's filter."""
        query = sa.select(audit_table.c.action).distinct().order_by(audit_table.c.action)
        with self._connect("reading the audit log") as conn:
            return [str(found) for found in conn.execute(query).scalars()]

    def audit(
        self, actor: str, action: str, detail: str = "", *, at: dt.datetime | None = None
    ) -> None:
        """Record a staff action (who exported, purged, changed a setting)."""
        when = (at if at is not None else dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
        with self._connect("writing the audit log", write=True) as conn:
            conn.execute(
                audit_table.insert().values(at=when, actor=actor, action=action, detail=detail)
            )

    def audit_entries(
        self,
        limit: int = 100,
        *,
        actor: str | None = None,
        action: str | None = None,
        since: dt.datetime | None = None,
        before: dt.datetime | None = None,
    ) -> list[AuditEntry]:
        """The newest audit entries first; only those of `actor`, of `action`, at or
        after `since` and before `before`, when given."""
        t = audit_table.c
        query = sa.select(t.at, t.actor, t.action, t.detail).order_by(t.id.desc()).limit(limit)
        if actor:
            query = query.where(t.actor == actor)
        if action:
            query = query.where(t.action == action)
        if since is not None:
            query = query.where(t.at >= since.astimezone(dt.UTC))
        if before is not None:
            query = query.where(t.at < before.astimezone(dt.UTC))
        with self._connect("reading the audit log") as conn:
            rows = conn.execute(query).all()
        # SQLite hands back naive datetimes; everything was written in UTC.
        return [
            AuditEntry(at if at.tzinfo else at.replace(tzinfo=dt.UTC), actor, action, detail)
            for at, actor, action, detail in rows
        ]


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # SQLite ignores foreign keys unless asked, per connection.
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _where(filters: FeedbackFilters | None) -> list[sa.ColumnElement[bool]]:
    return rollup.where(filters, records_table)


def _row_order(row: Sequence[Any]) -> tuple[Any, ...]:
    # SQLite and PostgreSQL sort NULL differently; sort here so both give the same order.
    return tuple((value is None, "" if value is None else value) for value in row)


def _answer_order(answer: Answer) -> tuple[str, str, str]:
    return (answer.key, answer.kind, answer.value)
