"""Driving the real conversation service from synchronous (Hypothesis) tests.

Hypothesis cannot run async tests itself, so a test gets a `Service`: the "test"
runtime's services (bot/runtime.py builds them, as everywhere) and an event loop of its
own to run each turn on.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.app import App
from bot.engine.inputs import Input
from bot.runtime import Runtime, build_runtime
from bot.services.conversation import Reply

T = TypeVar("T")
CHANNEL = "properties"


@dataclass
class Service:
    loop: asyncio.AbstractEventLoop
    runtime: Runtime
    users: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    def turns(self, opening: tuple[str, str], lang: str, inputs: list[Input]) -> list[Reply]:
        """A new chat opened at `opening` (band, flow id) in `lang`, then `inputs`."""
        return self.run(self._turns(opening, lang, inputs))

    async def _turns(self, opening: tuple[str, str], lang: str, inputs: list[Input]) -> list[Reply]:
        conversation, user = self.runtime.conversation, next(self.users)
        band, flow = opening
        await conversation.open_at(CHANNEL, user, lang, band, flow)
        return [await conversation.handle(CHANNEL, user, inp) for inp in inputs]


@contextmanager
def service_for(app: App) -> Iterator[Service]:
    loop = asyncio.new_event_loop()

    async def build() -> Runtime:
        return build_runtime(app, "test", database_url="sqlite://")

    service = Service(loop, loop.run_until_complete(build()))
    try:
        yield service
    finally:
        loop.run_until_complete(service.runtime.close())
        loop.close()


def openings(app: App) -> list[tuple[str, str]]:
    """Every flow a conversation can be opened at, in every band that has it."""
    flow_ids = sorted({flow.id for flow in app.flows})
    return [
        (band, flow_id)
        for band in app.config.band_ids
        for flow_id in flow_ids
        if app.flows.resolve(band, flow_id) is not None
    ]
