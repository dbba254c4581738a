"""Aggregated feedback reports with small-group suppression (``safevoice report``, dashboard).

A count below ``k`` could point at one young person in a small shelter, so it is never
shown, nor anything that would give it away: not the question's total minus the other
answers, and not one view minus another. Every view is added up from the same blocks of
at least ``k`` records (bot/services/disclosure.py explains how, and why no subtraction
undoes it; docs/privacy.md gives the guarantee and its limits). Per view and question:
who answered (a sum of blocks), each answer that some block shows (answers a block hides
are not listed, and ``partial`` says some are held back), and, for free text, comments
only from the blocks that show the question: at most ``COMMENTS_PER_GROUP`` per (service,
question), the newest weeks' first, shown sorted by text, with the number left out
(``more_texts``). The rest of a group pages through ``comment_pages`` (admin and full
exports). Responses over time come per period: the weeks of each block.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal, Protocol

from bot.services.disclosure import suppress
from bot.services.plans import PLANS, View
from bot.storage.records import AtomCounts, FeedbackFilters
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
    "period",
    "render",
    "suppress",
]

DEFAULT_K = 10
# Comments read and shown per (service, question): a page of reading, not an archive.
COMMENTS_PER_GROUP = 20
HIDDEN = "*"
Format = Literal["table", "csv", "json"]


class ReportSource(Protocol):
    """The part of FeedbackStore a report reads. A source with ``data_version()`` too
    (FeedbackStore) has its plans reused while that stays the same (plans.py)."""

    def atom_counts(self, services: tuple[str, ...] = ()) -> AtomCounts: ...
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
    partial: bool = False  # some answers are held back: they would reveal a small group


@dataclass(frozen=True, slots=True)
class WeekResult:
    """Responses in a period: the weeks ``first_week`` to ``iso_week`` of some blocks."""

    service: str | None
    iso_week: str  # the period's last week
    records: int | None
    suppressed: bool
    first_week: str = ""


@dataclass(frozen=True, slots=True)
class Report:
    k: int
    filters: FeedbackFilters = field(default_factory=FeedbackFilters)
    questions: tuple[QuestionResult, ...] = ()
    weeks: tuple[WeekResult, ...] = ()
    # Per (service, question): the filters the comments were read with (the view's, less
    # the groups of blocks that do not show the question); never rendered.
    text_filters: dict[Group, FeedbackFilters] = field(default_factory=dict, compare=False)


def build_report(
    store: ReportSource,
    filters: FeedbackFilters | None = None,
    k: int = DEFAULT_K,
    comments: int | None = COMMENTS_PER_GROUP,
) -> Report:
    """Everything a staff member may see for ``filters``, with small groups hidden.

    ``comments``: at most this many comments per (service, question); None for all.
    """
    _check_k(k)
    filters = filters or FeedbackFilters()
    plan = PLANS.plan(store, filters.services, k)
    view = plan.view(filters)
    text_filters = {
        group: view.text_filters(group, filters) for group, kind in view.answered if kind == "text"
    }
    texts = {
        group: found
        for group, scoped in text_filters.items()
        for found in store.text_samples(scoped, [group], comments)
    }
    questions = []
    for service, key, kind in plan.questions:
        shown = view.answered.get(((service, key), kind))
        if shown is None:
            questions.append(QuestionResult(service, key, kind, None, True))
            continue
        cells = tuple(
            Cell(value, n, False)
            for value, n in sorted(shown.values.items(), key=lambda vn: _value_order(kind, vn[0]))
        )
        group = texts.get((service, key)) if kind == "text" else None
        sample = group.texts if group else ()
        more = max(0, shown.respondents - group.records) if group else 0
        questions.append(
            QuestionResult(
                service, key, kind, shown.respondents, False, cells, sample, more, shown.hidden
            )
        )
    return Report(
        k=k,
        filters=filters,
        questions=tuple(questions),
        weeks=periods(view),
        text_filters=text_filters,
    )


def periods(view: View) -> tuple[WeekResult, ...]:
    """Responses per period: the weeks of each block inside the view."""
    summed: dict[tuple[str | None, str, str], int] = defaultdict(int)
    for block in view.inside:
        summed[(block.service, block.first_week, block.last_week)] += block.records
    return tuple(
        WeekResult(service, last, n, False, first)
        for (service, first, last), n in sorted(
            summed.items(), key=lambda item: (item[0][0] or "", item[0][1], item[0][2])
        )
    )


def comment_pages(
    store: CommentSource,
    filters: FeedbackFilters | None,
    group: Group,
    k: int = DEFAULT_K,
    size: int = 500,
) -> Iterator[tuple[str, ...]]:
    """Every comment of one (service, question), a page at a time, in random order.

    Only comments the report for ``filters`` would draw from: those of blocks inside the
    view that show the question (the same rule as ``build_report``); for admins and full
    exports.
    """
    _check_k(k)
    service, _ = group
    filters = filters or FeedbackFilters()
    if filters.services and service not in filters.services:
        return  # outside the account's scope ("no service" is never inside a scope)
    view = PLANS.plan(store, filters.services, k).view(filters)
    if (group, "text") not in view.answered:
        return
    scoped = view.text_filters(group, filters)
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


def _value_order(kind: str, value: str) -> tuple[int, str]:
    # Scales read best in scale order; everything else alphabetically.
    if kind == "scale" and value.lstrip("-").isdigit():
        return (int(value), "")
    return (0, value)


def render(report: Report, fmt: Format = "table") -> str:
    """The report as an aligned text table, CSV or JSON. Hidden counts are ``*`` / null."""
    if fmt == "json":
        data = asdict(report)
        del data["text_filters"]
        return json.dumps(data, ensure_ascii=False, indent=2)
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
        if q.partial:
            rows.append(["held-back", service, q.question_key, q.kind, "", HIDDEN])
    rows.extend(
        ["week", w.service or "-", "", "", period(w), _count(w.records)] for w in report.weeks
    )
    return rows


def period(week: WeekResult, joiner: str = "..") -> str:
    """The weeks of a period: one week as it is, several as first, ``joiner``, last."""
    first = week.first_week or week.iso_week
    return week.iso_week if first == week.iso_week else f"{first}{joiner}{week.iso_week}"


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
