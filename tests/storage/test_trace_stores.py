"""One suite for every TraceStore: memory, and a real Redis server.

A trace is where a chat began (the channel's first message id and time) for Telegram's
48 hours, kept apart from the 30-minute session. ``peer`` is another process.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest
from redis.asyncio import Redis

from bot.storage.redis_traces import RedisTraceStore
from bot.storage.traces import MemoryTraceStore, TraceStore

KEY = "9f" * 32  # real keys are HMAC-SHA256 hex digests


@dataclass
class Case:
    store: TraceStore
    peer: Callable[[], TraceStore]
    advance: Callable[[float], object]


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def case(request: pytest.FixtureRequest) -> AsyncIterator[Case]:
    if request.param == "memory":
        now = [1000.0]

        async def advance(seconds: float) -> None:
            now[0] += seconds

        store = MemoryTraceStore(ttl=2.0, clock=lambda: now[0])
        yield Case(store, lambda: store, advance)
        return
    url = request.getfixturevalue("redis_url")
    clients: list[Redis] = []

    def make() -> TraceStore:
        clients.append(Redis.from_url(url))
        return RedisTraceStore(clients[-1], ttl=2.0)

    async def wait(seconds: float) -> None:
        await asyncio.sleep(seconds)

    yield Case(make(), make, wait)
    for client in clients:
        await client.aclose()


async def test_the_first_contact_is_kept_and_later_ones_see_it(case: Case) -> None:
    assert await case.store.remember(KEY, {"first": {"m0": 5, "t0": 100}}) is None
    again = await case.peer().remember(KEY, {"first": {"m0": 90, "t0": 900}})
    assert again == {"first": {"m0": 5, "t0": 100}}
    assert await case.store.get(KEY) == {"first": {"m0": 5, "t0": 100}}  # not replaced


async def test_a_trace_lasts_its_ttl_from_first_contact_only(case: Case) -> None:
    await case.store.remember(KEY, {"first": {"m0": 1}})
    await case.advance(1.0)
    await case.store.remember(KEY, {"first": {"m0": 2}})  # does not extend it
    await case.advance(1.5)
    assert await case.peer().get(KEY) is None
    assert await case.store.remember(KEY, {"first": {"m0": 3}}) is None


async def test_delete_forgets_the_chat(case: Case) -> None:
    await case.store.remember(KEY, {"first": {"m0": 1}})
    await case.peer().delete(KEY)
    assert await case.store.get(KEY) is None
    assert await case.store.remember(KEY, {"first": {"m0": 7}}) is None


async def test_chats_do_not_mix(case: Case) -> None:
    await case.store.remember(KEY, {"first": {"m0": 1}})
    assert await case.store.get("ab" * 32) is None
