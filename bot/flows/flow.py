"""A loaded flow, and the set of all flows by age band."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from bot.flows.model import FlowHeader
from bot.flows.steps import StepBase

COMMON = "common"
# Flows every age band must reach (its own version or the common one): the safety exits.
REQUIRED_FLOWS = ("start", "menu", "person", "language", "privacy", "forget", "stop")


@dataclass(frozen=True)
class Flow:
    header: FlowHeader
    steps: tuple[StepBase, ...]
    scope: str
    path: str = "<memory>"
    # (line, col) of each step and of each step's fields, for messages to authors.
    positions: dict[tuple[str, ...], tuple[int, int]] = field(default_factory=dict, compare=False)

    @property
    def id(self) -> str:
        return self.header.id

    @property
    def start(self) -> str:
        return self.header.start or self.steps[0].id

    def step(self, step_id: str) -> StepBase | None:
        return next((step for step in self.steps if step.id == step_id), None)

    def where(self, *path: str) -> tuple[int, int]:
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get((), (1, 1))


@dataclass
class FlowSet:
    """Flows by (scope, id); a band's own flow wins over the common one."""

    flows: dict[tuple[str, str], Flow] = field(default_factory=dict)

    def add(self, flow: Flow) -> None:
        self.flows[(flow.scope, flow.id)] = flow

    def resolve(self, band: str | None, flow_id: str) -> Flow | None:
        if band is not None and (band, flow_id) in self.flows:
            return self.flows[(band, flow_id)]
        return self.flows.get((COMMON, flow_id))

    def get(self, scope: str, flow_id: str) -> Flow | None:
        return self.flows.get((scope, flow_id))

    def __iter__(self) -> Iterator[Flow]:
        return iter(sorted(self.flows.values(), key=lambda f: (f.scope, f.id)))

    def scopes(self) -> list[str]:
        return sorted({scope for scope, _ in self.flows})
