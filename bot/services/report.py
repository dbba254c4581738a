"""Aggregated feedback reports with small-cell suppression (``safevoice report``, dashboard).

A count below ``k`` could point at one young person in a small shelter, so it is hidden.
Hiding it alone is not enough: with the question's total shown, the one hidden cell is the
total minus the others. So we also hide the next smallest cells until the hidden cells
together are at least ``k`` and more than their number (this includes the classic rule
"never exactly one hidden cell", and stops three hidden cells from being 1, 1 and 1).
Weekly counts get the same treatment, and free text appears only where at least ``k``
people answered the question: which groups qualify is read from the rollup before any
comment is, and at most ``COMMENTS_PER_GROUP`` comments (the newest weeks' first, shown
sorted by text) are read per group, with the number left out (``more_texts``). The rest
of a group pages through ``comment_pages`` (admin and full exports).
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Literal, Protocol

from bot.storage.records import FeedbackFilters, QuestionCount, ValueCount, WeekCount
from bot.storage.texts import Group, TextCursor, TextGroup, TextPage

__all__ = [
    "COMMENTS_PER_GROUP",
    "DEFAULT_K",
    "Cell",
    "QuestionResult",
    "Report",
    "ReportSource",
    "WeekResult",
    "build_report",
    "comment_pages",
    "render",
    "suppress",
]

DEFAULT_K = 10
# Comments read and shown per (service, question): a page of reading, not an archive.
COMMENTS_PER_GROUP = 20
HIDDEN = "*"
Format = Literal["table", "csv", "json"]


class ReportSource(Protocol):
    """The part of FeedbackStore a report reads."""

    def aggregate(self, filters: FeedbackFilters | None = None) -> list[ValueCount]: ...
    def respondents(self, filters: FeedbackFilters | None = None) -> list[QuestionCount]: ...
    def weekly_counts(self, filters: FeedbackFilters | None = None) -> list[WeekCount]: ...
    def text_samples(
        self, filters: FeedbackFilters | None, groups: Sequence[Group], per_group: int | None
    ) -> list[TextGroup]: ...


class CommentSource(ReportSource, Protocol):
    def text_page(
        self, filters: FeedbackFilters | None, group: Group, after: TextCursor | None, size: int
    ) -> TextPage: ...


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
    more_texts: int = 0  # respondents whose comments are not among ``texts``


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
    store: ReportSource,
    filters: FeedbackFilters | None = None,
    k: int = DEFAULT_K,
    comments: int | None = COMMENTS_PER_GROUP,
) -> Report:
    """Everything a staff member may see for ``filters``, with small cells hidden.

    ``comments``: at most this many comments per (service, question); None for all.
    """
    _check_k(k)
    filters = filters or FeedbackFilters()
    values: dict[Group, list[ValueCount]] = defaultdict(list)
    for row in store.aggregate(filters):
        values[(row.service, row.question_key)].append(row)
    totals = store.respondents(filters)
    shown = [(q.service, q.question_key) for q in totals if q.kind == "text" and q.respondents >= k]
    texts = {
        (group.service, group.question_key): group
        for group in (store.text_samples(filters, shown, comments) if shown else [])
    }
    questions = [
        _question(q, values.get((q.service, q.question_key), []), texts, k) for q in totals
    ]
    return Report(k=k, filters=filters, questions=tuple(questions), weeks=_weeks(store, filters, k))


def comment_pages(
    store: CommentSource,
    filters: FeedbackFilters | None,
    group: Group,
    k: int = DEFAULT_K,
    size: int = 500,
) -> Iterator[tuple[str, ...]]:
    """Every comment of one (service, question), a page at a time, in random order.

    Nothing at all unless the rollup says at least ``k`` people answered it under
    ``filters`` (the same rule as ``build_report``); for admins and full exports.
    """
    _check_k(k)
    service, key = group
    filters = filters or FeedbackFilters()
    if filters.services and service not in filters.services:
        return  # outside the account's scope ("no service" is never inside a scope)
    scoped = replace(filters, services=(service,) if service is not None else ())
    answered = sum(
        q.respondents
        for q in store.respondents(scoped)
        if (q.service, q.question_key, q.kind) == (service, key, "text")
    )
    if answered < k:
        return
    after: TextCursor | None = None
    while True:
        page = store.text_page(scoped, group, after, size)
        if page.texts:
            yield page.texts
        if page.after is None:
            return
        after = page.after


def _check_k(k: int) -> None:
    if k < 1:
        msg = f"k must be at least 1, not {k}"
        raise ValueError(msg)


def _question(
    total: QuestionCount,
    rows: list[ValueCount],
    texts: dict[Group, TextGroup],
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
    group = texts.get(key) if total.kind == "text" else None
    shown, more = (group.texts, max(0, total.respondents - group.records)) if group else ((), 0)
    return QuestionResult(
        total.service, total.question_key, total.kind, total.respondents, False, cells, shown, more
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
        if q.more_texts:
            rows.append(["more-text", service, q.question_key, q.kind, "", str(q.more_texts)])
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
