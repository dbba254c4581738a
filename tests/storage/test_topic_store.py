"""The staff desk's update marks (Redis): at least once, never twice once done."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from bot.storage.redis_topics import TopicStore

pytestmark = pytest.mark.redis


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[Redis]:
    redis = Redis.from_url(redis_url)
    await redis.flushdb()
    try:
        yield redis
    finally:
        await redis.aclose()


async def test_an_update_is_taken_once_by_a_living_process(client: Redis) -> None:
    store = TopicStore(client)
    assert await store.begin_update("1:10")
    assert not await store.begin_update("1:10")  # delivered again while acting
    await store.finish_update("1:10")
    assert not await store.begin_update("1:10")
    assert not await TopicStore(client).begin_update("1:10")  # done is done, for everyone


async def test_an_update_left_by_a_killed_process_is_taken_over(client: Redis) -> None:
    killed, alive = TopicStore(client), TopicStore(client)
    assert await killed.begin_update("1:11")
    assert await alive.begin_update("1:11")
    assert not await alive.begin_update("1:11")


async def test_a_failed_act_is_tried_again_and_bots_do_not_share_marks(client: Redis) -> None:
    store = TopicStore(client)
    assert await store.begin_update("1:12")
    await store.abandon_update("1:12")
    assert await store.begin_update("1:12")
    await store.finish_update("1:12")
    assert await store.begin_update("2:12")  # another bot's update 12
    ttl = await client.ttl("sv:tg:u:1:12")
    assert 0 < ttl <= 24 * 3600
