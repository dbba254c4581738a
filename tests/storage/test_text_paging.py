"""Comments are read a bounded number at a time: k first, newest weeks, pages through the rest."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.services.report import build_report, comment_pages, render
from bot.storage import texts
from bot.storage.bulk import add_many
from bot.storage.feedback import FeedbackStore
from bot.storage.records import Answer, FeedbackFilters, FeedbackRecord, iso_week
from bot.storage.texts import Group, TextGroup

MONDAY = dt.date(2024, 3, 4)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FeedbackStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/feedback.db"
    else:
        url = request.getfixturevalue("pg_database_url")
    with FeedbackStore(url) as opened:
        opened.create_schema()
        yield opened


def record(service: str | None, text: str, weeks_ago: int, lang: str = "en") -> FeedbackRecord:
    return FeedbackRecord.build(
        flow_id="feedback", flow_version=1, age_band="13-15", language=lang, service=service,
        answers=[Answer("overall", "scale", "4"), Answer("say", "text", text)],
        today=MONDAY - dt.timedelta(weeks=weeks_ago),
    )  # fmt: skip


def seed(store: FeedbackStore) -> None:
    rows = [record("shelter", f"old {n:02d}", 3) for n in range(30)]
    rows += [record("shelter", f"new {n:02d}", 0) for n in range(10)]
    rows += [record("shelter", f"mid {n:02d}", 1, lang="ar") for n in range(10)]
    rows += [record("health", "few", 0) for _ in range(4)]  # under k
    rows += [record(None, f"none {n}", 0) for n in range(12)]
    add_many(store, rows)


def test_report_shows_the_newest_comments_sorted_and_counts_the_rest(store: FeedbackStore) -> None:
    seed(store)
    report = build_report(store, FeedbackFilters(), k=10, comments=20)
    say = {(q.service, q.question_key): q for q in report.questions if q.kind == "text"}
    shelter = say[("shelter", "say")]
    assert shelter.respondents == 50
    # 10 of the newest week, 10 of the week before; week 3's 30 are left for the pages
    assert [t.split()[0] for t in shelter.texts] == ["mid"] * 10 + ["new"] * 10
    assert list(shelter.texts) == sorted(shelter.texts)
    assert shelter.more_texts == 30
    assert ("health", "say") not in say  # 4 in all: not even listed
    assert say[(None, "say")].more_texts == 0
    assert len(say[(None, "say")].texts) == 12
    csv = render(report, "csv")
    assert "more-text,shelter,say,text,,30\n" in csv
    everything = build_report(store, FeedbackFilters(), k=10, comments=None)
    assert sum(len(q.texts) for q in everything.questions) == 50 + 12
    assert all(q.more_texts == 0 for q in everything.questions)


class Spy:
    def __init__(self, store: FeedbackStore) -> None:
        self.store = store
        self.asked: list[Sequence[Group]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def text_samples(
        self, filters: FeedbackFilters | None, groups: Sequence[Group], per_group: int | None
    ) -> list[TextGroup]:
        self.asked.append(list(groups))
        return self.store.text_samples(filters, groups, per_group)


def test_groups_under_k_are_never_read(store: FeedbackStore) -> None:
    seed(store)
    spy = Spy(store)
    build_report(spy, FeedbackFilters(), k=10)
    assert sorted((g for groups in spy.asked for g in groups), key=str) == sorted(
        [(None, "say"), ("shelter", "say")], key=str
    )
    spy.asked.clear()
    build_report(spy, FeedbackFilters(services=("health",)), k=10)
    assert spy.asked == []  # 4 answered: not even a query


def test_comment_pages_go_through_every_comment_once(store: FeedbackStore) -> None:
    seed(store)
    rng = random.Random(1)
    add_many(store, [record("shelter", rng.choice(("a", "b", "c")), 2) for _ in range(25)])
    for filters in (FeedbackFilters(), FeedbackFilters(language="ar")):
        expected = Counter(t.value for t in store.text_answers(filters) if t.service == "shelter")
        pages = list(comment_pages(store, filters, ("shelter", "say"), k=10, size=7))
        assert Counter(t for page in pages for t in page) == expected
        assert all(len(page) <= 7 for page in pages)
    none = list(comment_pages(store, FeedbackFilters(), (None, "say"), k=10, size=5))
    assert sorted(t for page in none for t in page) == sorted(f"none {n}" for n in range(12))
    assert list(comment_pages(store, FeedbackFilters(), ("health", "say"), k=10)) == []
    scoped = FeedbackFilters(services=("health",))
    assert list(comment_pages(store, scoped, ("shelter", "say"), k=1)) == []
    assert list(comment_pages(store, scoped, (None, "say"), k=1)) == []


def test_week_filters_apply_to_comments(store: FeedbackStore) -> None:
    seed(store)
    week = iso_week(MONDAY - dt.timedelta(weeks=1))
    report = build_report(store, FeedbackFilters(week_from=week, week_to=week), k=10)
    [shelter] = [q for q in report.questions if q.service == "shelter" and q.kind == "text"]
    assert [t.split()[0] for t in shelter.texts] == ["mid"] * 10


def test_sqlite_plans_use_the_indexes(tmp_path: Path) -> None:
    with FeedbackStore(f"sqlite:///{tmp_path}/plan.db") as store:
        store.create_schema()
        seed(store)
        filters = FeedbackFilters(language="ar", week_from="2024-W01")
        seen: list[tuple[str, Any]] = []

        def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
            seen.append((statement, parameters))

        with store.engine.connect() as conn:
            sa.event.listen(conn, "before_cursor_execute", keep)
            texts.newest(conn, filters, [("shelter", "say")], 20)
            texts.page(conn, filters, ("shelter", "say"), None, 20)
            sa.event.remove(conn, "before_cursor_execute", keep)
            raw = conn.connection.driver_connection
            assert raw is not None
            for statement, parameters in seen:
                rows = raw.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
                plan = "\n".join(row[-1] for row in rows)
                assert "ix_feedback_answers_text" in plan, plan
                # No table read whole, no sort of everything: the LIMIT stops the reading.
                scans = [line for line in plan.splitlines() if line.startswith("SCAN")]
                assert all("USING INDEX ix_feedback_answers_text" in line for line in scans), plan
                assert "TEMP B-TREE FOR ORDER BY" not in plan, plan
