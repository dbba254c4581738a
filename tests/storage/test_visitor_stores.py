"""One suite for the web chat mailboxes (STYLE point 3): memory and a real Redis.

``case.peer(boxes)`` is another web process: for Redis a second store on its own client
(its own connections and its own pub/sub listener), for memory the same store. Memory
boxes run on a fake clock for `keep`; Redis ones get a short `keep` and the test waits.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from redis.asyncio import BlockingConnectionPool, Redis

from bot.errors import StorageError
from bot.storage.redis_cases import make_client
from bot.storage.redis_visitors import RedisVisitorBoxes
from bot.storage.visitors import MemoryVisitorBoxes, VisitorBoxes
from tests.fixtures.clock import FakeClock
from tests.fixtures.redis import RedisProcess

QUICK = 0.15  # a poll that should find nothing waits this long
LONG = 10.0  # a poll that should be woken: failing takes this long, passing is quick


@dataclass
class Case:
    kind: str
    make: Callable[..., VisitorBoxes]  # (keep=, max_items=) -> a new process's store
    advance: Callable[[float], Awaitable[None]]

    def peer(self, of: VisitorBoxes, **options: float) -> VisitorBoxes:
        return self.make(**options) if self.kind == "redis" else of


def box(n: int | str) -> str:
    # Real box ids are HMAC hex digests of the visit cookie (32 characters).
    return hashlib.sha256(f"visit:{n}".encode()).hexdigest()[:32]


def msg(n: int) -> dict[str, Any]:
    return {"messages": [{"text": f"reply {n}", "lang": "ro"}], "deleted": False}


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def case(request: pytest.FixtureRequest) -> AsyncIterator[Case]:
    made: list[VisitorBoxes] = []
    clients: list[Redis] = []
    if request.param == "memory":
        clock = FakeClock()

        def make(**options: Any) -> VisitorBoxes:
            made.append(MemoryVisitorBoxes(clock=clock, **options))
            return made[-1]

        async def advance(seconds: float) -> None:
            clock.now += seconds

    else:
        url = request.getfixturevalue("redis_url")

        def make(**options: Any) -> VisitorBoxes:
            clients.append(Redis.from_url(url))
            made.append(RedisVisitorBoxes(clients[-1], **options))
            return made[-1]

        async def advance(seconds: float) -> None:
            await asyncio.sleep(seconds)

    yield Case(request.param, make, advance)
    for boxes in made:
        await boxes.close()
    for client in clients:
        await client.aclose()


async def test_put_then_wait_returns_the_payloads_in_order(case: Case) -> None:
    boxes = case.make()
    await boxes.put(box(1), msg(1))
    await boxes.put(box(1), msg(2))
    assert await boxes.wait(box(1), 0, LONG) == (2, [msg(1), msg(2)])
    assert await boxes.wait(box(2), 0, QUICK) == (0, [])  # another visitor's box is empty


async def test_payloads_pass_through_json(case: Case) -> None:
    boxes = case.make()
    await boxes.put(box(1), {"t": (1, 2), "rtl": "مرحبا", "n": None})
    assert await boxes.wait(box(1), 0, LONG) == (1, [{"t": [1, 2], "rtl": "مرحبا", "n": None}])
    with pytest.raises(TypeError):
        await boxes.put(box(1), {"bad": {1, 2}})


async def test_a_waiting_page_wakes_on_put(case: Case) -> None:
    boxes = case.make()
    waiting = asyncio.create_task(boxes.wait(box(1), 0, LONG))
    await asyncio.sleep(0.1)
    assert not waiting.done()
    started = time.monotonic()
    await boxes.put(box(1), msg(1))
    assert await asyncio.wait_for(waiting, LONG) == (1, [msg(1)])
    assert time.monotonic() - started < 2.0


async def test_a_put_to_another_box_does_not_wake_a_page(case: Case) -> None:
    boxes = case.make()
    waiting = asyncio.create_task(boxes.wait(box(1), 0, 0.5))
    await asyncio.sleep(0.1)
    await boxes.put(box(2), msg(1))
    await asyncio.sleep(0.1)
    assert not waiting.done()
    assert await waiting == (0, [])


async def test_after_acknowledges_and_forgets_what_the_page_has(case: Case) -> None:
    boxes = case.make()
    for n in (1, 2, 3):
        await boxes.put(box(1), msg(n))
    assert await boxes.wait(box(1), 1, LONG) == (3, [msg(2), msg(3)])
    assert await boxes.wait(box(1), 3, QUICK) == (3, [])
    assert await boxes.wait(box(1), 0, QUICK) == (3, [])  # acknowledged items are gone
    await boxes.put(box(1), msg(4))
    assert await boxes.wait(box(1), 3, LONG) == (4, [msg(4)])


async def test_an_after_past_the_newest_counts_as_zero(case: Case) -> None:
    boxes = case.make()
    await boxes.put(box(1), msg(1))
    # A page from before a restart (or before a drop) remembers a larger number.
    assert await boxes.wait(box(1), 99, LONG) == (1, [msg(1)])


async def test_drop_forgets_the_box_and_ends_its_waits(case: Case) -> None:
    boxes = case.make()
    await boxes.put(box(1), msg(1))
    await boxes.put(box(2), msg(2))
    waiting = asyncio.create_task(boxes.wait(box(1), 1, LONG))
    await asyncio.sleep(0.1)
    await case.peer(boxes).drop(box(1))  # "delete my data", handled by another process
    # The page starts counting again, so it cannot take a new box's first items for old.
    assert await asyncio.wait_for(waiting, 2.0) == (0, [])
    assert await boxes.wait(box(1), 0, QUICK) == (0, [])
    assert await boxes.wait(box(2), 0, LONG) == (1, [msg(2)])
    await boxes.put(box(1), msg(3))  # a new conversation starts a new box
    assert await boxes.wait(box(1), 0, LONG) == (1, [msg(3)])


async def test_only_the_newest_max_items_are_kept(case: Case) -> None:
    boxes = case.make(max_items=3)
    for n in range(1, 8):
        await boxes.put(box(1), msg(n))
    assert await boxes.wait(box(1), 0, LONG) == (7, [msg(5), msg(6), msg(7)])


async def test_boxes_nobody_asks_about_are_swept_and_asking_keeps_them(case: Case) -> None:
    boxes = case.make(keep=0.6)
    await boxes.put(box(1), msg(1))
    await boxes.put(box(2), msg(2))
    for _ in range(2):
        await case.advance(0.4)
        assert await boxes.wait(box(1), 0, 0) == (1, [msg(1)])  # the page asked again
    await boxes.sweep()
    assert await boxes.wait(box(1), 0, 0) == (1, [msg(1)])
    assert await boxes.wait(box(2), 0, QUICK) == (0, [])


async def test_close_wakes_every_waiting_page(case: Case) -> None:
    boxes = case.make()
    waiting = [asyncio.create_task(boxes.wait(box(n), 0, LONG)) for n in range(5)]
    await asyncio.sleep(0.1)
    await boxes.close()
    done = await asyncio.wait_for(asyncio.gather(*waiting), 2.0)
    assert [payloads for _, payloads in done] == [[]] * 5
    started = time.monotonic()
    await boxes.wait(box(9), 0, LONG)  # after close: no waiting at all
    assert time.monotonic() - started < 1.0


async def test_worker_message_sent_on_process_b_reaches_visitor_polling_process_a(
    case: Case,
) -> None:
    process_a = case.make()
    process_b = case.peer(process_a)
    waiting = asyncio.create_task(process_a.wait(box(1), 0, LONG))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    await process_b.put(box(1), msg(1))
    assert await asyncio.wait_for(waiting, LONG) == (1, [msg(1)])
    assert time.monotonic() - started < 2.0  # woken, not found by the poll timing out
    # And the other way round, with many pages waiting on B.
    pages = [asyncio.create_task(process_b.wait(box(n), 0, LONG)) for n in range(2, 12)]
    await asyncio.sleep(0.1)
    for n in range(2, 12):
        await process_a.put(box(n), msg(n))
    results = await asyncio.wait_for(asyncio.gather(*pages), 5.0)
    assert results == [(1, [msg(n)]) for n in range(2, 12)]


async def test_many_waits_on_one_box_all_wake(case: Case) -> None:
    boxes = case.make()
    # Two tabs of one visit, both polling.
    waiting = [asyncio.create_task(boxes.wait(box(1), 0, LONG)) for _ in range(3)]
    await asyncio.sleep(0.1)
    await case.peer(boxes).put(box(1), msg(1))
    assert await asyncio.wait_for(asyncio.gather(*waiting), 5.0) == [(1, [msg(1)])] * 3


async def test_memory_boxes_are_bounded() -> None:
    clock = FakeClock()
    boxes = MemoryVisitorBoxes(max_boxes=10, keep=60, clock=clock)
    for n in range(10):
        await boxes.put(box(n), msg(n))
    clock.now += 61
    await boxes.put(box("new"), msg(0))  # full: boxes unseen for `keep` go first
    assert len(boxes) == 1


async def test_memory_polls_on_missing_boxes_create_nothing() -> None:
    """Regression: every visit id a page polled with (forged ones too) made a box."""
    boxes = MemoryVisitorBoxes()
    waits = [boxes.wait(box(n), 0, 0.01) for n in range(100)]
    assert await asyncio.gather(*waits) == [(0, [])] * 100
    assert len(boxes) == 0
    assert not boxes._first  # no waits left behind either


# -- Redis only: one subscription per process, keys and TTLs, outages ----------------------
@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.mark.redis
async def test_redis_waiting_pages_share_one_subscription(
    redis_url: str, redis_client: Redis
) -> None:
    # Four connections in all: if a waiting page held one, the fifth page would starve.
    pool = BlockingConnectionPool.from_url(redis_url, max_connections=4, timeout=2.0)
    client = Redis.from_pool(pool)
    boxes = RedisVisitorBoxes(client)
    try:
        pages = [asyncio.create_task(boxes.wait(box(n), 0, LONG)) for n in range(50)]
        await asyncio.sleep(0.3)
        numsub = dict(await redis_client.pubsub_numsub(boxes.channel))
        assert numsub[boxes.channel.encode()] == 1
        await boxes.put(box(7), msg(7))
        assert await asyncio.wait_for(pages[7], 2.0) == (1, [msg(7)])
        assert not any(page.done() for n, page in enumerate(pages) if n != 7)
    finally:
        await boxes.close()
        await client.aclose()
    assert dict(await redis_client.pubsub_numsub(boxes.channel))[boxes.channel.encode()] == 0


@pytest.mark.redis
async def test_redis_keys_have_the_keep_ttl_and_drop_leaves_nothing(redis_client: Redis) -> None:
    boxes = RedisVisitorBoxes(redis_client, keep=3600)
    await boxes.put(box(1), msg(1))
    names = sorted([name async for name in redis_client.scan_iter()])
    assert names == [f"sv:web:vi:{box(1)}".encode(), f"sv:web:vn:{box(1)}".encode()]
    for name in names:
        assert 3_500_000 < await redis_client.pttl(name) <= 3_600_000
    await boxes.drop(box(1))
    assert [name async for name in redis_client.scan_iter()] == []
    await boxes.close()


@pytest.mark.redis
async def test_redis_a_poll_waits_for_nothing_on_a_missing_box_and_creates_nothing(
    redis_client: Redis,
) -> None:
    boxes = RedisVisitorBoxes(redis_client)
    assert await boxes.wait(box(1), 5, QUICK) == (0, [])
    assert [name async for name in redis_client.scan_iter()] == []
    await boxes.close()


@pytest.mark.redis
async def test_redis_listener_resubscribes_after_a_restart(
    redis_restartable: RedisProcess,
) -> None:
    # The clients `safevoice serve` uses: they retry once over a connection the restart broke.
    client, sender = make_client(redis_restartable.url), make_client(redis_restartable.url)
    boxes, other = RedisVisitorBoxes(client), RedisVisitorBoxes(sender)
    try:
        assert await boxes.wait(box(1), 0, QUICK) == (0, [])  # the listener is up
        redis_restartable.stop()
        with pytest.raises(StorageError, match="cannot reach the web chat mailboxes"):
            await other.put(box(1), msg(1))
        redis_restartable.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # wait for the listener to come back
            numsub = dict(await sender.pubsub_numsub(boxes.channel))
            if numsub.get(boxes.channel.encode()):
                break
            await asyncio.sleep(0.05)
        waiting = asyncio.create_task(boxes.wait(box(1), 0, LONG))
        await asyncio.sleep(0.1)
        await other.put(box(1), msg(2))
        assert await asyncio.wait_for(waiting, 2.0) == (1, [msg(2)])
    finally:
        await boxes.close()
        await other.close()
        await client.aclose()
        await sender.aclose()


async def test_memory_mailboxes_stay_bounded_when_every_box_is_fresh() -> None:
    """Regression: past `max_boxes` the sweep found nothing old enough and the store grew
    anyway, one box per visit; a box also held 50 payloads of any size."""
    clock = FakeClock()
    boxes = MemoryVisitorBoxes(max_boxes=10, keep=3600, max_bytes=2_000, clock=clock)
    for n in range(25):
        clock.now += 1
        await boxes.put(box(n), msg(n))
    assert len(boxes) == 10
    assert await boxes.wait(box(24), 0, 0.01) == (1, [msg(24)])  # the newest are kept
    assert await boxes.wait(box(0), 0, 0.01) == (0, [])  # the least recently seen went
    big = {"messages": [{"text": "x" * 900, "lang": "en"}], "deleted": False}
    for _ in range(10):
        await boxes.put(box(24), big)
    seq, kept = await boxes.wait(box(24), 1, 0.01)
    assert seq == 11
    assert 1 <= len(kept) <= 2  # about max_bytes, and never less than the newest payload
    assert kept[-1] == big


async def test_memory_polls_per_visit_are_bounded() -> None:
    """One visit's page polling from a thousand tabs at once holds a few waits, not a
    thousand: the others return at once with nothing, and the page polls again."""
    boxes = MemoryVisitorBoxes(max_waits=4)
    waits = [asyncio.create_task(boxes.wait(box(1), 0, LONG)) for _ in range(50)]
    await asyncio.sleep(0.05)
    done = [w for w in waits if w.done()]
    assert len(done) == 46
    assert sum(len(s) for s in boxes._first.values()) == 4
    await boxes.put(box(1), msg(1))
    assert await asyncio.wait_for(asyncio.gather(*waits), 5.0)
