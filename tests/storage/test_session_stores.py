"""One suite for every SessionStore (STYLE point 3): memory, and a real Redis server.

Time: the memory store runs on a fake clock the test moves; Redis stores in these tests
get short TTLs and the test really waits. ``case.peer(store)`` stands for another bot
process sharing the store (a second client for Redis; for memory, the one process there is).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.connection import Connection

from bot.errors import StorageError
from bot.storage.memory import MemorySessionStore
from bot.storage.outbox import MemoryOutbox, Post
from bot.storage.redis_outbox import RedisOutbox
from bot.storage.redis_sessions import RedisSessionStore
from bot.storage.sessions import (
    LockLostError,
    LockTimeoutError,
    SessionStore,
    UpdatePoisonedError,
)
from tests.fixtures.clock import FakeClock
from tests.fixtures.redis import RedisProcess


@dataclass
class Case:
    kind: str
    make: Callable[..., SessionStore]
    advance: Callable[[float], Awaitable[None]]
    store: SessionStore = field(init=False)

    def __post_init__(self) -> None:
        self.store = self.make()

    def peer(self, of: SessionStore, **ttls: float) -> SessionStore:
        """Another process sharing ``of``'s data (a memory store has only its own process)."""
        return self.make(**ttls) if self.kind == "redis" else of


def key(n: int | str) -> str:
    # Real keys are HMAC-SHA256 hex digests; the same shape keeps memory numbers honest.
    return hashlib.sha256(f"test:{n}".encode()).hexdigest()


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def case(request: pytest.FixtureRequest) -> AsyncIterator[Case]:
    made: list[SessionStore] = []
    clients: list[Redis] = []
    defaults = {"session_ttl": 60.0, "lock_ttl": 5.0, "dedupe_ttl": 60.0}
    if request.param == "memory":
        clock = FakeClock()
        outbox = MemoryOutbox(clock=clock)

        def make(**ttls: float) -> SessionStore:
            store = MemorySessionStore(clock=clock, outbox=outbox, **{**defaults, **ttls})
            made.append(store)
            return store

        async def advance(seconds: float) -> None:
            clock.now += seconds
            await asyncio.sleep(0.05)  # let waiters poll the clock

    else:
        url = request.getfixturevalue("redis_url")

        def make(**ttls: float) -> SessionStore:
            clients.append(Redis.from_url(url))
            box = RedisOutbox(clients[-1], url)
            store = RedisSessionStore(url, outbox=box, **{**defaults, **ttls})
            made.append(store)
            return store

        async def advance(seconds: float) -> None:
            await asyncio.sleep(seconds)

    yield Case(request.param, make, advance)
    for store in made:
        await store.close()
    for client in clients:
        await client.aclose()


async def test_round_trip(case: Case) -> None:
    store = case.store
    turn = await store.begin(key(1))
    assert (turn.session, turn.duplicate) == (None, False)
    session = {"v": 1, "step": "ask", "answers": {"q1": "Bună ziua", "q2": ["a", 2, 3.5]},
               "rtl": "مرحبا", "done": False, "none": None}  # fmt: skip
    await store.commit(turn, session)
    turn = await store.begin(key(1))
    assert turn.session == session
    await store.commit(turn, None)  # None deletes
    turn = await store.begin(key(1))
    assert turn.session is None
    await store.release(turn)


async def test_data_passes_through_json(case: Case) -> None:
    turn = await case.store.begin(key(2))
    await case.store.commit(turn, {"t": (1, 2), "1": {3: "x"}})
    turn = await case.store.begin(key(2))
    assert turn.session == {"t": [1, 2], "1": {"3": "x"}}  # what JSON makes of them
    await case.store.release(turn)


