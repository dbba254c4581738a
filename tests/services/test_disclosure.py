"""No count of fewer than k young people follows from adding or subtracting views.

The issue's case first, on a real database; then a property test: random datasets with
groups of 1 to 9, every view an account can ask for (band, language, flow, first and
last week, each or all), and the differencing attacks on them: one view minus a narrower
one (complements, week minus weeks), and a view minus all its parts along a dimension
(total minus bands, minus languages, minus weeks).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.runtime import open_database
from bot.services.disclosure import blocks
from bot.services.report import Report, build_report
from bot.storage import Answer, FeedbackFilters, FeedbackRecord, FeedbackStore
from bot.storage.records import AtomCounts, AtomKey
from bot.storage.texts import Group, TextGroup

K = 5
BANDS = ("8-12", "13-15", "16-17")
LANGS = ("en", "ar")
FLOWS = ("feedback", "checkin")
WEEKS = ("2026-W01", "2026-W02", "2026-W03")
MONDAY = dt.date(2026, 1, 5)  # 2026-W02


@pytest.fixture
def store(tmp_path: Path) -> Iterator[FeedbackStore]:
    config = Path(__file__).resolve().parents[2] / "config.toml"
    with open_database(config, url=f"sqlite:///{tmp_path}/feedback.db") as database:
        yield database.store


def _add(store: FeedbackStore, n: int, band: str, safe: str) -> None:
    for _ in range(n):
        store.add(
            FeedbackRecord.build(
                flow_id="feedback", flow_version=1, age_band=band, language="en",
                service="shelter", answers=[Answer("safe", "yes_no", safe)], today=MONDAY,
            )
        )  # fmt: skip


def _safe(report: Report) -> tuple[int | None, dict[str, int | None]]:
    [q] = [q for q in report.questions if q.question_key == "safe"]
    return q.respondents, {c.value: c.count for c in q.cells}


def test_subtracting_band_views_does_not_reveal_the_small_band(store: FeedbackStore) -> None:
    # Seen in 0.1.0: all bands 63, each older band 20 (all "yes"), and the 8-12 view,
    # though suppressed, listed a "no" row: "exactly 3 children aged 8-12 do not feel safe".
    for band in ("13-15", "16-17", "18-24"):
        _add(store, 20, band, "yes")
    _add(store, 3, "8-12", "no")
    total, values = _safe(build_report(store, FeedbackFilters(), k=10))
    parts = [_safe(build_report(store, FeedbackFilters(age_band=b), k=10)) for b in
             ("13-15", "16-17", "18-24")]  # fmt: skip
    assert total == sum(n or 0 for n, _ in parts) == 60
    assert values == {"yes": 60}
    [small] = [
        q for q in build_report(store, FeedbackFilters(age_band="8-12"), k=10).questions
        if q.question_key == "safe"
    ]  # fmt: skip
    assert (small.respondents, small.suppressed, small.cells) == (None, True, ())


class Source:
    """The rollup's counts of a made-up dataset, as FeedbackStore.atom_counts gives them."""

    def __init__(self, counts: AtomCounts) -> None:
        self.counts = counts

    def atom_counts(self, services: tuple[str, ...] = ()) -> AtomCounts:
        return self.counts

    def text_samples(
        self, filters: FeedbackFilters | None, groups: Sequence[Group], per_group: int | None
    ) -> list[TextGroup]:
        return []


cells = st.tuples(st.integers(0, 9), st.integers(0, 9), st.integers(0, 2))  # yes, no, silent


@st.composite
def datasets(draw: st.DrawFn) -> AtomCounts:
    records: dict[AtomKey, int] = {}
    answered: dict[tuple[AtomKey, str, str], int] = {}
    values: dict[tuple[AtomKey, str, str, str], int] = {}
    for band, lang, flow, week in itertools.product(BANDS, LANGS, FLOWS, WEEKS):
        if not draw(st.booleans()):
            continue
        yes, no, silent = draw(cells)
        if yes + no + silent == 0:
            continue
        atom = AtomKey("shelter", flow, band, lang, week)
        records[atom] = yes + no + silent
        if yes + no:
            answered[(atom, "safe", "yes_no")] = yes + no
        for value, n in (("yes", yes), ("no", no)):
            if n:
                values[(atom, "safe", "yes_no", value)] = n
    return AtomCounts(records, answered, values)


