"""One suite for staff sessions and login limits (STYLE point 3): memory and a real Redis.

Time: memory stores run on a fake clock the test moves; Redis stores get short timeouts
and the test really waits. ``case.peer(store)`` is another web process sharing the store:
for Redis a second store on its own client (its own connections), for memory the same one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.errors import StorageError
from bot.staff.accounts import Account
from bot.storage.login_limits import LoginLimits, MemoryLoginLimits
from bot.storage.redis_staff import RedisLoginLimits, RedisStaffSessions
from bot.storage.staff_sessions import (
    MemoryStaffSessions,
    StaffSession,
    StaffSessionStore,
    session_id,
    token_digest,
)
from tests.fixtures.clock import FakeClock
from tests.fixtures.redis import RedisProcess


@dataclass
class Case:
    kind: str
    sessions: Callable[..., StaffSessionStore]  # (idle=, absolute=) -> a new process's store
    limits: Callable[..., LoginLimits]  # (max_failures=, window=)
    advance: Callable[[float], Awaitable[None]]

    def peer(self, of: Any, make: Callable[..., Any], **options: float) -> Any:
        """Another process sharing ``of``'s data (memory has only its own process)."""
        return make(**options) if self.kind == "redis" else of


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def case(request: pytest.FixtureRequest) -> AsyncIterator[Case]:
    clients: list[Redis] = []
    if request.param == "memory":
        clock = FakeClock()

        def sessions(idle: float = 60.0, absolute: float = 600.0) -> StaffSessionStore:
            return MemoryStaffSessions(idle=idle, absolute=absolute, clock=clock)

        def limits(max_failures: int = 5, window: float = 60.0) -> LoginLimits:
            return MemoryLoginLimits(max_failures=max_failures, window=window, clock=clock)

        async def advance(seconds: float) -> None:
            clock.now += seconds

    else:
        url = request.getfixturevalue("redis_url")

        def client() -> Redis:
            clients.append(Redis.from_url(url))
            return clients[-1]

        def sessions(idle: float = 60.0, absolute: float = 600.0) -> StaffSessionStore:
            return RedisStaffSessions(client(), idle=idle, absolute=absolute)

        def limits(max_failures: int = 5, window: float = 60.0) -> LoginLimits:
            return RedisLoginLimits(client(), max_failures=max_failures, window=window)

        async def advance(seconds: float) -> None:
            await asyncio.sleep(seconds)

    yield Case(request.param, sessions, limits, advance)
    for made in clients:
        await made.aclose()


# -- staff sessions ------------------------------------------------------------------------
async def test_open_then_get_gives_the_same_session(case: Case) -> None:
    book = case.sessions()
    session = await book.open("viewer")
    assert len(session.token) == len(session.csrf) == 43
    assert session.token != session.csrf
    found = await book.get(session.token)
    assert found is not None
    assert (found.token, found.account_name, found.csrf) == (
        session.token, "viewer", session.csrf,
    )  # fmt: skip
    assert found.created == pytest.approx(session.created)
    other = await book.open("viewer")
    assert other.token != session.token
    assert other.csrf != session.csrf


@pytest.mark.parametrize("token", [None, "", "x" * 43, "not-a-token"])
async def test_unknown_tokens_find_nothing(case: Case, token: str | None) -> None:
    book = case.sessions()
    await book.open("viewer")
    assert await book.get(token) is None
    assert not await book.alive(token)
    await book.close(token)  # nothing to close: no error


async def test_session_ends_after_idle_timeout_and_requests_restart_it(case: Case) -> None:
    book = case.sessions(idle=0.5, absolute=10.0)
    session = await book.open("viewer")
    for _ in range(3):
        await case.advance(0.3)
        assert await book.get(session.token) is not None  # touched: the idle timer restarts
    await case.advance(0.7)
    assert await book.get(session.token) is None
    assert not await book.alive(session.token)


async def test_alive_does_not_touch_the_session(case: Case) -> None:
    book = case.sessions(idle=0.6, absolute=10.0)
    session = await book.open("worker")
    await case.advance(0.35)
    assert await book.alive(session.token)
    await case.advance(0.35)  # 0.7 since the last request: a desk left open does not count
    assert not await book.alive(session.token)
    assert await book.get(session.token) is None


async def test_session_ends_after_absolute_timeout_even_when_busy(case: Case) -> None:
    book = case.sessions(idle=0.8, absolute=1.2)
    session = await book.open("viewer")
    for _ in range(3):
        await case.advance(0.3)
        assert await book.get(session.token) is not None
    await case.advance(0.4)  # 1.3 since login, only 0.4 since the last request
    assert await book.get(session.token) is None
    assert not await book.alive(session.token)


