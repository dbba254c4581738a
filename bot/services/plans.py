"""The suppression plan of one scope (blocks and what each shows), cached per data version.

Working out the blocks (bot/services/disclosure.py) reads every rollup count of the scope
and costs seconds on a million records, while a view of a plan costs milliseconds. So a
plan is kept and reused while the data version (bot/storage/data_version.py) is the one
it was built at. Reuse must never be stale: a view's comment filters leave out the groups
the plan knows to be hidden, so a plan older than the data would not know a brand-new
small group and would let its comments through. Hence an exact version written in the
same transaction as every rollup change, never a guess from the counts, and:

- the version is read BEFORE the counts: counts read later are as new or newer, and
  anything newer has changed the version again, so the next call rebuilds;
- a store without ``data_version`` (or a database without its row) is never cached;
- one plan per (scope, k), replaced when the version differs; a version is random, so
  it names one state of one database's data (two stores of one process, even of two
  databases, never share a plan by mistake).
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from bot.services.disclosure import ByGroup, Release, blocks, release
from bot.storage.records import AtomCounts, AtomKey, FeedbackFilters
from bot.storage.texts import Group

__all__ = ["PLANS", "Plan", "PlanCache", "View"]

# Plans kept: one per (scope, k) in use. One plan of all services at a million records
# holds about 40 MB (tracemalloc, BENCHMARKS.md), so a few only.
CACHED_PLANS = 4


class CountSource(Protocol):
    def atom_counts(self, services: tuple[str, ...] = ()) -> AtomCounts: ...


class Plan:
    """The blocks of one account's scope, and what each shows of each question.

    Shared by threads once built: nothing here changes after ``__init__``."""

    def __init__(self, counts: AtomCounts, k: int) -> None:
        self.k = k
        self.counts = ByGroup(counts)
        self.blocks = blocks(counts.records, k)
        # What each block shows of each question (every block is read to list questions).
        self.released = [release(block, self.counts, k) for block in self.blocks]
        # Every question some block shows, so that a view lists it (hidden where it must)
        # whether or not the young people inside the view answered it.
        listed = {
            (block.service, question, kind)
            for i, block in enumerate(self.blocks)
            for question, kind in self.released[i]
        }
        self.questions = sorted(listed, key=lambda q: (q[0] is not None, q[0] or "", q[1], q[2]))

    def view(self, filters: FeedbackFilters) -> View:
        inside = [i for i, block in enumerate(self.blocks) if block.inside(filters)]
        return View(self, inside)


class View:
    """Sums of whole blocks inside one filter."""

    def __init__(self, plan: Plan, inside: list[int]) -> None:
        self.plan = plan
        self.inside = [plan.blocks[i] for i in inside]
        self.answered: dict[tuple[Group, str], Release] = {}
        self._atoms: dict[Group, set[AtomKey]] = defaultdict(set)
        for i, block in zip(inside, self.inside, strict=True):
            for (question, kind), shown in plan.released[i].items():
                group = (block.service, question)
                self._atoms[group].update(block.atoms)
                sum_ = self.answered.get((group, kind))
                values = dict(sum_.values) if sum_ else {}
                for value, n in shown.values.items():
                    values[value] = values.get(value, 0) + n
                self.answered[(group, kind)] = Release(
                    (sum_.respondents if sum_ else 0) + shown.respondents,
                    values,
                    (sum_.hidden if sum_ else False) or shown.hidden,
                )

    def text_filters(self, group: Group, filters: FeedbackFilters) -> FeedbackFilters:
        """``filters`` for one group's comments, leaving out every group of records the
        query would read whose block is outside the view or does not show the question."""
        service, _ = group
        allowed = self._atoms[group]
        left_out = tuple(
            atom
            for atom in self.plan.counts.records
            if atom.service == service and atom.matches(filters) and atom not in allowed
        )
        return replace(
            filters,
            services=(service,) if service is not None else filters.services,
            exclude=left_out,
        )


class PlanCache:
    """The newest plan of each (scope, k) used lately, with the data version it was built
    at: ``size`` of them, the least recently used dropped first."""

    def __init__(self, size: int = CACHED_PLANS) -> None:
        self.size = size
        self._plans: OrderedDict[tuple[tuple[str, ...], int], tuple[int, Plan]] = OrderedDict()
        self._lock = threading.Lock()  # dashboard views run in worker threads

    def plan(self, store: CountSource, services: tuple[str, ...], k: int) -> Plan:
        """The plan of ``services`` (all if empty) at ``k``, as the data is now."""
        version_of: Callable[[], int | None] | None = getattr(store, "data_version", None)
        version = version_of() if version_of is not None else None  # before the counts
        if version is None:
            return Plan(store.atom_counts(services), k)
        key = (services, k)
        with self._lock:
            found = self._plans.get(key)
            if found is not None and found[0] == version:
                self._plans.move_to_end(key)
                return found[1]
        built = Plan(store.atom_counts(services), k)
        with self._lock:
            # A plan of an older version is never wanted again: this replaces it.
            self._plans[key] = (version, built)
            self._plans.move_to_end(key)
            while len(self._plans) > self.size:
                self._plans.popitem(last=False)
        return built

    def clear(self) -> None:
        with self._lock:
            self._plans.clear()


# The process's cache: build_report, comment_pages and the updates service share it.
PLANS = PlanCache()