@pytest.mark.parametrize(
    "bad",
    [
        {"when": datetime(2024, 1, 1, tzinfo=UTC)},
        {"tags": {"a", "b"}},
        {"x": math.nan},
        {"x": math.inf},
        {"lone surrogate": "\ud800"},
        ["not", "a", "dict"],
    ],
)
async def test_non_json_session_raises_and_keeps_old_state(case: Case, bad: Any) -> None:
    store = case.store
    turn = await store.begin(key(3))
    await store.commit(turn, {"v": 1})
    turn = await store.begin(key(3))
    with pytest.raises(TypeError):
        await store.commit(turn, bad)
    await store.release(turn)  # the failed commit left the lock to the error path
    turn = await store.begin(key(3), lock_timeout=0.5)
    assert turn.session == {"v": 1}
    await store.release(turn)


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(st.characters(codec="utf-8")),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(st.characters(codec="utf-8")), inner, max_size=4),
    max_leaves=15,
)  # fmt: skip


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(session=st.dictionaries(st.text(st.characters(codec="utf-8")), _json, max_size=5))
async def test_any_json_object_round_trips(case: Case, session: dict[str, Any]) -> None:
    turn = await case.store.begin(key("h"))
    await case.store.commit(turn, session)
    turn = await case.store.begin(key("h"))
    assert turn.session == session
    await case.store.release(turn)


async def test_session_expires_after_inactivity_and_saving_refreshes_it(case: Case) -> None:
    store = case.make(session_ttl=0.6)
    turn = await store.begin(key(4))
    await store.commit(turn, {"v": 1})
    await case.advance(0.4)
    turn = await store.begin(key(4))
    assert turn.session == {"v": 1}
    await store.commit(turn, turn.session)  # activity: TTL starts again
    await case.advance(0.4)
    turn = await store.begin(key(4))
    assert turn.session == {"v": 1}
    await store.release(turn)  # no save: no refresh
    await case.advance(0.4)
    turn = await store.begin(key(4))
    assert turn.session is None
    await store.release(turn)


async def test_update_is_duplicate_only_after_commit(case: Case) -> None:
    store = case.store
    turn = await store.begin(key(5), update_id="tg:1")
    assert not turn.duplicate
    await store.commit(turn, {"v": 1})  # marks tg:1 handled
    turn = await store.begin(key(5), update_id="tg:1")
    assert turn.duplicate
    await store.release(turn)
    # The process died before commit: a re-delivery must be handled, not dropped.
    turn = await store.begin(key(5), update_id="tg:2")
    await store.release(turn)
    turn = await store.begin(key(5), update_id="tg:2")
    assert not turn.duplicate
    await store.commit(turn, {"v": 2}, update_id="tg:2")
    turn = await store.begin(key(5), update_id="tg:2")
    assert turn.duplicate
    await store.release(turn)


async def test_dedupe_marks_expire(case: Case) -> None:
    store = case.make(dedupe_ttl=0.5, session_ttl=0.5)
    await store.commit(await store.begin(key(6), update_id="tg:1:9"), {"v": 1})  # in the record
    await store.commit(await store.begin(key(60), update_id="tg:1:9"), None)  # a mark alone
    await case.advance(0.7)
    for k in (key(6), key(60)):
        turn = await store.begin(k, update_id="tg:1:9")
        assert not turn.duplicate
        await store.release(turn)


async def test_regression_dedupe_keys_were_not_per_bot(case: Case) -> None:
    """Regression: marks were `sv:u:tg:<update_id>`, so two bots on one Redis dropped
    each other's updates (update ids are numbered per bot)."""
    store = case.store
    for k, session in ((key(61), {"v": 1}), (key(62), None)):  # in a record, and alone
        await store.commit(await store.begin(k, update_id="tg:111:500"), session)
        other = await store.begin(k, update_id="tg:222:500")
        assert not other.duplicate
        await store.commit(other, session)
        again = await store.begin(k, update_id="tg:111:500")
        assert again.duplicate
        await store.release(again)


async def test_handled_ids_are_a_window_in_the_session(case: Case) -> None:
    store = case.store
    for n in (10, 12, 11, 14, 13, 15, 16):  # a little disorder (webhook mode)
        turn = await store.begin(key(63), update_id=f"tg:1:{n}")
        assert not turn.duplicate, n
        await store.commit(turn, {"n": n})
    for n, seen in ((16, True), (12, True), (17, False), (10, True)):
        # 10 fell out of the window; it is older than all of it, so it was handled.
        turn = await store.begin(key(63), update_id=f"tg:1:{n}")
        assert turn.duplicate is seen, n
        await store.release(turn)
    turn = await store.begin(key(63))
    assert turn.session == {"n": 16}  # no dedupe bookkeeping shows in the session
    await store.release(turn)


