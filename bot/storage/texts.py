"""Free-text comments for the dashboard and reports, a bounded number at a time.

A dashboard never needs every comment: it shows, per (service, question) group that the
rollup says at least k people answered, the newest few, and says how many more there are.
Both queries read only the groups asked for and stop at their LIMIT:

- ``newest``: per group, the newest ``limit`` records with a comment (``ORDER BY week DESC,
  record id``), driven by the index on ``feedback_records (service, created_week_start)``
  and probing the partial index ``ix_feedback_answers_text (record_id, question_key) WHERE
  kind = 'text'``, then those records' comments. Within a week the record id (random)
  decides, so which comments are picked says nothing finer than the week; they come back
  sorted by text.
- ``page``: everything of one group in record id order (random, so it reveals nothing about
  time), by keyset pages, driven by the same partial index; the cursor is a record id and a
  text, never a week.

``kind = 'text'`` is written as a literal, not a bound parameter: SQLite can only use a
partial index when the query's WHERE implies the index's WHERE at prepare time.

A comment that staff flagged as identifying someone is overwritten with ``REMOVED`` (an
empty text, which no young person can leave: ``checked_record`` drops those) by
``remove``. The answer row stays, so the person is still counted among those who answered
and the rollup keeps matching the raw rows; every query here leaves such rows out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.storage.records import FeedbackFilters
from bot.storage.rollup import answers_table, records_table, where

__all__ = [
    "REMOVED",
    "Group",
    "TextCursor",
    "TextGroup",
    "TextPage",
    "TextRef",
    "every",
    "newest",
    "newest_refs",
    "owners",
    "page",
    "remove",
]

REMOVED = ""  # what a removed comment's text becomes
_IS_TEXT = sa.text("feedback_answers.kind = 'text'")
_KEPT = sa.text("feedback_answers.value <> ''")  # not removed by staff


Group = tuple[str | None, str]  # (service, question key)


class TextGroup(NamedTuple):
    """Up to ``limit`` comments of one group, sorted by text, and how many records gave them."""

    service: str | None
    question_key: str
    texts: tuple[str, ...]
    records: int  # distinct records among the comments shown


class TextCursor(NamedTuple):
    record_id: str
    value: str


class TextPage(NamedTuple):
    texts: tuple[str, ...]
    after: TextCursor | None  # pass back for the next page; None after the last one


class TextRef(NamedTuple):
    """A comment and the record it belongs to: for the server only, never for a page."""

    record_id: str
    value: str


def _same_service(service: str | None) -> sa.ColumnElement[bool]:
    column = records_table.c.service
    return column.is_(None) if service is None else column == service


def newest(
    conn: Connection,
    filters: FeedbackFilters | None,
    groups: Sequence[Group],
    limit: int | None,
) -> list[TextGroup]:
    """The comments of the ``limit`` newest records (all if None) of each group."""
    found = []
    for service, key in groups:
        rows = _newest(conn, filters, service, key, limit)
        texts = tuple(sorted(value for _, value in rows))
        found.append(TextGroup(service, key, texts, len({record for record, _ in rows})))
    return found


def newest_refs(
    conn: Connection,
    filters: FeedbackFilters | None,
    groups: Sequence[Group],
    limit: int | None,
) -> dict[Group, tuple[TextRef, ...]]:
    """The same comments as ``newest``, each with its record id (to flag one of them)."""
    return {
        (service, key): tuple(
            TextRef(*row) for row in sorted(_newest(conn, filters, service, key, limit))
        )
        for service, key in groups
    }


def _newest(
    conn: Connection,
    filters: FeedbackFilters | None,
    service: str | None,
    key: str,
    limit: int | None,
) -> list[tuple[str, str]]:
    a, r = answers_table.c, records_table.c
    # The records come first (one index, newest week first, stopped by the LIMIT), each
    # checked for a comment by an EXISTS probe; a plain join let SQLite, once it had
    # statistics, read the whole text index and sort it instead.
    commented = sa.select(a.record_id).where(
        a.record_id == r.id, _IS_TEXT, a.question_key == key, _KEPT
    )
    chosen = (
        sa.select(r.id)
        .where(_same_service(service), *where(filters, records_table), commented.exists())
        .order_by(r.created_week_start.desc(), r.id)
    )
    if limit is not None:
        chosen = chosen.limit(limit)
    query = sa.select(a.record_id, a.value).where(
        _IS_TEXT, a.question_key == key, _KEPT, a.record_id.in_(chosen.scalar_subquery())
    )
    return [(record, value) for record, value in conn.execute(query)]


def page(
    conn: Connection,
    filters: FeedbackFilters | None,
    group: Group,
    after: TextCursor | None,
    size: int,
) -> TextPage:
    """One page of a group's comments in record id order, after ``after``."""
    a, r = answers_table.c, records_table.c
    service, key = group
    keyset = []
    if after is not None:
        keyset = [
            a.record_id >= after.record_id,
            sa.or_(a.record_id > after.record_id, a.value > after.value),
        ]
    matching = (
        sa.select(r.id)
        .where(r.id == a.record_id, _same_service(service), *where(filters, records_table))
        .exists()
    )
    query = (
        sa.select(a.record_id, a.value)
        .where(_IS_TEXT, a.question_key == key, _KEPT, *keyset, matching)
        .order_by(a.record_id, a.value)
        .limit(size)
    )
    rows = conn.execute(query).all()
    last = TextCursor(*rows[-1]) if len(rows) == size else None
    return TextPage(tuple(value for _, value in rows), last)


def every(conn: Connection, filters: FeedbackFilters | None) -> list[tuple[str | None, str, str]]:
    """(service, question, text) of every matching free-text answer, in no set order."""
    a, r = answers_table.c, records_table.c
    query = (
        sa.select(r.service, a.question_key, a.value)
        .join_from(answers_table, records_table, a.record_id == r.id)
        .where(_IS_TEXT, _KEPT, *where(filters, records_table))
    )
    return [(service, key, value) for service, key, value in conn.execute(query)]


def owners(conn: Connection, group: Group) -> list[tuple[str, bool]]:
    """(record id, removed already) of every comment of one (service, question), any week."""
    a, r = answers_table.c, records_table.c
    service, key = group
    query = (
        sa.select(a.record_id, a.value == REMOVED)
        .join_from(answers_table, records_table, a.record_id == r.id)
        .where(_IS_TEXT, a.question_key == key, _same_service(service))
    )
    return [(record, bool(removed)) for record, removed in conn.execute(query)]


def remove(conn: Connection, record_id: str, key: str) -> int:
    """Overwrite one record's comment on one question with ``REMOVED``; how many rows."""
    a = answers_table.c
    change = (
        answers_table.update()
        .where(a.record_id == record_id, _IS_TEXT, a.question_key == key, _KEPT)
        .values(value=REMOVED)
    )
    return int(conn.execute(change).rowcount)
