"""One suite for every LeaseStore (STYLE point 3): memory, and a real Redis server.

Time: the memory store runs on a fake clock the test moves; Redis leases get short TTLs
and the test really waits. ``case.peer`` stands for another process sharing the leases
(a store on a second Redis client; for memory, the one process there is).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
from redis.asyncio import Redis

from bot.errors import StorageError
from bot.storage.leases import LeaseStore, MemoryLeaseStore
from bot.storage.redis_leases import RedisLeaseStore
from tests.fixtures.clock import FakeClock
from tests.fixtures.redis import RedisProcess


@dataclass
class Case:
    store: LeaseStore
    peer: LeaseStore
    advance: Callable[[float], Awaitable[None]]


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def case(request: pytest.FixtureRequest) -> AsyncIterator[Case]:
    if request.param == "memory":
        clock = FakeClock()
        store = MemoryLeaseStore(clock=clock)

        async def advance(seconds: float) -> None:
            clock.now += seconds

        yield Case(store, store, advance)
        return
    url = request.getfixturevalue("redis_url")
    clients = [Redis.from_url(url), Redis.from_url(url)]
    try:
        yield Case(RedisLeaseStore(clients[0]), RedisLeaseStore(clients[1]), asyncio.sleep)
    finally:
        for client in clients:
            await client.aclose()


async def test_one_holder_at_a_time(case: Case) -> None:
    token = await case.store.acquire("retention", 5.0)
    assert token
    assert await case.peer.acquire("retention", 5.0) is None
    assert await case.store.acquire("retention", 5.0) is None  # not even the holder twice
    assert await case.peer.acquire("helplines", 5.0)  # names are independent


async def test_only_the_holder_renews_or_releases(case: Case) -> None:
    token = await case.store.acquire("job", 5.0)
    assert token
    assert await case.peer.renew("job", "not-the-token", 5.0) is False
    await case.peer.release("job", "not-the-token")
    assert await case.peer.acquire("job", 5.0) is None  # still held
    assert await case.store.renew("job", token, 5.0) is True
    await case.store.release("job", token)
    assert await case.store.renew("job", token, 5.0) is False
    assert await case.peer.acquire("job", 5.0)


async def test_a_crashed_holders_lease_runs_out(case: Case) -> None:
    old = await case.store.acquire("job", 0.2)
    assert old
    await case.advance(0.3)
    new = await case.peer.acquire("job", 5.0)
    assert new
    assert new != old
    # The old holder woke up: it can neither extend nor drop the new holder's lease.
    assert await case.store.renew("job", old, 5.0) is False
    await case.store.release("job", old)
    assert await case.store.acquire("job", 5.0) is None
    assert await case.peer.renew("job", new, 5.0) is True


async def test_renewing_extends_from_now(case: Case) -> None:
    token = await case.store.acquire("job", 0.3)
    assert token
    for _ in range(3):
        await case.advance(0.2)
        assert await case.store.renew("job", token, 0.3) is True
    assert await case.peer.acquire("job", 5.0) is None
    await case.advance(0.4)
    assert await case.store.renew("job", token, 0.3) is False
    assert await case.peer.acquire("job", 5.0)


async def test_tiny_ttls_still_hold(case: Case) -> None:
    # A scheduler holds a lease until the next period begins, which may be 0.1 ms away.
    token = await case.store.acquire("job", 0.0001)
    assert token
    await case.advance(0.01)
    assert await case.peer.acquire("job", 5.0)


@pytest.mark.redis
async def test_redis_keys_live_under_the_prefix(redis_url: str) -> None:
    client = Redis.from_url(redis_url)
    try:
        store = RedisLeaseStore(client, prefix="test:lease:")
        token = await store.acquire("retention", 5.0)
        assert await client.get("test:lease:retention") == (token or "").encode()
        assert 0 < await client.pttl("test:lease:retention") <= 5000
        assert await RedisLeaseStore(client).acquire("retention", 5.0)  # another prefix
    finally:
        await client.aclose()


@pytest.mark.redis
async def test_redis_down_is_a_storage_error(redis_restartable: RedisProcess) -> None:
    client = Redis.from_url(redis_restartable.url)
    try:
        store = RedisLeaseStore(client)
        token = await store.acquire("job", 5.0)
        assert token
        redis_restartable.stop()
        for call in (
            store.acquire("job", 5.0),
            store.renew("job", token, 5.0),
            store.release("job", token),
        ):
            with pytest.raises(StorageError, match="cannot reach the lease store"):
                await call
    finally:
        await client.aclose()
