"""One suite for the worker tools' stores (STYLE point 3): memory, and a real Redis.

Times are epoch seconds the caller passes, so the tests move them by hand; a Redis
block also expires with its length (checked with a short one, really waited for).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from redis.asyncio import Redis

from bot.storage.desk_tools import BlockStore, MemoryBlockStore, MemoryPresenceStore, PresenceStore
from bot.storage.redis_desk_tools import RedisBlockStore, RedisPresenceStore


@dataclass
class Stores:
    presence: PresenceStore
    blocks: BlockStore
    peer: tuple[PresenceStore, BlockStore]  # another process's view of the same data
    client: Redis | None = None


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def stores(request: pytest.FixtureRequest) -> AsyncIterator[Stores]:
    if request.param == "memory":
        presence, blocks = MemoryPresenceStore(), MemoryBlockStore()
        yield Stores(presence, blocks, (presence, blocks))
        return
    url = request.getfixturevalue("redis_url")
    first, second = Redis.from_url(url), Redis.from_url(url)
    try:
        yield Stores(RedisPresenceStore(first), RedisBlockStore(first),
                     (RedisPresenceStore(second), RedisBlockStore(second)), first)  # fmt: skip
    finally:
        await first.aclose()
        await second.aclose()


async def test_on_duty_until_a_time_or_until_ended(stores: Stores) -> None:
    await stores.presence.start("web:ana", 2000.0)
    await stores.presence.start("tg:5550001", 1500.0)
    peer = stores.peer[0]
    assert await peer.on_duty(1000.0) == ["tg:5550001", "web:ana"]
    assert await peer.on_duty(1600.0) == ["web:ana"]  # the first one's time ran out
    await peer.end("web:ana")
    assert await stores.presence.on_duty(1600.0) == []
    await stores.presence.end("nobody")  # ending twice is harmless


async def test_a_block_lasts_until_its_end_and_a_longer_one_wins(stores: Stores) -> None:
    assert await stores.blocks.blocked_until("d1", 1000.0) is None
    await stores.blocks.block("d1", 5000.0, 1000.0)
    await stores.peer[1].block("d1", 2000.0, 1000.0)  # shorter: the longer block stays
    assert await stores.peer[1].blocked_until("d1", 1000.0) == 5000.0
    assert await stores.blocks.blocked_until("d1", 5000.0) is None
    assert await stores.blocks.blocked_until("d2", 1000.0) is None


@pytest.mark.redis
async def test_a_redis_block_expires_with_its_length(redis_url: str) -> None:
    client = Redis.from_url(redis_url)
    try:
        blocks = RedisBlockStore(client)
        await blocks.block("short", 1001.0, 1000.0)
        assert await client.ttl("sv:block:short") in (0, 1)
        await asyncio.sleep(1.2)
        assert await client.exists("sv:block:short") == 0
    finally:
        await client.aclose()
