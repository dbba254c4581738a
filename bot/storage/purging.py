"""Retention deletes in batches: each a short transaction that keeps the rollup exact.

One DELETE over every old row held SQLite's write lock (and, once the change spilled out
of the page cache, its readers too) for as long as the whole purge took: 9 s on a million
records, while the first staff login waited. A batch takes the next ``size`` old records
by id, subtracts exactly their part of the rollup counts, then deletes them, all in the
caller's transaction; so between two batches every count still matches the rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.storage import data_version
from bot.storage.rollup import (
    NO_SERVICE,
    answers_table,
    question_counts_table,
    records_table,
    value_counts_table,
    week_counts_table,
)

__all__ = ["PurgeBatch", "What", "batch"]

What = Literal["texts", "records"]


class PurgeBatch(NamedTuple):
    removed: int  # free-text answers, or whole records, deleted by this batch
    after: str | None  # where the next batch starts; None: nothing old is left


_GROUP = ("created_week_start", "service", "flow_id", "age_band", "language")


def batch(conn: Connection, what: What, cutoff: dt.date, after: str, size: int) -> PurgeBatch:
    """Delete the free text ("texts") or whole records of up to ``size`` records of weeks
    starting on or before ``cutoff``, with ids above ``after``.

    Returns how many answers ("texts") or records were deleted, and the ``after`` of the
    next batch: None once no old record is left.
    """
    r, a = records_table.c, answers_table.c
    query = sa.select(r.id).where(r.created_week_start <= cutoff, r.id > after)
    if what == "texts":
        query = query.where(sa.exists().where(a.record_id == r.id, a.kind == "text"))
    # A list, not a subquery: every statement below must see the same records.
    ids = list(conn.execute(query.order_by(r.id).limit(size)).scalars())
    if not ids:
        return PurgeBatch(0, None)
    chosen = a.record_id.in_(ids)
    _uncount(conn, ids, texts_only=what == "texts")
    if what == "texts":
        removed = conn.execute(answers_table.delete().where(chosen, a.kind == "text")).rowcount
    else:
        conn.execute(answers_table.delete().where(chosen))
        removed = conn.execute(records_table.delete().where(r.id.in_(ids))).rowcount
    return PurgeBatch(removed, ids[-1] if len(ids) == size else None)


def _uncount(conn: Connection, ids: list[str], *, texts_only: bool) -> None:
    """Subtract these records (or only their free text) from the rollup; a count that
    reaches zero is removed, as if the group had never been seen."""
    data_version.bump(conn)  # first, before any count row: see data_version.py
    r, a = records_table.c, answers_table.c
    group = [r.created_week_start, sa.func.coalesce(r.service, NO_SERVICE), r.flow_id,
             r.age_band, r.language]  # fmt: skip
    joined = answers_table.join(records_table, a.record_id == r.id)
    chosen = r.id.in_(ids)
    per_record = sa.func.count(sa.distinct(a.record_id))
    questions = [a.question_key, a.kind]
    plans: list[tuple[sa.Table, sa.Select[Any]]] = [
        (
            question_counts_table,
            sa.select(*group, *questions, per_record)
            .select_from(joined)
            .where(chosen, *([a.kind == "text"] if texts_only else []))
            .group_by(*group, *questions),
        )
    ]
    if not texts_only:
        values = [*questions, a.value]
        plans += [
            (week_counts_table, sa.select(*group, sa.func.count()).where(chosen).group_by(*group)),
            (
                value_counts_table,
                sa.select(*group, *values, per_record)
                .select_from(joined)
                .where(chosen, a.kind != "text")
                .group_by(*group, *values),
            ),
        ]
    for table, query in plans:
        keys = [*_GROUP, *(c.name for c in table.primary_key.columns if c.name not in _GROUP)]
        rows = [dict(zip([*(f"k_{k}" for k in keys), "k_n"], row, strict=True))
                for row in conn.execute(query)]  # fmt: skip
        if not rows:
            continue
        same = [table.c[k] == sa.bindparam(f"k_{k}") for k in keys]
        conn.execute(table.update().where(*same).values(n=table.c.n - sa.bindparam("k_n")), rows)
        conn.execute(table.delete().where(*same, table.c.n <= 0), rows)
