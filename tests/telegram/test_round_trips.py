"""Redis round trips of a young person's turns on the production stores (bot/runtime.py
on Redis): the first turn keeps the chat's trace, and the first typed text looks for an
open case, in the begin round trip; every turn costs two."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.connection import Connection

from bot.engine.inputs import Input
from bot.runtime import Runtime, build_runtime
from tests.engine.conftest import shared_app

pytestmark = pytest.mark.redis


class CountingConnection(Connection):
    """Counts writes to the socket: one per round trip."""

    sent = 0

    async def send_packed_command(self, *args: Any, **kwargs: Any) -> None:
        CountingConnection.sent += 1
        await super().send_packed_command(*args, **kwargs)


@pytest.fixture
async def runtime(redis_url: str) -> AsyncIterator[Runtime]:
    pool = ConnectionPool.from_url(redis_url, connection_class=CountingConnection)
    built = build_runtime(
        shared_app(), "test", database_url="sqlite://", redis_url=redis_url,
        redis_client=Redis.from_pool(pool),
    )  # fmt: skip
    yield built
    await built.close()


async def _trips(runtime: Runtime, chat: int, inp: Input, update: int) -> int:
    before = CountingConnection.sent
    await runtime.conversation.handle(
        "tg", chat, inp, update_id=f"tg:1:{update}", language_hint="en",
        channel_data=lambda old: {**(old or {}), "m0": update, "t0": 1, "m1": update},
    )  # fmt: skip
    return CountingConnection.sent - before


async def test_first_turn_cost_a_third_round_trip_for_the_trace(runtime: Runtime) -> None:
    await _trips(runtime, 1, Input.command("start"), 1)  # warm up: scripts loaded
    assert await _trips(runtime, 2, Input.command("start"), 2) == 2
    traces = runtime.conversation.traces
    assert traces is not None
    assert await traces.get(runtime.conversation.key("tg", 2)) is not None


async def test_first_typed_text_cost_a_third_round_trip_for_the_case(runtime: Runtime) -> None:
    await _trips(runtime, 1, Input.command("start"), 1)
    await _trips(runtime, 1, Input.text("hello"), 2)
    await _trips(runtime, 3, Input.command("start"), 3)
    assert await _trips(runtime, 3, Input.text("hello there"), 4) == 2
    assert await _trips(runtime, 3, Input.text("and again"), 5) == 2
