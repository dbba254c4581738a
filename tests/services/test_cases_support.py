"""The handoff service wired as production wires it, over memory or a real Redis.

Imported by the other tests/services/test_cases*.py; it holds no tests itself. The
young person talks through the real ConversationService and engine; worker desks are
the test calling the service; the channel's delivery is recorded.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.app import App, load_app
from bot.channels.console import start_preset
from bot.engine.events import Event, Say
from bot.engine.inputs import Input
from bot.runtime import Fixed, build_runtime
from bot.services.cases import HandoffService
from bot.services.conversation import ConversationService, Reply
from bot.services.feedback import FeedbackService
from bot.storage.cases import CaseHub, CaseStore, CaseUpdate
from bot.storage.feedback import FeedbackStore
from bot.storage.memory_cases import MemoryCaseStore
from bot.storage.sessions import SessionStore
from tests.storage.test_case_stores import redis_dump

ROOT = Path(__file__).resolve().parents[2]
SECRET = b"test-secret-for-cases"
CHANNEL = "tg"
CHAT_ID = 987654321  # the young person's Telegram chat (= user) id
# Bucharest is UTC+2 in January: 10:00 on a Wednesday (in hours), and a Sunday.
WEDNESDAY_10 = dt.datetime(2026, 1, 14, 8, 0, tzinfo=dt.UTC)
SUNDAY_12 = dt.datetime(2026, 1, 18, 10, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture(scope="module")
def app() -> App:
    return load_app(ROOT / "config.toml")


@dataclass
class Desk:
    kind: str
    app: App
    service: HandoffService
    conversation: ConversationService
    store: CaseStore
    hub: CaseHub
    sessions: SessionStore
    feedback: FeedbackStore
    clock: Clock
    delivered: list[tuple[str, list[Event]]] = field(default_factory=list)
    audit: list[tuple[str, str, str]] = field(default_factory=list)
    updates: list[CaseUpdate] = field(default_factory=list)
    redis_url: str | None = None
    now_s: list[float] = field(default_factory=lambda: [1000.0])

    # -- the young person -------------------------------------------------------------------
    async def start(self, lang: str = "en", band: str = "13-15", user: int = CHAT_ID) -> list[str]:
        """Begin with language and age band chosen (like `safevoice chat`)."""
        return says(await start_preset(self.conversation, CHANNEL, user, lang, band))

    async def say(self, text: str, user: int = CHAT_ID) -> Reply:
        return await self.conversation.handle(CHANNEL, user, Input.text(text))

    async def command(self, name: str, user: int = CHAT_ID) -> Reply:
        return await self.conversation.handle(CHANNEL, user, Input.command(name))

    async def press(self, value: str, step: str | None, user: int = CHAT_ID) -> Reply:
        return await self.conversation.handle(CHANNEL, user, Input.button(value, step))

    async def ask_for_person(self, user: int = CHAT_ID) -> Reply:
        return await self.command("person", user)

    # -- what happened ----------------------------------------------------------------------
    def told(self, address: str = str(CHAT_ID)) -> list[str]:
        """Everything delivered to that chat outside its own turns, as text."""
        return [e.text for a, events in self.delivered if a == address for e in events
                if isinstance(e, Say)]  # fmt: skip

    async def settle(self) -> None:
        await asyncio.sleep(0.05 if self.kind == "redis" else 0)

    async def expire(self, seconds: float) -> None:
        """Let TTLs run: the memory store's clock moves; Redis really waits."""
        if self.kind == "redis":
            await asyncio.sleep(seconds)
        else:
            self.now_s[0] += seconds

    def dump(self) -> dict[str, str]:
        if self.redis_url:
            return redis_dump(self.redis_url)
        assert isinstance(self.store, MemoryCaseStore)
        return self.store.snapshot()


def says(events: Sequence[Event]) -> list[str]:
    return [e.text for e in events if isinstance(e, Say)]


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def desk(request: pytest.FixtureRequest, app: App) -> AsyncIterator[Desk]:
    clock = Clock(WEDNESDAY_10)
    url: str | None = None
    now_s = [1000.0]
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
    audit: list[tuple[str, str, str]] = []
    runtime = build_runtime(
        app.with_secret(SECRET),
        "test",
        database_url="sqlite://",
        redis_url=url,
        fixed=Fixed(
            clock=clock,
            ttl_clock=lambda: now_s[0],
            feedback=lambda store: FeedbackService(store, today=lambda: clock.now.date()),
            audit=lambda actor, action, detail: audit.append((actor, action, detail)),
        ),
    )
    service = runtime.cases
    made = Desk(
        request.param, app, service, runtime.conversation, service.store, service.hub,
        runtime.sessions, runtime.store, clock, audit=audit, redis_url=url, now_s=now_s,
    )  # fmt: skip

    async def deliver(address: str, events: Sequence[Event]) -> None:
        made.delivered.append((address, list(events)))

    service.deliverers[CHANNEL] = deliver

    async def listen() -> None:
        async with service.subscribe() as updates:
            async for update in updates:
                made.updates.append(update)

    listener = asyncio.create_task(listen())
    await asyncio.sleep(0.05)
    yield made
    listener.cancel()
    await asyncio.gather(listener, return_exceptions=True)
    await runtime.close()