async def test_close_ends_one_session_only(case: Case) -> None:
    book = case.sessions()
    first, second = await book.open("viewer"), await book.open("viewer")
    await book.close(first.token)
    assert await book.get(first.token) is None
    assert await book.get(second.token) is not None


async def test_close_account_ends_every_session_of_that_account_only(case: Case) -> None:
    book = case.sessions()
    mine = [await book.open("viewer") for _ in range(3)]
    admin = await book.open("admin")
    await book.close(mine[0].token)
    await case.peer(book, case.sessions).close_account("viewer")
    for session in mine:
        assert await book.get(session.token) is None
    assert await book.get(admin.token) is not None
    again = await book.open("viewer")  # a new login after the reset works
    assert await book.get(again.token) is not None


async def test_staff_session_opened_on_one_process_is_valid_on_another(case: Case) -> None:
    on_a = case.sessions(idle=0.6, absolute=10.0)
    on_b = case.peer(on_a, case.sessions, idle=0.6, absolute=10.0)
    session = await on_a.open("admin")
    found = await on_b.get(session.token)
    assert found is not None
    assert (found.account_name, found.csrf) == ("admin", session.csrf)  # CSRF checks on B too
    await case.advance(0.3)
    assert await on_a.get(session.token) is not None  # B's request kept it alive for A
    await case.advance(0.3)
    assert await on_b.alive(session.token)
    await on_b.close(session.token)  # logging out on B ends it on A
    assert await on_a.get(session.token) is None


async def test_an_account_lists_its_own_open_sessions_newest_first(case: Case) -> None:
    book = case.sessions()
    first = await book.open("viewer", "Firefox on Linux")
    await case.advance(0.1)
    second = await book.open("viewer", "Chrome on Android")
    await book.open("admin", "Safari on macOS")
    closed = await book.open("viewer", "Edge on Windows")
    await book.close(closed.token)
    listed = await case.peer(book, case.sessions).sessions("viewer")
    assert [info.client for info in listed] == ["Chrome on Android", "Firefox on Linux"]
    assert listed[0].created >= listed[1].created
    assert all(first.token not in info.id and second.token not in info.id for info in listed)
    assert await book.sessions("nobody") == []


async def test_close_one_ends_that_session_on_every_process(case: Case) -> None:
    on_a = case.sessions()
    on_b = case.peer(on_a, case.sessions)
    keep, end = await on_a.open("viewer"), await on_a.open("viewer")
    admin = await on_a.open("admin")
    target = next(i.id for i in await on_a.sessions("viewer") if i.id != _id_of(keep))
    assert await on_b.close_one("viewer", target)
    assert await on_a.get(end.token) is None
    assert await on_a.get(keep.token) is not None
    assert not await on_b.close_one("viewer", target)  # already ended
    # Another account's id finds nothing, and ends nothing.
    admin_id = (await on_a.sessions("admin"))[0].id
    assert not await on_b.close_one("viewer", admin_id)
    assert not await on_b.close_one("viewer", "f" * 32)
    assert await on_a.get(admin.token) is not None


def _id_of(session: StaffSession) -> str:
    return session_id(token_digest(session.token))


async def test_account_attached_by_the_guard_must_be_the_sessions_own() -> None:
    session = StaffSession("t", "viewer", "c", 0.0, 0.0)
    with pytest.raises(RuntimeError, match="auth middleware"):
        _ = session.account
    viewer = Account("viewer", "viewer", ("shelter",), False)
    session.account = viewer
    assert session.account is viewer
    with pytest.raises(ValueError, match="its own account"):
        session.account = Account("admin", "admin", (), False)


# -- login limits --------------------------------------------------------------------------
async def test_limits_block_after_max_failures_per_key(case: Case) -> None:
    limits = case.limits(max_failures=3)
    for _ in range(2):
        await limits.failed("name:admin", "ip:10.0.0.1")
    assert not await limits.blocked("name:admin", "ip:10.0.0.1")
    await limits.failed("name:admin", "ip:10.0.0.1")
    assert await limits.blocked("name:admin")
    assert await limits.blocked("name:viewer", "ip:10.0.0.1")  # any key blocks
    assert not await limits.blocked("name:viewer", "ip:10.0.0.2")
    assert not await limits.blocked()


async def test_limits_forget_failures_older_than_the_window(case: Case) -> None:
    limits = case.limits(max_failures=3, window=0.5)
    for _ in range(2):
        await limits.failed("name:admin")
    await case.advance(0.3)
    await limits.failed("name:admin")
    assert await limits.blocked("name:admin")
    await case.advance(0.3)  # the first two are out of the window now
    assert not await limits.blocked("name:admin")
    await limits.failed("name:admin")
    await limits.failed("name:admin")
    assert await limits.blocked("name:admin")
    await case.advance(0.6)
    assert not await limits.blocked("name:admin")


