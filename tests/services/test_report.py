"""Small-cell suppression, hand-computed, and the three renderings of a report."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.runtime import open_database
from bot.services.report import Cell, QuestionResult, Report, build_report, render, suppress
from bot.storage import Answer, FeedbackFilters, FeedbackRecord, FeedbackStore

W10 = dt.date(2024, 3, 4)
W11 = dt.date(2024, 3, 11)

# ---- the rule itself ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "k", "hidden", "total_hidden"),
    [
        # nothing small: nothing hidden
        ([20, 15], 10, [False, False], False),
        # one small cell: 25 - 12 would give the 3 away, so the next smallest (12) goes too
        ([12, 3, 25], 10, [True, True, False], False),
        # ties: the first of the smallest
        ([4, 12, 12], 10, [True, True, False], False),
        # the next smallest, not the neighbour
        ([9, 30, 11], 10, [True, False, True], False),
        # two small cells adding up to k: "ok + bad = 10" does not tell either one
        ([20, 5, 5], 10, [False, True, True], False),
        # two small cells adding up to 7 < k: they are a small cell together, so 20 goes too
        ([3, 4, 20], 10, [True, True, True], False),
        # three hidden cells that add up to 3 must each be 1: hide one more
        ([1, 1, 1, 20], 3, [True, True, True, True], False),
        # a zero stays visible and is never picked as the complement
        ([0, 3, 10], 5, [False, True, True], False),
        # nothing can cover a lone small cell: the total has to go
        ([3], 10, [True], True),
        # k = 1 hides nothing
        ([1, 1, 2], 1, [False, False, False], False),
    ],
)
def test_suppress_hand_computed(
    counts: list[int], k: int, hidden: list[bool], total_hidden: bool
) -> None:
    assert suppress(counts, k) == (hidden, total_hidden)


@given(st.lists(st.integers(1, 40), min_size=1, max_size=7), st.integers(2, 15))
def test_hidden_cells_cannot_be_worked_out_from_the_total(counts: list[int], k: int) -> None:
    total = sum(counts)
    hidden, total_hidden = suppress(counts, k)
    assert all(h for c, h in zip(counts, hidden, strict=True) if c < k)  # primary
    if total_hidden or not any(hidden):
        return
    # What a reader knows: the total, the visible cells, and that a hidden cell is at least 1.
    hidden_total = total - sum(c for c, h in zip(counts, hidden, strict=True) if not h)
    n_hidden = sum(hidden)
    # Never one hidden cell alone (it would be the total minus the visible cells); together
    # the hidden cells are no small cell; and each could be any value from 1 to
    # hidden_total - (n_hidden - 1), which is more than one value.
    assert n_hidden >= 2
    assert hidden_total >= k
    assert hidden_total - n_hidden + 1 > 1


def brute_force_is_determined(visible_total: int, n_hidden: int) -> bool:
    """True when every way to split ``visible_total`` over the hidden cells (each >= 1) gives
    the first hidden cell the same value."""
    values = {
        split[0]
        for split in itertools.product(range(1, visible_total + 1), repeat=n_hidden)
        if sum(split) == visible_total
    }
    return len(values) == 1


@pytest.mark.parametrize(("counts", "k"), [([12, 3, 25], 10), ([1, 1, 1, 20], 3), ([5, 5, 30], 10)])
def test_brute_force_confirms_no_cell_is_determined(counts: list[int], k: int) -> None:
    hidden, _ = suppress(counts, k)
    hidden_total = sum(c for c, h in zip(counts, hidden, strict=True) if h)
    assert not brute_force_is_determined(hidden_total, sum(hidden))


# ---- a report from a real store --------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[FeedbackStore]:
    config = Path(__file__).resolve().parents[2] / "config.toml"
    with open_database(config, url=f"sqlite:///{tmp_path}/feedback.db") as database:
        yield database.store


def add(
    store: FeedbackStore, n: int, *answers: Answer, service: str = "shelter", day: dt.date = W10
) -> None:
    for _ in range(n):
        store.add(
            FeedbackRecord.build(
                flow_id="feedback",
                flow_version=1,
                age_band="13-17",
                language="en",
                service=service,
                answers=answers,
                today=day,
            )
        )


def question(report: Report, service: str, key: str) -> QuestionResult:
    [found] = [q for q in report.questions if q.service == service and q.question_key == key]
    return found


@pytest.fixture
def report(store: FeedbackStore) -> Report:
    # shelter: 30 records, W10 has 26 and W11 has 4
    add(store, 12, Answer("safe", "yes_no", "yes"), Answer("food", "choice", "good"))
    add(store, 3, Answer("safe", "yes_no", "no"), Answer("food", "choice", "good"))
    add(store, 5, Answer("food", "choice", "good"), Answer("say", "text", "more games please"))
    add(store, 6, Answer("food", "choice", "ok"), Answer("say", "text", "call 0721 234 567 =1+1"))
    add(store, 4, Answer("food", "choice", "bad"), Answer("staff", "scale", "2"), day=W11)
    # health: a handful
    add(store, 3, Answer("safe", "yes_no", "yes"), Answer("say", "text", "nice"), service="health")
    return build_report(store, FeedbackFilters(), k=10)


def test_one_small_cell_takes_its_complement_with_it(report: Report) -> None:
    # W10 is a block of 26; W11's 4 wait for more. safe: yes 12, no 3: 15 - 12 would
    # give the 3 away, so both go, and neither is listed.
    safe = question(report, "shelter", "safe")
    assert (safe.respondents, safe.cells, safe.partial) == (15, (), True)


def test_small_cells_that_add_up_to_k_stay_hidden_alone(store: FeedbackStore) -> None:
    add(store, 20, Answer("food", "choice", "good"))
    add(store, 5, Answer("food", "choice", "ok"))
    add(store, 5, Answer("food", "choice", "bad"))
    food = question(build_report(store, k=10), "shelter", "food")
    # ok + bad = 10 >= k, so good stays visible; the hidden two are not listed
    assert (food.respondents, food.cells, food.partial) == (30, (Cell("good", 20, False),), True)


def test_questions_no_block_shows_are_not_listed(report: Report) -> None:
    # "staff" was answered only by W11's 4, health had 3 records in all: nothing says
    # they exist, not even which answers were given.
    listed = {(q.service, q.question_key) for q in report.questions}
    assert listed == {("shelter", "safe"), ("shelter", "food"), ("shelter", "say")}
    assert not [w for w in report.weeks if w.service == "health"]


def test_free_text_only_where_at_least_k_answered(report: Report) -> None:
    say = question(report, "shelter", "say")
    assert say.respondents == 11
    assert say.texts == ("call [phone] =1+1",) * 6 + ("more games please",) * 5


def test_the_newest_weeks_wait_until_k_have_answered(report: Report) -> None:
    shelter = [(w.first_week, w.iso_week, w.records) for w in report.weeks]
    assert shelter == [("2024-W10", "2024-W10", 26)]


def test_filters_reach_the_store(store: FeedbackStore) -> None:
    add(store, 10, Answer("safe", "yes_no", "yes"))
    add(store, 10, Answer("safe", "yes_no", "yes"), day=W11)
    only_w11 = build_report(store, FeedbackFilters(week_from="2024-W11"), k=10)
    assert question(only_w11, "shelter", "safe").respondents == 10
    assert [(w.iso_week, w.records) for w in only_w11.weeks] == [("2024-W11", 10)]


def test_k_must_be_positive(store: FeedbackStore) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        build_report(store, k=0)


# ---- rendering ---------------------------------------------------------------------------


def test_render_json(report: Report) -> None:
    data = json.loads(render(report, "json"))
    assert data["k"] == 10
    safe = next(
        q for q in data["questions"] if (q["service"], q["question_key"]) == ("shelter", "safe")
    )
    assert (safe["respondents"], safe["cells"], safe["partial"]) == (15, [], True)
    assert "text_filters" not in data


def test_render_csv_hides_counts_and_defuses_formulas(report: Report) -> None:
    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    held = next(r for r in rows if r["question"] == "safe" and r["section"] == "held-back")
    assert held["count"] == "*"
    assert not [r for r in rows if r["question"] == "safe" and r["section"] == "value"]
    assert not any(r["value"].startswith(("=", "+", "-", "@")) for r in rows)


def test_render_csv_defuses_a_leading_formula(store: FeedbackStore) -> None:
    add(store, 10, Answer("say", "text", "=HYPERLINK(1)"))
    text = render(build_report(store, k=10), "csv")
    assert "'=HYPERLINK(1)" in text


def test_render_table(report: Report) -> None:
    table = render(report, "table")
    assert "shown as *" in table
    assert "more games please" in table
    assert "nice" not in table  # health's 3 text answers stay out
    line = next(line for line in table.splitlines() if "held-back" in line and "safe" in line)
    assert line.split()[-1] == "*"


def test_render_empty_and_unknown_format(store: FeedbackStore) -> None:
    empty = build_report(store, k=10)
    assert "no feedback matches" in render(empty, "table")
    with pytest.raises(ValueError, match="unknown report format"):
        render(empty, "xml")  # type: ignore[arg-type]


def test_a_key_asked_as_two_kinds_is_never_mixed(store: FeedbackStore) -> None:
    # If the flow check were bypassed (or old records hold a key under another kind), a
    # key answered as a choice in one band and as free text in another stays two questions.
    for band, answer in (
        ("8-12", Answer("improve", "choice", "more_time")),
        ("13-15", Answer("improve", "text", "longer visits")),
    ):
        for _ in range(12):
            store.add(
                FeedbackRecord.build(
                    flow_id="feedback",
                    flow_version=1,
                    age_band=band,
                    language="en",
                    service="shelter",
                    answers=[answer],
                    today=W10,
                )
            )
    report = build_report(store, FeedbackFilters(), k=10)
    improve = [q for q in report.questions if q.question_key == "improve"]
    assert sorted(q.kind for q in improve) == ["choice", "text"]
    [choice] = [q for q in improve if q.kind == "choice"]
    [text] = [q for q in improve if q.kind == "text"]
    assert (choice.respondents, choice.cells, choice.texts) == (
        12,
        (Cell("more_time", 12, False),),
        (),
    )
    assert (text.respondents, text.cells, text.texts) == (12, (), ("longer visits",) * 12)