async def test_regression_a_failing_update_was_retried_forever(case: Case) -> None:
    """Regression: an update whose turn always failed (or killed the process) was tried
    again for ever, holding its chat and the whole polling batch back."""
    store = case.store
    for attempt in (1, 2, 3):  # three turns begun, none committed
        turn = await store.begin(key(64), update_id="tg:1:7")
        assert turn.attempt == attempt
        await store.release(turn)
    with pytest.raises(UpdatePoisonedError):
        await store.begin(key(64), update_id="tg:1:7")
    turn = await store.begin(key(64), update_id="tg:1:8", lock_timeout=0.5)  # lock is free
    assert turn.attempt == 1
    await store.commit(turn, {"v": 1})
    for _ in range(5):  # a duplicate is not a failure
        turn = await store.begin(key(64), update_id="tg:1:8")
        assert turn.duplicate
        assert turn.attempt <= 2
        await store.release(turn)


async def test_commit_puts_the_replies_in_the_outbox_in_the_same_write(case: Case) -> None:
    store = case.store
    post = Post("tg:1", ('{"k":"m","t":"one"}', '{"k":"m","t":"two"}'))
    claim = await store.commit(await store.begin(key(65), update_id="tg:1:1"), {"v": 1},
                               post=post)  # fmt: skip
    assert claim is not None
    assert claim.key == key(65)
    assert [i.body for i in claim.items] == list(post.items)
    # Not JSON objects: refused before anything is written, the lock left to the caller.
    turn = await store.begin(key(65), update_id="tg:1:2")
    with pytest.raises(TypeError):
        await store.commit(turn, {"v": 2}, post=Post("tg:1", ("[1]",)))
    await store.release(turn)
    turn = await store.begin(key(65), update_id="tg:1:2", lock_timeout=0.5)
    assert (turn.session, turn.duplicate) == ({"v": 1}, False)
    claim = await store.commit(turn, None, post=Post("tg:1", ('{"t":"bye"}',)))
    assert claim is not None
    assert [i.body for i in claim.items] == [*post.items, '{"t":"bye"}']  # oldest first


async def test_turns_on_one_key_are_serialised_in_order_of_arrival(case: Case) -> None:
    store = case.store
    inside = 0

    async def turn(n: int) -> None:
        nonlocal inside
        async with store.lock(key(7), update_id=f"tg:{n}") as scope:
            inside += 1
            assert inside == 1
            await asyncio.sleep(0.001)  # give others the chance to barge in
            seen = (scope.session or {"seen": []})["seen"]
            await scope.save({"seen": [*seen, n]})
            inside -= 1

    tasks = []
    for n in range(20):
        tasks.append(asyncio.create_task(turn(n)))
        await asyncio.sleep(0)  # arrival order is creation order
    await asyncio.gather(*tasks)
    last = await store.begin(key(7))
    assert last.session == {"seen": list(range(20))}
    await store.release(last)


async def test_different_keys_never_wait_for_each_other(case: Case) -> None:
    store = case.store
    all_in = asyncio.Event()
    inside = 0

    async def turn(n: int) -> None:
        nonlocal inside
        async with store.lock(key(f"many{n}")) as scope:
            inside += 1
            if inside == 200:
                all_in.set()
            await asyncio.wait_for(all_in.wait(), 10)  # all 200 hold their lock at once
            await scope.save({"n": n})

    await asyncio.gather(*(turn(n) for n in range(200)))
    turn_ = await store.begin(key("many199"))
    assert turn_.session == {"n": 199}
    await store.release(turn_)


