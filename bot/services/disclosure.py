"""Which counts a view may show, so that no subtraction of views reveals a small group.

Suppression inside one table is not enough when staff can ask for many views: with all
bands showing 63 answers and each older band 20, the 8-12 band's 3 follow by
subtraction, however well the 8-12 view itself hides them. So every view is built from
the same **blocks**, fixed before any filter is applied:

- records are grouped by everything a filter can select (service, flow, age band,
  language, ISO week: ``AtomKey``); a block joins whole groups, so it has one service and
  a run of consecutive weeks, and it is released only if it holds at least ``k`` records;
- for each (service, flow, band, language) the weeks are joined, oldest first, into runs
  of at least ``k`` records; the newest run, while it has fewer, is held back until it
  has ``k`` (so answers appear k at a time and earlier blocks never change); where a
  whole series never reaches ``k``, its languages are joined, then its age bands, then
  its flows; what still has fewer than ``k`` at a service is never shown;
- a view counts a block only if the block lies wholly inside the filter (a block of
  several languages counts in the all-languages view, not in the Arabic one).

So every count a view shows is a sum of whole, disjoint blocks of at least ``k``, and so
is every count worked out by adding and subtracting views: a set of records whose count
follows from views is a union of blocks (blocks are disjoint, so a combination of their
counts counts a set only when it takes each block once or not at all). Inside a block,
each question is a table of its own: shown only if at least ``k`` of the block answered
it and the block's other records (who did not) are none or at least ``k``; its answers
hidden by the primary and secondary rule of ``suppress``, and a hidden answer counts in
no view, so a view's count of an answer is a sum of shown block cells, each at least
``k``. Hidden answers are not listed, so a hidden group never says which answers occurred.

The limits are in docs/privacy.md: views at two moments differ by what arrived between
them (at least k at a time, by the rule above), a purge can move block boundaries, and
the options of one 'multi' question overlap, so their counts are not a partition.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.storage.records import AtomCounts, AtomKey, FeedbackFilters

__all__ = ["Block", "ByGroup", "Release", "blocks", "release", "suppress"]

# What is joined, in turn, when a series has fewer than k records in all: first its
# languages, then its age bands, then its flows (the service is never joined).
_SERIES = (
    lambda a: (a.flow_id, a.age_band, a.language),
    lambda a: (a.flow_id, a.age_band),
    lambda a: (a.flow_id,),
    lambda a: (),
)


@dataclass(frozen=True, slots=True)
class Block:
    service: str | None
    flows: frozenset[str]
    bands: frozenset[str]
    languages: frozenset[str]
    first_week: str
    last_week: str
    atoms: frozenset[AtomKey]
    records: int

    def inside(self, filters: FeedbackFilters) -> bool:
        """Whether every record of the block matches ``filters``."""
        return (
            (not filters.services or self.service in filters.services)
            and _only(self.bands, filters.age_band)
            and _only(self.languages, filters.language)
            and _only(self.flows, filters.flow_id)
            and (filters.week_from is None or self.first_week >= filters.week_from)
            and (filters.week_to is None or self.last_week <= filters.week_to)
        )


def _only(values: frozenset[str], wanted: str | None) -> bool:
    return wanted is None or values == {wanted}


def suppress(counts: list[int], k: int) -> tuple[list[bool], bool]:
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


def blocks(records: Mapping[AtomKey, int], k: int) -> list[Block]:
    """The blocks of at least ``k`` records that views are built from (module docstring)."""
    by_service: dict[str | None, list[AtomKey]] = defaultdict(list)
    for atom, n in records.items():
        if n > 0:
            by_service[atom.service].append(atom)
    found: list[Block] = []
    for service in sorted(by_service, key=lambda s: (s is not None, s or "")):
        pending = by_service[service]
        for series_of in _SERIES:
            series: dict[tuple[str, ...], list[AtomKey]] = defaultdict(list)
            for atom in pending:
                series[series_of(atom)].append(atom)
            pending = []
            for key in sorted(series):
                made = _runs(service, series[key], records, k)
                if made:
                    found.extend(made)
                else:
                    pending.extend(series[key])  # never k in all: join it with others
    return found


def _runs(
    service: str | None, atoms: list[AtomKey], records: Mapping[AtomKey, int], k: int
) -> list[Block]:
    """Consecutive weeks of one series joined into runs of at least ``k`` records; the
    newest run, while short, is left out (it is shown once it reaches ``k``)."""
    by_week: dict[str, list[AtomKey]] = defaultdict(list)
    for atom in atoms:
        by_week[atom.iso_week].append(atom)
    made: list[Block] = []
    run: list[AtomKey] = []
    weeks: list[str] = []
    for week in sorted(by_week):
        run.extend(by_week[week])
        weeks.append(week)
        total = sum(records[a] for a in run)
        if total >= k:
            made.append(
                Block(
                    service,
                    frozenset(a.flow_id for a in run),
                    frozenset(a.age_band for a in run),
                    frozenset(a.language for a in run),
                    weeks[0],
                    weeks[-1],
                    frozenset(run),
                    total,
                )
            )
            run, weeks = [], []
    return made


@dataclass(frozen=True, slots=True)
class Release:
    """What one block shows of one question: who answered, and the answers not hidden."""

    respondents: int
    values: dict[str, int] = field(default_factory=dict)
    hidden: bool = False  # some answers are held back


class ByGroup:
    """The rollup's counts indexed by group, read once per report."""

    def __init__(self, counts: AtomCounts) -> None:
        self.records = counts.records
        self.answered: dict[AtomKey, list[tuple[str, str, int]]] = defaultdict(list)
        self.given: dict[AtomKey, list[tuple[str, str, str, int]]] = defaultdict(list)
        for (atom, question, kind), n in counts.respondents.items():
            self.answered[atom].append((question, kind, n))
        for (atom, question, kind, value), n in counts.values.items():
            self.given[atom].append((question, kind, value, n))


def release(block: Block, counts: ByGroup, k: int) -> dict[tuple[str, str], Release]:
    """Per (question, kind): what ``block`` shows; a question it hides is left out."""
    answered: dict[tuple[str, str], int] = defaultdict(int)
    given: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for atom in block.atoms:
        for question, kind, n in counts.answered.get(atom, ()):
            answered[(question, kind)] += n
        for question, kind, value, n in counts.given.get(atom, ()):
            given[(question, kind)][value] += n
    shown: dict[tuple[str, str], Release] = {}
    for (question, kind), n in answered.items():
        silent = block.records - n  # the block's records that did not answer it
        if n < k or 0 < silent < k:
            continue
        values = given.get((question, kind), {})
        order = sorted(values)
        hidden, whole = suppress([values[v] for v in order], k)
        if whole:
            continue
        kept = {v: values[v] for v, h in zip(order, hidden, strict=True) if not h}
        shown[(question, kind)] = Release(n, kept, any(hidden))
    return shown