async def test_a_success_clears_only_the_account_key(case: Case) -> None:
    limits = case.limits(max_failures=2)
    for _ in range(2):
        await limits.failed("name:admin", "ip:10.0.0.1")
    await limits.succeeded("name:admin")
    assert not await limits.blocked("name:admin")
    assert await limits.blocked("ip:10.0.0.1")  # owning one account resets nothing else


async def test_a_flood_of_failures_still_counts_and_stays_bounded(case: Case) -> None:
    limits = case.limits(max_failures=3)
    await asyncio.gather(*(limits.failed("ip:10.0.0.9") for _ in range(50)))
    assert await limits.blocked("ip:10.0.0.9")


async def test_login_failures_on_one_process_block_on_another(case: Case) -> None:
    on_a = case.limits(max_failures=5)
    on_b = case.peer(on_a, case.limits, max_failures=5)
    for _ in range(3):
        await on_a.failed("name:admin", "ip:10.0.0.1")
    for _ in range(2):
        await on_b.failed("name:admin", "ip:10.0.0.1")
    assert await on_b.blocked("name:admin")
    assert await on_a.blocked("ip:10.0.0.1")
    await on_b.succeeded("name:admin")
    assert not await on_a.blocked("name:admin")


# -- Redis only: what the keys hold, their TTLs, and outages -------------------------------
@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


async def _dump(client: Redis) -> dict[bytes, tuple[int, bytes]]:
    """Every key with its TTL (ms) and a printable form of its value."""
    found = {}
    async for name in client.scan_iter():
        kind = (await client.type(name)).decode()
        if kind == "hash":
            value = repr(await client.hgetall(name)).encode()
        elif kind == "set":
            value = repr(await client.smembers(name)).encode()
        else:
            value = repr(await client.zrange(name, 0, -1)).encode()
        found[name] = (await client.pttl(name), value)
    return found


@pytest.mark.redis
async def test_redis_keeps_no_cookie_token_and_every_key_expires(redis_client: Redis) -> None:
    book = RedisStaffSessions(redis_client, idle=1800, absolute=12 * 3600)
    limits = RedisLoginLimits(redis_client, window=900)
    session = await book.open("admin")
    await limits.failed("name:admin", "ip:192.0.2.7")
    dump = await _dump(redis_client)
    assert all(name.startswith(b"sv:web:") for name in dump)
    for name, (ttl, value) in dump.items():
        assert session.token.encode() not in name + value  # a dump hands out no live cookie
        assert b"192.0.2.7" not in name
        assert b"name:admin" not in name
        assert ttl > 0, name
    ttls = {name.split(b":")[2]: ttl for name, (ttl, _) in dump.items()}
    assert 1_700_000 < ttls[b"ss"] <= 1_800_000
    assert ttls[b"sa"] <= 12 * 3600 * 1000
    assert 800_000 < ttls[b"lf"] <= 900_000
    await book.close_account("admin")
    await limits.succeeded("name:admin")
    left = [name async for name in redis_client.scan_iter()]
    assert len(left) == 1  # the address's failures: a success clears only the name
    assert left[0].startswith(b"sv:web:lf:")


@pytest.mark.redis
async def test_redis_idle_ttl_is_cut_short_by_the_absolute_timeout(redis_client: Redis) -> None:
    book = RedisStaffSessions(redis_client, idle=60, absolute=0.8)
    session = await book.open("viewer")
    await asyncio.sleep(0.5)
    assert await book.get(session.token) is not None
    [name] = [n async for n in redis_client.scan_iter("sv:web:ss:*")]
    assert 0 < await redis_client.pttl(name) <= 300  # not the full idle minute


@pytest.mark.redis
async def test_redis_prefix_is_configurable(redis_client: Redis) -> None:
    book = RedisStaffSessions(redis_client, idle=60, absolute=600, prefix="other:")
    await RedisLoginLimits(redis_client, prefix="other:").failed("name:x")
    await book.open("viewer")
    assert all([name.startswith(b"other:") async for name in redis_client.scan_iter()])


@pytest.mark.redis
async def test_redis_stopped_raises_storage_error_then_recovers(
    redis_restartable: RedisProcess,
) -> None:
    client = Redis.from_url(redis_restartable.url, socket_connect_timeout=1.0)
    book = RedisStaffSessions(client, idle=60, absolute=600)
    limits = RedisLoginLimits(client)
    try:
        session = await book.open("viewer")
        redis_restartable.stop()
        with pytest.raises(StorageError, match="cannot reach the staff login store"):
            await book.get(session.token)
        with pytest.raises(StorageError, match="cannot reach the login rate limit"):
            await limits.blocked("name:viewer")
        redis_restartable.start()
        assert await book.get(session.token) is None  # the restart ended every session
        assert await book.get((await book.open("viewer")).token) is not None
    finally:
        await client.aclose()