async def test_lock_of_a_killed_process_expires(case: Case) -> None:
    killed = case.make(lock_ttl=0.3)
    orphan = await killed.begin(key(8))  # never committed nor released: the process died
    survivor = case.peer(killed, lock_ttl=0.3)
    waiting = asyncio.create_task(survivor.begin(key(8), lock_timeout=5))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    await case.advance(0.4)
    turn = await asyncio.wait_for(waiting, 5)
    await survivor.commit(turn, {"by": "survivor"})
    # The slow "dead" turn comes back: it may neither save nor unlock someone else.
    with pytest.raises(LockLostError):
        await killed.commit(orphan, {"by": "killed"})
    turn = await survivor.begin(key(8))
    assert turn.session == {"by": "survivor"}
    await survivor.release(turn)


async def test_release_only_releases_own_lock(case: Case) -> None:
    old_store = case.make(lock_ttl=0.3)
    stale = await old_store.begin(key(9))
    await case.advance(0.4)
    other = case.peer(old_store, lock_ttl=5)
    current = await other.begin(key(9), lock_timeout=2)
    await old_store.release(stale)  # must not unlock `current`
    with pytest.raises(LockTimeoutError):
        await other.begin(key(9), lock_timeout=0.2)
    await other.commit(current, {"v": "current"})
    turn = await other.begin(key(9), lock_timeout=0.5)
    assert turn.session == {"v": "current"}
    await other.release(turn)


async def test_lock_timeout_then_the_queue_still_works(case: Case) -> None:
    store = case.store
    holder = await store.begin(key(10))
    waiters = [asyncio.create_task(store.begin(key(10), lock_timeout=0.15)) for _ in range(3)]
    for waiter in waiters:
        with pytest.raises(LockTimeoutError):
            await waiter
    cancelled = asyncio.create_task(store.begin(key(10)))
    await asyncio.sleep(0.02)
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    await store.commit(holder, {"v": 1})
    turn = await store.begin(key(10), lock_timeout=0.5)
    assert turn.session == {"v": 1}
    await store.release(turn)


async def test_lock_helper_releases_on_error_and_on_duplicate(case: Case) -> None:
    store = case.store
    async with store.lock(key(11), update_id="tg:5") as scope:
        await scope.save({"v": 1})
    with pytest.raises(RuntimeError):
        async with store.lock(key(11)):
            raise RuntimeError
    async with store.lock(key(11), update_id="tg:5", lock_timeout=0.5) as scope:
        assert scope.duplicate  # not saved: the helper unlocks
    async with store.lock(key(11), lock_timeout=0.5) as scope:
        assert scope.session == {"v": 1}


async def test_delete_forgets_the_session_even_inside_a_turn(case: Case) -> None:
    store = case.store
    for k in (key(12), key(13)):
        await store.commit(await store.begin(k), {"v": k[:4]})
    await store.delete(key(12))
    turn = await store.begin(key(12), lock_timeout=0.5)
    assert turn.session is None
    await store.commit(turn, {"v": "again"})
    turn = await store.begin(key(12))
    await store.delete(key(12))  # "delete my data" chosen inside the conversation
    await store.commit(turn, None)
    turn = await store.begin(key(12))
    assert turn.session is None
    await store.release(turn)
    other = await store.begin(key(13))
    assert other.session == {"v": key(13)[:4]}
    await store.release(other)


async def test_ping_and_close(case: Case) -> None:
    await case.store.ping()


async def test_memory_store_cleans_up_after_itself() -> None:
    clock = FakeClock()
    store = MemorySessionStore(clock=clock, session_ttl=10, lock_ttl=5, dedupe_ttl=20)
    abandoned = await store.begin(key("abandoned"))  # a bug forgot this turn
    for n in range(50):
        await store.commit(await store.begin(key(n), update_id=f"tg:1:{n}"), {"n": n})
    for n in range(50, 60):
        await store.commit(await store.begin(key(n), update_id=f"tg:1:{n}"), None)
    assert len(store) == 61  # 50 sessions (marks inside), 10 marks alone, one lock
    clock.now += 21
    assert len(store) == 0  # locks, sessions and marks all expire
    with pytest.raises(LockLostError):
        await store.commit(abandoned, {})


# --- Redis only: the promises about round trips, memory, keys and outages ---------------


