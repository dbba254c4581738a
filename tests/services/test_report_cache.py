"""The dashboard's plan cache (bot/services/plans.py): reused while the data version stays,
rebuilt after every kind of write, on SQLite and PostgreSQL, and never stale."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.runtime import open_database
from bot.services.plans import PLANS, PlanCache
from bot.services.report import Report, build_report, comment_pages
from bot.storage import Answer, FeedbackFilters, FeedbackRecord, FeedbackStore
from bot.storage.bulk import add_many

W10 = dt.date(2024, 3, 4)
W20 = dt.date(2024, 5, 13)
K = 10


class Counting:
    """The real store, with its calls counted (a wrapper, not a mock of the database)."""

    def __init__(self, store: FeedbackStore) -> None:
        self.store = store
        self.calls: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        self.calls[name] = self.calls.get(name, 0) + 1
        return getattr(self.store, name)


class Uncached:
    """The real store without ``data_version``: every report works its plan out afresh."""

    def __init__(self, store: FeedbackStore) -> None:
        self.store = store

    def __getattr__(self, name: str) -> Any:
        if name == "data_version":
            raise AttributeError(name)
        return getattr(self.store, name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FeedbackStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/feedback.db"
    else:
        url = request.getfixturevalue("pg_database_url")
    PLANS.clear()
    config = Path(__file__).resolve().parents[2] / "config.toml"
    with open_database(config, url=url) as database:
        yield database.store
    PLANS.clear()


def record(
    *answers: Answer, day: dt.date = W10, language: str = "en", service: str = "shelter"
) -> FeedbackRecord:
    return FeedbackRecord.build(
        flow_id="feedback",
        flow_version=1,
        age_band="13-17",
        language=language,
        service=service,
        answers=answers,
        today=day,
    )


def add(store: FeedbackStore, n: int, *answers: Answer, **where: Any) -> None:
    for _ in range(n):
        store.add(record(*answers, **where))


def fill(store: FeedbackStore) -> None:
    add(store, 12, Answer("safe", "yes_no", "yes"), Answer("say", "text", "old and fine"))
    add(store, 12, Answer("safe", "yes_no", "no"), Answer("say", "text", "newer"), day=W20)


def same_as_uncached(store: FeedbackStore, filters: FeedbackFilters | None = None) -> Report:
    cached = build_report(store, filters, K)
    fresh = build_report(Uncached(store), filters, K)  # type: ignore[arg-type]
    assert cached == fresh
    assert cached.text_filters == fresh.text_filters
    return cached


def test_a_second_report_without_a_change_reads_no_rollup(store: FeedbackStore) -> None:
    fill(store)
    counting = Counting(store)
    first = build_report(counting, None, K)  # type: ignore[arg-type]
    assert counting.calls["atom_counts"] == 1
    for filters in (None, FeedbackFilters(language="en"), FeedbackFilters(week_from="2024-W15")):
        assert build_report(counting, filters, K) == build_report(Uncached(store), filters, K)  # type: ignore[arg-type]
    assert build_report(counting, None, K) == first
    assert counting.calls["atom_counts"] == 1  # one read of the rollup for all of them
    assert counting.calls["data_version"] == 5  # one cheap query per report
    # comment_pages (admins, full exports) shares the plan too.
    pages = list(comment_pages(counting, None, ("shelter", "say"), K))  # type: ignore[arg-type]
    assert sorted(t for page in pages for t in page) == ["newer"] * 12 + ["old and fine"] * 12
    assert counting.calls["atom_counts"] == 1


@pytest.mark.parametrize(
    "change",
    ["a new record", "a purge batch", "a text purge", "a rebuild", "a bulk load"],
)
def test_after_each_kind_of_write_the_report_is_the_uncached_one(
    store: FeedbackStore, change: str
) -> None:
    fill(store)
    before = same_as_uncached(store)
    counting = Counting(store)
    build_report(counting, None, K)  # type: ignore[arg-type]
    assert counting.calls.get("atom_counts", 0) == 0  # cached
    if change == "a new record":
        add(store, 1, Answer("safe", "yes_no", "yes"), day=W20)
    elif change == "a purge batch":
        assert store.purge_batch("records", W20, size=5).removed == 5
    elif change == "a text purge":
        assert store.purge_text_older_than(W20) == 12
    elif change == "a rebuild":
        with store.engine.begin() as conn:  # counts repaired by hand: the rebuild puts them back
            conn.exec_driver_sql("UPDATE feedback_week_counts SET n = n + 5")
        store.rebuild_rollup()
    else:
        add_many(store, [record(Answer("safe", "yes_no", "no"), day=W20) for _ in range(10)])
    after = same_as_uncached(store)
    counting = Counting(store)
    assert build_report(counting, None, K) == after  # type: ignore[arg-type]
    assert counting.calls.get("atom_counts", 0) == 0  # cached again, at the new version
    if change != "a rebuild":
        assert after != before


def test_a_new_small_groups_comment_never_comes_through_a_cached_plan(
    store: FeedbackStore,
) -> None:
    """Regression: the view's comment filters leave out the groups the plan knows to hide;
    a plan from before a new small group would not leave it out."""
    add(store, 12, Answer("say", "text", "fine"))
    assert [q.texts for q in build_report(store, None, K).questions] == [("fine",) * 12]
    add(store, 1, Answer("say", "text", "only one in arabic"), language="ar")
    for filters in (None, FeedbackFilters(services=("shelter",))):
        report = build_report(store, filters, K)
        assert all("only one in arabic" not in q.texts for q in report.questions)
        assert list(comment_pages(store, filters, ("shelter", "say"), K)) == [("fine",) * 12]

    # The test can see the defect: a version that does not change with the data (what a
    # fingerprint of counts could do) reuses the plan, and the new group's comment leaks.
    class Frozen(Uncached):
        def data_version(self) -> int:
            return 1

    frozen = Frozen(store)
    build_report(frozen, None, K)  # type: ignore[arg-type]
    add(store, 1, Answer("say", "text", "only one in romanian"), language="ro")
    leaked = build_report(frozen, None, K)  # type: ignore[arg-type]
    assert "only one in romanian" in leaked.questions[0].texts
    report = build_report(store, None, K)
    assert "only one in romanian" not in report.questions[0].texts
    assert report == build_report(Uncached(store), None, K)  # type: ignore[arg-type]


def test_the_version_changes_with_every_rollup_write_and_nothing_else(
    store: FeedbackStore,
) -> None:
    seen = [store.data_version()]
    assert seen[0] is not None

    def changed() -> bool:
        now = store.data_version()
        new = now not in seen
        seen.append(now)
        return new

    assert not changed()  # reading moves nothing
    fill(store)
    assert changed()
    build_report(store, None, K)
    store.audit("admin", "login")
    assert not changed()
    store.purge_batch("texts", W20, size=3)
    assert changed()
    store.purge_batch("records", W20, size=3)
    assert changed()
    store.rebuild_rollup(W20)
    assert changed()
    add_many(store, [record(Answer("safe", "yes_no", "no"))])
    assert changed()
    assert store.purge_batch("records", W10).removed == 0  # nothing old: nothing changed
    assert not changed()


def test_the_cache_keeps_a_few_plans_and_drops_the_least_recently_used(
    store: FeedbackStore,
) -> None:
    fill(store)
    add(store, 12, Answer("safe", "yes_no", "yes"), service="health")
    cache = PlanCache(size=2)
    counting = Counting(store)
    shelter = cache.plan(counting, ("shelter",), K)  # type: ignore[arg-type]
    both = cache.plan(counting, (), K)  # type: ignore[arg-type]
    assert cache.plan(counting, ("shelter",), K) is shelter  # type: ignore[arg-type]
    cache.plan(counting, ("health",), K)  # type: ignore[arg-type]
    assert counting.calls["atom_counts"] == 3
    assert cache.plan(counting, ("shelter",), K) is shelter  # type: ignore[arg-type]
    assert cache.plan(counting, (), K) is not both  # type: ignore[arg-type]
    assert counting.calls["atom_counts"] == 4
