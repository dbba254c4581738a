"""The rollup counts equal a direct GROUP BY over the raw tables, after adds and purges."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.storage.bulk import add_many
from bot.storage.feedback import FeedbackStore, answers_table, records_table
from bot.storage.records import Answer, FeedbackFilters, FeedbackRecord, iso_week
from bot.storage.rollup import where

MONDAY = dt.date(2024, 3, 4)
SERVICES = ("shelter", "health", "school", None)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FeedbackStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/feedback.db"
    else:
        url = request.getfixturevalue("pg_database_url")
    with FeedbackStore(url) as opened:
        opened.create_schema()
        yield opened


def random_record(rng: random.Random) -> FeedbackRecord:
    answers = [Answer("overall", "scale", str(rng.randint(1, 5)))]
    if rng.random() < 0.8:
        answers.append(Answer("safe", "yes_no", rng.choice(("yes", "no"))))
    answers += [Answer("liked", "multi", v) for v in rng.sample("abcde", rng.randint(0, 3))]
    if rng.random() < 0.3:
        answers.append(Answer("where", "choice", rng.choice(("room", "garden"))))
    for _ in range(rng.choice((0, 0, 1, 2))):
        answers.append(Answer("say", "text", rng.choice(("ok", "more food", "thanks"))))
    return FeedbackRecord.build(
        flow_id=rng.choice(("feedback", "exit")),
        flow_version=1,
        age_band=rng.choice(("13-15", "16-17")),
        language=rng.choice(("en", "ro", "ar")),
        service=rng.choice(SERVICES),
        answers=answers,
        today=MONDAY - dt.timedelta(days=rng.randint(0, 12 * 7)),
    )


def random_filters(rng: random.Random) -> FeedbackFilters:
    weeks = [iso_week(MONDAY - dt.timedelta(weeks=n)) for n in range(14)]
    start = rng.choice([None, *weeks])
    return FeedbackFilters(
        services=tuple(s for s in rng.sample(SERVICES[:3], rng.randint(0, 2))),
        age_band=rng.choice((None, "13-15", "16-17")),
        language=rng.choice((None, "en", "ar")),
        flow_id=rng.choice((None, None, "exit")),
        week_from=start,
        week_to=rng.choice((None, start)) if start else None,
    )


def direct(store: FeedbackStore, filters: FeedbackFilters, by_week: bool) -> dict[str, Any]:
    """The counts straight from feedback_records / feedback_answers."""
    r, a = records_table.c, answers_table.c
    week: list[Any] = [r.iso_week] if by_week else []
    joined = answers_table.join(records_table, a.record_id == r.id)
    cond = where(filters, records_table)
    distinct = sa.func.count(sa.distinct(a.record_id))

    def query(columns: Sequence[Any], *extra: Any) -> Any:
        return (sa.select(*columns, distinct).select_from(joined).where(*cond, *extra)).group_by(
            *columns
        )

    values = query([r.service, *week, a.question_key, a.kind, a.value], a.kind != "text")
    questions = query([r.service, *week, a.question_key, a.kind])
    weeks = sa.select(r.service, r.iso_week, sa.func.count()).where(*cond)
    with store.engine.connect() as conn:
        pad = [] if by_week else [None]
        return {
            "values": sorted(_key(row[:1] + tuple(pad) + row[1:]) for row in conn.execute(values)),
            "questions": sorted(
                _key(row[:1] + tuple(pad) + row[1:]) for row in conn.execute(questions)
            ),
            "weeks": sorted(
                _key(tuple(row)) for row in conn.execute(weeks.group_by(r.service, r.iso_week))
            ),
        }


def from_rollup(store: FeedbackStore, filters: FeedbackFilters, by_week: bool) -> dict[str, Any]:
    return {
        "values": sorted(_key(row) for row in store.aggregate(filters, by_week=by_week)),
        "questions": sorted(_key(row) for row in store.respondents(filters, by_week=by_week)),
        "weeks": sorted(_key(row) for row in store.weekly_counts(filters)),
    }


def _key(row: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(("", "") if v is None else (type(v).__name__, v) for v in row)


def check_all(store: FeedbackStore, rng: random.Random) -> None:
    for filters in [FeedbackFilters(), *(random_filters(rng) for _ in range(25))]:
        for by_week in (False, True):
            assert from_rollup(store, filters, by_week) == direct(store, filters, by_week), filters


@pytest.mark.parametrize("seed", [1, 2])
def test_rollup_equals_group_by_over_raw_rows(store: FeedbackStore, seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(60):
        store.add(random_record(rng))
    add_many(store, [random_record(rng) for _ in range(150)])
    for _ in range(30):
        store.add(random_record(rng))
    assert store.count() == 240
    check_all(store, rng)

    store.purge_text_older_than(MONDAY - dt.timedelta(weeks=5))
    check_all(store, rng)
    store.purge_records_older_than(MONDAY - dt.timedelta(weeks=8))
    check_all(store, rng)
    store.add(random_record(rng))
    check_all(store, rng)


def test_create_schema_builds_a_missing_rollup(store: FeedbackStore) -> None:
    rng = random.Random(3)
    for _ in range(40):
        store.add(random_record(rng))
    expected = from_rollup(store, FeedbackFilters(), True)
    with store.engine.begin() as conn:
        for table in ("feedback_week_counts", "feedback_question_counts", "feedback_counts"):
            conn.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608 - fixed names
    assert store.aggregate() == []
    store.create_schema()
    assert from_rollup(store, FeedbackFilters(), True) == expected
    store.rebuild_rollup()
    assert from_rollup(store, FeedbackFilters(), True) == expected
    check_all(store, rng)