class CountingConnection(Connection):
    """Counts writes to the socket: one per round trip (a pipeline would be one too)."""

    sent = 0

    async def send_packed_command(self, *args: Any, **kwargs: Any) -> None:
        CountingConnection.sent += 1
        await super().send_packed_command(*args, **kwargs)


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.mark.redis
async def test_redis_ordinary_update_costs_two_round_trips(
    redis_url: str, redis_client: Redis
) -> None:
    pool = ConnectionPool.from_url(redis_url, connection_class=CountingConnection)
    store = RedisSessionStore(client=Redis.from_pool(pool))
    try:
        await store.commit(await store.begin(key(20), update_id="tg:0"), {"v": 0})  # warm up
        stats = await redis_client.info("commandstats")
        CountingConnection.sent = 0
        turn = await store.begin(key(20), update_id="tg:1")
        await store.commit(turn, {"v": 1})
        assert CountingConnection.sent <= 2
        after = await redis_client.info("commandstats")
        assert after["cmdstat_evalsha"]["calls"] - stats["cmdstat_evalsha"]["calls"] == 2
    finally:
        await store.close()
        await pool.aclose()


@pytest.mark.redis
async def test_redis_memory_per_conversation_under_1kb(redis_url: str, redis_client: Redis) -> None:
    store = RedisSessionStore(redis_url)
    session = {"v": 1, "flow": "shelter_feedback", "flow_version": 3, "step": "q4_safe",
               "age_band": "13-17", "lang": "ro", "service": "shelter",
               "answers": {"q1": 4, "q2": "yes", "q3": ["food", "staff"]},
               "text": "Mă simt în siguranță aici, dar aș vrea mai mult timp afară.",
               "started": "2024-W18", "handoff": None, "skips": 0,
               "history": ["q1", "q2", "q3"]}  # fmt: skip
    raw = json.dumps(session, separators=(",", ":"), ensure_ascii=False).encode()
    assert 250 <= len(raw) <= 350  # a typical session
    try:
        for n in range(20):  # a whole conversation: no key per update any more
            turn = await store.begin(key(21), update_id=f"tg:4242424242:{123456789 + n}")
            await store.commit(turn, session)
        # Mid-turn: lock and attempt count exist too.
        turn = await store.begin(key(21), update_id="tg:4242424242:123456999")
        names = [f"sv:s:{key(21)}", f"sv:l:{key(21)}", "sv:a:tg:4242424242:123456999"]
        used = [await redis_client.memory_usage(name) for name in names]
        assert all(used), used
        assert sum(used) <= 1024, used
        assert await redis_client.dbsize() == 3
        print(f"\nRedis bytes per conversation mid-turn: {sum(used)} ({used})")
        await store.release(turn)
    finally:
        await store.close()


@pytest.mark.redis
async def test_redis_every_key_has_a_ttl_and_delete_leaves_nothing(
    redis_url: str, redis_client: Redis
) -> None:
    store = RedisSessionStore(redis_url, session_ttl=1800, lock_ttl=30, dedupe_ttl=86400)
    try:
        await store.commit(await store.begin(key(22), update_id="tg:1:7"), None)  # no session
        await store.commit(await store.begin(key(22), update_id="tg:1:8"), {"v": 1})
        turn = await store.begin(key(22), update_id="tg:1:9")
        ttls = {k.decode(): await redis_client.pttl(k) async for k in redis_client.scan_iter()}
        lock, saved = f"sv:l:{key(22)}", f"sv:s:{key(22)}"
        assert set(ttls) == {saved, lock, "sv:u:tg:1:7", "sv:a:tg:1:9"}
        assert 0 < ttls[lock] <= 30_000
        assert 1_700_000 < ttls[saved] <= 1_800_000
        assert 86_000_000 < ttls["sv:u:tg:1:7"] <= 86_400_000
        assert 0 < ttls["sv:a:tg:1:9"] <= 3_600_000
        await store.delete(key(22))
        await store.commit(turn, None)
        left = sorted([k async for k in redis_client.scan_iter()])
        assert left == [b"sv:u:tg:1:7", b"sv:u:tg:1:9"]
        assert not [k for k in left if key(22).encode() in k]  # nothing keyed to the chat
    finally:
        await store.close()


