"""The conversation store's connection pool (bot/storage/redis_pool.py) on a real Redis."""

from __future__ import annotations

import asyncio

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.storage.redis_pool import lean_client
from tests.fixtures.redis import RedisProcess

pytestmark = pytest.mark.redis


async def test_refused_connections_while_redis_is_down_do_not_grow_the_pool_past_its_bound(
    redis_restartable: RedisProcess,
) -> None:
    """Seen in the fault suite: after Redis was down for 3 s, chats failed with "Too many
    connections" for 30 s more. Each refused connect gave its slot back twice."""
    client = lean_client(redis_restartable.url, max_connections=2)
    try:
        redis_restartable.stop()
        for _ in range(10):
            with pytest.raises(RedisConnectionError):
                await client.ping()
        redis_restartable.start()
        # Six calls that each hold a connection for a while, two connections: the other
        # four wait their turn; none is refused.
        results = await asyncio.gather(
            *(client.blpop([f"nothing:{n}"], timeout=0.3) for n in range(6)),
            return_exceptions=True,
        )
        assert results == [None] * 6
        assert len(client.connection_pool._in_use_connections) == 0  # type: ignore[attr-defined]
    finally:
        await client.aclose()


async def test_a_connection_is_shared_in_turn_when_every_one_is_busy(redis_url: str) -> None:
    client = lean_client(redis_url, max_connections=1)
    try:
        await asyncio.gather(*(client.set(f"k{n}", n) for n in range(20)))
        assert [int(v) for v in await client.mget([f"k{n}" for n in range(20)])] == list(range(20))
        assert len(client.connection_pool._available_connections) == 1  # type: ignore[attr-defined]
    finally:
        await client.aclose()