def _views() -> list[FeedbackFilters]:
    views = []
    for band, lang, flow in itertools.product((None, *BANDS), (None, *LANGS), (None, *FLOWS)):
        for first, last in itertools.product((None, *WEEKS), (None, *WEEKS)):
            if first is not None and last is not None and first > last:
                continue
            views.append(FeedbackFilters(age_band=band, language=lang, flow_id=flow,
                                         week_from=first, week_to=last))  # fmt: skip
    return views


VIEWS = _views()


def _figures(report: Report) -> dict[str, int]:
    """Every number a view shows: who answered, each answer, responses over time."""
    shown = {"records": sum(w.records or 0 for w in report.weeks)}
    for q in report.questions:
        shown["answered"] = q.respondents or 0
        for cell in q.cells:
            shown[cell.value] = cell.count or 0
    return shown


def _narrower(inner: FeedbackFilters, outer: FeedbackFilters) -> bool:
    """Whether every record ``inner`` selects is also selected by ``outer``."""
    return (
        all(
            getattr(outer, name) in (None, getattr(inner, name))
            for name in ("age_band", "language", "flow_id")
        )
        and (outer.week_from is None or (inner.week_from or "") >= outer.week_from)
        and (outer.week_to is None or (inner.week_to or "9999") <= outer.week_to)
    )


def _small(n: int) -> bool:
    return 0 < n < K


@settings(max_examples=60, deadline=None)
@given(datasets())
def test_no_difference_of_views_is_a_small_count(counts: AtomCounts) -> None:
    source = Source(counts)
    figures = {view: _figures(build_report(source, view, k=K)) for view in VIEWS}
    for view, shown in figures.items():
        assert not any(_small(n) for n in shown.values()), (view, shown)
        # Who did not answer: the view's responses minus who answered.
        assert not _small(shown["records"] - shown.get("answered", 0)), (view, shown)
        # Never a record from outside the filter (a view may count fewer, never more).
        truth = sum(n for atom, n in counts.records.items() if atom.matches(view))
        assert shown["records"] <= truth, view
    # One view minus a narrower one: complements, "from week 1" minus "from week 2"...
    for outer, inner in itertools.product(VIEWS, VIEWS):
        if inner != outer and _narrower(inner, outer):
            for name, n in figures[outer].items():
                assert not _small(n - figures[inner].get(name, 0)), (outer, inner, name)
    # A view minus all of its parts along one dimension: total minus bands, and so on.
    for view in VIEWS:
        for name, values in (("age_band", BANDS), ("language", LANGS), ("flow_id", FLOWS)):
            if getattr(view, name) is not None:
                continue
            parts = [figures[_with(view, name, v)] for v in values]
            for figure, n in figures[view].items():
                assert not _small(n - sum(p.get(figure, 0) for p in parts)), (view, name)
        if view.week_from is None and view.week_to is None:
            for split in range(1, len(WEEKS)):
                before = figures[_with(view, "week_to", WEEKS[split - 1])]
                after = figures[_with(view, "week_from", WEEKS[split])]
                for figure, n in figures[view].items():
                    rest = n - before.get(figure, 0) - after.get(figure, 0)
                    assert not _small(rest), (view, split)


def _with(view: FeedbackFilters, name: str, value: str) -> FeedbackFilters:
    fields = {n: getattr(view, n) for n in ("age_band", "language", "flow_id", "week_from",
                                            "week_to")}  # fmt: skip
    fields[name] = value
    return FeedbackFilters(**fields)


@settings(max_examples=60, deadline=None)
@given(datasets())
def test_blocks_are_disjoint_and_hold_at_least_k(counts: AtomCounts) -> None:
    found = blocks(counts.records, K)
    seen: set[AtomKey] = set()
    for block in found:
        assert block.records >= K
        assert block.records == sum(counts.records[a] for a in block.atoms)
        assert not seen & block.atoms
        seen |= block.atoms
