"""One suite for every DeliveryQueue: memory, and a real Redis server.

A delivery is how a worker on one process's desk reaches a young person whose channel
another process holds (web desk -> Telegram). ``peer`` stands for that other process: a
second queue on its own Redis client; for memory, the one process there is.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest
from redis.asyncio import Redis

from bot.engine.events import AnswerRecorded, Option, Say
from bot.storage.deliveries import DeliveryQueue, MemoryDeliveryQueue, decode_delivery
from bot.storage.redis_deliveries import RedisDeliveryQueue

WORKER_SAYS = Say("Hello, I am Ana. I am here now.", "ro")
RATING = Say(
    "How was it?", "ar", rtl=True, step="rate", input="choice",
    options=(Option("1", "🙁"), Option("5", "🙂")), skip=Option("skip", "Skip"),
    selected=("5",),
)  # fmt: skip


@dataclass
class Case:
    queue: DeliveryQueue
    peer: Callable[[], DeliveryQueue]


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def case(request: pytest.FixtureRequest) -> AsyncIterator[Case]:
    made: list[DeliveryQueue] = []
    clients: list[Redis] = []
    if request.param == "memory":
        queue: DeliveryQueue = MemoryDeliveryQueue()
        made.append(queue)
        yield Case(queue, lambda: queue)
    else:
        url = request.getfixturevalue("redis_url")

        def make() -> DeliveryQueue:
            client = Redis.from_url(url)
            clients.append(client)
            made.append(RedisDeliveryQueue(client, url))
            return made[-1]

        yield Case(make(), make)
    for store in made:
        await store.close()
    for client in clients:
        await client.aclose()


async def test_a_delivery_pushed_on_one_process_is_popped_on_another(case: Case) -> None:
    await case.queue.push("telegram", "987654321", [WORKER_SAYS, RATING])
    got = await case.peer().pop("telegram", 1.0)
    assert got is not None
    assert got.address == "987654321"
    assert got.events == (WORKER_SAYS, RATING)


async def test_deliveries_come_out_in_order_once(case: Case) -> None:
    for n in range(5):
        await case.queue.push("telegram", str(n), [Say(f"message {n}", "en")])
    peer = case.peer()
    got = [await peer.pop("telegram", 1.0) for _ in range(5)]
    assert [d.address for d in got if d is not None] == ["0", "1", "2", "3", "4"]
    assert await peer.pop("telegram", 0.05) is None
    assert await case.queue.pop("telegram", 0.05) is None


async def test_channels_do_not_mix(case: Case) -> None:
    await case.queue.push("telegram", "1", [WORKER_SAYS])
    assert await case.queue.pop("web", 0.05) is None
    assert await case.queue.pop("telegram", 1.0) is not None


async def test_only_messages_can_travel_between_processes(case: Case) -> None:
    with pytest.raises(TypeError):
        await case.queue.push("telegram", "1", [AnswerRecorded("k", "text", "v")])
    assert await case.queue.pop("telegram", 0.05) is None


async def test_the_pusher_is_a_deliverer(case: Case) -> None:
    deliver = case.queue.pusher("telegram")
    await deliver("42", [WORKER_SAYS])
    got = await case.peer().pop("telegram", 1.0)
    assert got is not None
    assert (got.address, got.events) == ("42", (WORKER_SAYS,))


def test_a_delivery_round_trips_through_json_with_every_field() -> None:
    from bot.storage.deliveries import encode_delivery

    raw = encode_delivery("7", [RATING])
    assert decode_delivery(raw).events == (RATING,)
    assert "7" in raw
