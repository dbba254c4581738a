"""One suite for every DeadLetterStore: memory, and a real Redis server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.storage.dead_letters import DeadLetterStore, MemoryDeadLetters
from bot.storage.redis_dead_letters import RedisDeadLetters


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def make(request: pytest.FixtureRequest) -> AsyncIterator[Callable[..., DeadLetterStore]]:
    clients: list[Redis] = []
    if request.param == "memory":

        def build(**options: Any) -> DeadLetterStore:
            return MemoryDeadLetters(**options)

    else:
        url = request.getfixturevalue("redis_url")

        def build(**options: Any) -> DeadLetterStore:
            clients.append(Redis.from_url(url))
            return RedisDeadLetters(clients[-1], url, **options)

    yield build
    for client in clients:
        await client.aclose()


async def test_records_kind_and_error_newest_first(make: Callable[..., DeadLetterStore]) -> None:
    store = make()
    await store.add("tg:1", "message", "ValidationError")
    await store.add("tg:1", "callback_query", "KeyError")
    got = await store.recent("tg:1")
    assert [(d.kind, d.error) for d in got] == [
        ("callback_query", "KeyError"),
        ("message", "ValidationError"),
    ]
    assert all(len(d.at) == len("2026-01-01T10:00Z") for d in got)
    assert await store.recent("tg:2") == []  # per source (bot)


async def test_only_names_are_written(make: Callable[..., DeadLetterStore]) -> None:
    store = make()
    await store.add("tg:1", "my phone is +40799111222", "Error: Zenobia wrote this")
    [got] = await store.recent("tg:1")
    assert (got.kind, got.error) == ("unknown", "unknown")


async def test_capped_and_expiring(make: Callable[..., DeadLetterStore]) -> None:
    store = make(keep=3, ttl=0.3)
    for n in range(5):
        await store.add("tg:1", "message", f"Error{n}")
    assert [d.error for d in await store.recent("tg:1")] == ["Error4", "Error3", "Error2"]
    await asyncio.sleep(0.4)
    assert await store.recent("tg:1") == []
