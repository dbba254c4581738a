"""One suite for every OutboxStore: memory, and a real Redis server.

``case.peer()`` stands for another bot process on the same data (its own owner name):
a second RedisOutbox on its own client, or a MemoryOutbox view of the same memory.
Owners stop being alive after `alive_ttl` without a heartbeat (short here).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.connection import Connection

from bot.engine.events import Say
from bot.storage.outbox import MemoryOutbox, OutboxStore, Post
from bot.storage.redis_deliveries import RedisDeliveryQueue
from bot.storage.redis_outbox import RedisOutbox
from bot.storage.redis_sessions import RedisSessionStore

BOX = "tg:4242"
# Long enough that a loaded CI machine never stalls a live owner past it between two
# calls of one test (0.4 s did, once, in the full suite), short enough to wait out.
ALIVE = 2.0


def key(n: int | str) -> str:
    return hashlib.sha256(f"test:{n}".encode()).hexdigest()


def item(text: str, chat: int = 7700000001) -> str:
    return json.dumps({"k": "m", "c": chat, "t": text}, ensure_ascii=False)


@dataclass
class Case:
    kind: str
    store: OutboxStore
    peer: Callable[[], OutboxStore]


@pytest.fixture(
    params=[
        "memory",
        pytest.param("redis", marks=pytest.mark.redis),
        # As `run` builds it: its own pipelined connection (bot/storage/redis_pipe.py).
        pytest.param("redis-pipe", marks=pytest.mark.redis),
    ]
)
async def case(request: pytest.FixtureRequest) -> AsyncIterator[Case]:
    clients: list[Redis] = []
    boxes: list[RedisOutbox] = []
    if request.param == "memory":
        first = MemoryOutbox(alive_ttl=ALIVE)
        yield Case("memory", first, first.peer)
    else:
        url = request.getfixturevalue("redis_url")

        def make() -> OutboxStore:
            clients.append(Redis.from_url(url))
            own = request.param == "redis-pipe"
            boxes.append(RedisOutbox(clients[-1], url, ttl=60.0, alive_ttl=ALIVE,
                                     own_connection=own))  # fmt: skip
            return boxes[-1]

        yield Case("redis", make(), make)
    for box in boxes:
        await box.close()
    for client in clients:
        await client.aclose()


async def test_the_poster_owns_the_outbox_and_gets_it_in_order(case: Case) -> None:
    await case.store.heartbeat()
    claim = await case.store.post(key(1), Post(BOX, (item("one"), item("două 🙂"))))
    assert claim is not None
    assert (claim.box, claim.key) == (BOX, key(1))
    assert [json.loads(i.body)["t"] for i in claim.items] == ["one", "două 🙂"]
    assert len({i.id for i in claim.items}) == 2
    again = await case.store.post(key(1), Post(BOX, (item("three"),)))
    assert again is not None
    assert [i.id for i in again.items[:2]] == [i.id for i in claim.items]  # same items


async def test_another_live_process_leaves_the_chat_to_its_owner(case: Case) -> None:
    await case.store.heartbeat()
    peer = case.peer()
    await peer.heartbeat()
    assert await case.store.post(key(2), Post(BOX, (item("first"),))) is not None
    assert await peer.post(key(2), Post(BOX, (item("second"),))) is None
    assert await peer.claim(BOX, key(2)) is None
    claim = await case.store.claim(BOX, key(2))
    assert claim is not None
    assert [json.loads(i.body)["t"] for i in claim.items] == ["first", "second"]


async def test_confirm_removes_and_says_what_is_left(case: Case) -> None:
    await case.store.heartbeat()
    claim = await case.store.post(key(3), Post(BOX, (item("a"), item("b"))))
    other = await case.store.post(key(4), Post(BOX, (item("c"),)))
    assert claim is not None
    assert other is not None
    done = [(key(3), claim.items[0].id), (key(4), other.items[0].id)]
    left = await case.store.confirm(BOX, done)
    assert (left[key(3)].count, left[key(3)].mine) == (1, True)
    assert left[key(4)].count == 0
    left = await case.store.confirm(BOX, [(key(3), claim.items[1].id)])
    assert left[key(3)].count == 0
    assert await case.store.claim(BOX, key(3)) is None  # empty: nothing to claim
    # Emptied, it belongs to nobody: another process's post now owns it.
    peer = case.peer()
    await peer.heartbeat()
    assert await peer.post(key(3), Post(BOX, (item("d"),))) is not None
    # Confirming twice, or an unknown id, changes nothing.
    again = await case.store.confirm(BOX, [(key(3), claim.items[1].id), (key(3), "nope")])
    assert again[key(3)].count == 1


async def test_a_stopped_owners_outboxes_are_swept_up(case: Case) -> None:
    dead = case.peer()
    await dead.heartbeat()
    assert await dead.post(key(5), Post(BOX, (item("queued when killed"),))) is not None
    survivor = case.store
    await survivor.heartbeat()
    claims, ours = await survivor.sweep(BOX)
    assert (claims, ours) == ([], [])  # still alive
    await asyncio.sleep(ALIVE + 0.2)  # the dead one says nothing more
    await survivor.heartbeat()
    claims, ours = await survivor.sweep(BOX)
    assert [(c.key, [json.loads(i.body)["t"] for i in c.items]) for c in claims] == [
        (key(5), ["queued when killed"])
    ]
    assert (await survivor.sweep(BOX))[1] == [key(5)]  # now ours
    assert await dead.claim(BOX, key(5)) is None  # back from the dead: too late


async def test_release_hands_over_at_once(case: Case) -> None:
    leaving = case.peer()
    await leaving.heartbeat()
    await leaving.post(key(6), Post(BOX, (item("x"),)))
    await leaving.release(BOX)
    await case.store.heartbeat()
    claims, _ = await case.store.sweep(BOX)
    assert [c.key for c in claims] == [key(6)]


async def test_boxes_are_separate(case: Case) -> None:
    await case.store.heartbeat()
    await case.store.post(key(7), Post("tg:1", (item("bot one"),)))
    await case.store.post(key(7), Post("tg:2", (item("bot two"),)))
    one, two = await case.store.claim("tg:1", key(7)), await case.store.claim("tg:2", key(7))
    assert one is not None
    assert two is not None
    assert [json.loads(i.body)["t"] for i in one.items + two.items] == ["bot one", "bot two"]


# --- Redis only: keys, TTLs, round trips, and the delivery queue's receipt -----------------


class CountingConnection(Connection):
    sent = 0

    async def send_packed_command(self, *args: Any, **kwargs: Any) -> None:
        CountingConnection.sent += 1
        await super().send_packed_command(*args, **kwargs)


@pytest.mark.redis
async def test_redis_keys_have_ttls_and_no_chat_id(redis_url: str) -> None:
    client = Redis.from_url(redis_url)
    box = RedisOutbox(client, redis_url, ttl=1800)
    try:
        await box.heartbeat()
        await box.post(key(8), Post(BOX, (item("hello", chat=7799999999),)))
        names = sorted([k.decode() async for k in client.scan_iter()])
        assert names == sorted([f"sv:o:{BOX}:{key(8)}", f"sv:ob:{BOX}", f"sv:alive:{box.owner}"])
        assert not [n for n in names if "7799999999" in n]
        for name in names:
            assert 0 < await client.pttl(name) <= 1_800_000
    finally:
        await client.aclose()


@pytest.mark.redis
async def test_redis_a_turn_with_replies_still_costs_two_round_trips_and_confirms_batch(
    redis_url: str,
) -> None:
    pool = ConnectionPool.from_url(redis_url, connection_class=CountingConnection)
    client = Redis.from_pool(pool)
    box = RedisOutbox(client, redis_url)
    store = RedisSessionStore(client=client, outbox=box)
    try:
        await box.heartbeat()
        first = await store.begin(key(9), update_id="tg:4242:1")
        await store.commit(first, {"v": 0}, post=Post(BOX, (item("warm"),)))  # scripts load
        await box.confirm(BOX, [(key(9), "x")])
        CountingConnection.sent = 0
        claims = []
        for n in range(10):
            turn = await store.begin(key(f"c{n}"), update_id=f"tg:4242:{n + 2}")
            post = Post(BOX, (item("question"), item("buttons")))
            claims.append(await store.commit(turn, {"v": 1}, post=post))
        assert CountingConnection.sent == 20  # begin + commit per update, replies included
        CountingConnection.sent = 0
        done = [(c.key, i.id) for c in claims if c is not None for i in c.items]
        left = await box.confirm(BOX, done)
        assert CountingConnection.sent == 1  # 20 confirms of 10 chats: one round trip
        assert all(v.count == 0 for v in left.values())
    finally:
        await store.close()
        await client.aclose()
        await pool.aclose()


@pytest.mark.redis
async def test_regression_a_popped_delivery_was_lost_if_the_process_died(redis_url: str) -> None:
    """Regression: BRPOP took the worker's message off the queue; a process killed before
    sending it lost it for good. Now it stays taken until the outbox write acknowledges
    it, and comes back when its taker died."""
    client = Redis.from_url(redis_url)
    queue = RedisDeliveryQueue(client, redis_url, stale_after=0.3)
    box = RedisOutbox(client, redis_url)
    try:
        await box.heartbeat()
        await queue.push("tg", "7700000002", [Say("Ana: hello", "en")])
        popped = await queue.pop("tg", 1.0)  # ...and the process dies here
        assert popped is not None
        assert popped.receipt is not None
        assert await queue.pop("tg", 0.05) is None
        await asyncio.sleep(0.35)
        assert await queue.pop("tg", 0.05) is None  # first look: noted as taken
        await asyncio.sleep(0.35)
        again = await queue.pop("tg", 1.0)  # second look: put back, popped again
        assert again is not None
        assert again.events == popped.events
        # The outbox write takes it off the queue; the dead one's late write does nothing.
        assert again.receipt is not None
        claim = await box.post(key(10), Post(BOX, (item("Ana: hello"),)), receipt=again.receipt)
        assert claim is not None
        assert len(claim.items) == 1
        stale = await box.post(key(10), Post(BOX, (item("Ana: hello"),)), receipt=popped.receipt)
        assert stale is None
        assert await client.llen("sv:deliver:tg:taken") == 0
        claim = await box.claim(BOX, key(10))
        assert claim is not None
        assert len(claim.items) == 1  # once
    finally:
        await queue.close()
        await client.aclose()
