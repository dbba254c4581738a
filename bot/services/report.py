"""Aggregated feedback reports with small-cell suppression (``safevoice report``, dashboard).

A count below ``k`` could point at one young person in a small shelter, so it is hidden.
Hiding it alone is not enough: with the question's total shown, the one hidden cell is the
total minus the others. So we also hide the next smallest cells until the hidden cells
together are at least ``k`` and more than their number (this includes the classic rule
"never exactly one hidden cell", and stops three hidden cells from being 1, 1 and 1).
Weekly counts get the same treatment, and free text appears only where at least ``k``
people answered the question.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal, Protocol

from bot.storage.records import FeedbackFilters, QuestionCount, TextAnswer, ValueCount, WeekCount

__all__ = [
    "DEFAULT_K",
    "Cell",
    "QuestionResult",
    "Report",
    "ReportSource",
    "WeekResult",
    "build_report",
    "render",
    "suppress",
]

DEFAULT_K = 10
HIDDEN = "*"
Format = Literal["table", "csv", "json"]


class ReportSource(Protocol):
    """The part of FeedbackStore a report reads."""

    def aggregate(self, filters: FeedbackFilters | None = None) -> list[ValueCount]: ...
    def respondents(self, filters: FeedbackFilters | None = None) -> list[QuestionCount]: ...
    def weekly_counts(self, filters: FeedbackFilters | None = None) -> list[WeekCount]: ...
    def text_answers(self, filters: FeedbackFilters | None = None) -> list[TextAnswer]: ...


@dataclass(frozen=True, slots=True)
class Cell:
    value: str
    count: int | None  # None when hidden
    suppressed: bool


@dataclass(frozen=True, slots=True)
class QuestionResult:
    service: str | None
    question_key: str
    kind: str
    respondents: int | None  # None when the whole question is hidden
    suppressed: bool
    cells: tuple[Cell, ...] = ()
    texts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WeekResult:
    service: str | None
    iso_week: str
    records: int | None
    suppressed: bool


@dataclass(frozen=True, slots=True)
class Report:
    k: int
    filters: FeedbackFilters = field(default_factory=FeedbackFilters)
    questions: tuple[QuestionResult, ...] = ()
    weeks: tuple[WeekResult, ...] = ()


def suppress(counts: Sequence[int], k: int) -> tuple[list[bool], bool]:
    """Which cells of one distribution to hide, and whether its total must be hidden too.

    Primary: every count in 1..k-1. Secondary: while the hidden cells add up to less than
    ``k``, or to no more than their number (so each must be 1), the total minus the visible
    cells gives them away; hide the smallest visible non-zero cell too. If none is left, the
    total must go.
    """
    hidden = [0 < count < k for count in counts]
    while any(hidden):
        hidden_sum = sum(count for count, h in zip(counts, hidden, strict=True) if h)
        if hidden_sum >= k and hidden_sum > sum(hidden):
            break
        visible = [i for i, count in enumerate(counts) if count > 0 and not hidden[i]]
        if not visible:
            return hidden, True
        hidden[min(visible, key=lambda i: (counts[i], i))] = True
    return hidden, False


def build_report(
    store: ReportSource, filters: FeedbackFilters | None = None, k: int = DEFAULT_K
) -> Report:
    """Everything a staff member may see for ``filters``, with small cells hidden."""
    if k < 1:
        msg = f"k must be at least 1, not {k}"
        raise ValueError(msg)
    filters = filters or FeedbackFilters()
    values: dict[tuple[str | None, str], list[ValueCount]] = defaultdict(list)
    for row in store.aggregate(filters):
        values[(row.service, row.question_key)].append(row)
    texts: dict[tuple[str | None, str], list[str]] = defaultdict(list)
    for text in store.text_answers(filters):
        texts[(text.service, text.question_key)].append(text.value)
    questions = [
        _question(q, values.get((q.service, q.question_key), []), texts, k)
        for q in store.respondents(filters)
    ]
    return Report(k=k, filters=filters, questions=tuple(questions), weeks=_weeks(store, filters, k))


def _question(
    total: QuestionCount,
    rows: list[ValueCount],
    texts: dict[tuple[str | None, str], list[str]],
    k: int,
) -> QuestionResult:
    key = (total.service, total.question_key)
    rows = sorted(rows, key=_value_order)
    hidden, total_hidden = suppress([row.records for row in rows], k)
    if total.respondents < k or total_hidden:
        cells = tuple(Cell(row.value, None, True) for row in rows)
        return QuestionResult(total.service, total.question_key, total.kind, None, True, cells)
    cells = tuple(
        Cell(row.value, None if h else row.records, h) for row, h in zip(rows, hidden, strict=True)
    )
    shown = tuple(texts.get(key, ())) if total.kind == "text" else ()
    return QuestionResult(
        total.service, total.question_key, total.kind, total.respondents, False, cells, shown
    )


def _value_order(row: ValueCount) -> tuple[int, str]:
    # Scales read best in scale order; everything else alphabetically.
    if row.kind == "scale" and row.value.lstrip("-").isdigit():
        return (int(row.value), "")
    return (0, row.value)


def _weeks(store: ReportSource, filters: FeedbackFilters, k: int) -> tuple[WeekResult, ...]:
    by_service: dict[str | None, list[WeekCount]] = defaultdict(list)
    for row in store.weekly_counts(filters):
        by_service[row.service].append(row)
    results: list[WeekResult] = []
    for rows in by_service.values():
        hidden, all_hidden = suppress([row.records for row in rows], k)
        if all_hidden or sum(row.records for row in rows) < k:
            hidden = [True] * len(rows)
        results.extend(
            WeekResult(row.service, row.iso_week, None if h else row.records, h)
            for row, h in zip(rows, hidden, strict=True)
        )
    return tuple(results)


def render(report: Report, fmt: Format = "table") -> str:
    """The report as an aligned text table, CSV or JSON. Hidden counts are ``*`` / null."""
    if fmt == "json":
        return json.dumps(asdict(report), ensure_ascii=False, indent=2)
    if fmt == "csv":
        return _csv(report)
    if fmt == "table":
        return _table(report)
    msg = f"unknown report format {fmt!r}: use table, csv or json"
    raise ValueError(msg)


def _count(count: int | None) -> str:
    return HIDDEN if count is None else str(count)


def _rows(report: Report) -> list[list[str]]:
    """section, service, question, kind, value, count: shared by the table and CSV."""
    rows: list[list[str]] = []
    for q in report.questions:
        service = q.service or "-"
        rows.append(["answered", service, q.question_key, q.kind, "", _count(q.respondents)])
        rows.extend(
            ["value", service, q.question_key, q.kind, c.value, _count(c.count)] for c in q.cells
        )
        rows.extend(["text", service, q.question_key, q.kind, t, ""] for t in q.texts)
    rows.extend(
        ["week", w.service or "-", "", "", w.iso_week, _count(w.records)] for w in report.weeks
    )
    return rows


def _csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "service", "question", "kind", "value", "count"])
    # A text answer starting with "=" or "+" would run as a formula in a spreadsheet.
    writer.writerows([_defuse(cell) for cell in row] for row in _rows(report))
    return out.getvalue()


def _defuse(cell: str) -> str:
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def _table(report: Report) -> str:
    header = ["section", "service", "question", "kind", "value", "count"]
    rows = [header, *_rows(report)]
    # Long free text may overflow its column rather than stretch every other row.
    widths = [max(min(len(row[i]), 40) for row in rows) for i in range(len(header))]
    lines = [
        f"SafeVoice feedback report - counts under {report.k}, and any that would reveal "
        f"them, are shown as {HIDDEN}",
        "",
    ]
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    if not report.questions:
        lines.append("(no feedback matches these filters)")
    return "\n".join(lines) + "\n"