@pytest.mark.redis
async def test_redis_prefix_is_configurable(redis_url: str, redis_client: Redis) -> None:
    store = RedisSessionStore(redis_url, prefix="other:")
    try:
        await store.commit(await store.begin(key(23)), {"v": 1})
        assert [k async for k in redis_client.scan_iter()] == [f"other:s:{key(23)}".encode()]
    finally:
        await store.close()


@pytest.mark.redis
async def test_redis_stopped_raises_storage_error_and_restart_recovers(
    redis_restartable: RedisProcess,
) -> None:
    store = RedisSessionStore(redis_restartable.url)
    try:
        await store.ping()
        turn = await store.begin(key(24), update_id="tg:1")
        redis_restartable.stop()
        with pytest.raises(StorageError, match="cannot reach the conversation store"):
            await store.commit(turn, {"v": 1})
        with pytest.raises(StorageError, match="cannot reach"):
            await store.ping()
        with pytest.raises(StorageError):
            await store.begin(key(24), lock_timeout=0.5)
        redis_restartable.start()
        await store.ping()
        turn = await store.begin(key(24), update_id="tg:1", lock_timeout=0.5)
        assert (turn.session, turn.duplicate) == (None, False)  # restart lost everything
        await store.commit(turn, {"v": 2})
    finally:
        await store.close()


@pytest.mark.redis
async def test_redis_restarted_mid_turn_loses_the_lock_then_works(
    redis_restartable: RedisProcess,
) -> None:
    store = RedisSessionStore(redis_restartable.url)
    try:
        await store.commit(await store.begin(key(25)), {"v": 1})
        turn = await store.begin(key(25))
        redis_restartable.restart()  # scripts and keys are gone; pooled sockets are dead
        with pytest.raises(LockLostError):
            await store.commit(turn, {"v": 2})
        turn = await store.begin(key(25), lock_timeout=0.5)  # scripts load again (NOSCRIPT)
        assert turn.session is None
        await store.commit(turn, {"v": 3})
        turn = await store.begin(key(25))
        assert turn.session == {"v": 3}
        await store.release(turn)
    finally:
        await store.close()


@pytest.mark.redis
async def test_redis_a_killed_senders_lock_is_taken_over_without_waiting_its_ttl(
    redis_url: str,
) -> None:
    """A bot process names itself in its locks; killed mid-turn, its chats wait only
    until it stops being alive (seconds), not the lock's TTL (30 s)."""
    clients = [Redis.from_url(redis_url), Redis.from_url(redis_url)]
    killed_box = RedisOutbox(clients[0], redis_url, alive_ttl=0.3)
    killed = RedisSessionStore(redis_url, lock_ttl=30, outbox=killed_box)
    survivor_box = RedisOutbox(clients[1], redis_url, alive_ttl=0.3)
    survivor = RedisSessionStore(redis_url, lock_ttl=30, outbox=survivor_box)
    try:
        await killed_box.heartbeat()
        await survivor_box.heartbeat()
        orphan = await killed.begin(key(26), update_id="tg:1:1")  # ...and it is killed
        with pytest.raises(LockTimeoutError):
            await survivor.begin(key(26), update_id="tg:1:1", lock_timeout=0.1)  # alive yet
        await asyncio.sleep(0.4)
        turn = await survivor.begin(key(26), update_id="tg:1:1", lock_timeout=2)
        assert turn.attempt == 2  # the killed turn counts; waiting for the lock does not
        await survivor.commit(turn, {"by": "survivor"})
        with pytest.raises(LockLostError):
            await killed.commit(orphan, {"by": "killed"})
        # A process that does not send (no heartbeat: `serve`) never has its lock taken.
        quiet = RedisSessionStore(redis_url, lock_ttl=30)
        held = await quiet.begin(key(27))
        with pytest.raises(LockTimeoutError):
            await survivor.begin(key(27), lock_timeout=0.2)
        await quiet.release(held)
        await quiet.close()
    finally:
        await killed.close()
        await survivor.close()
        for client in clients:
            await client.aclose()
