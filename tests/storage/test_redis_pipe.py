"""The conversation store's shared, pipelined Redis connection, against real servers."""

from __future__ import annotations

import asyncio

import pytest
import redis
from hypothesis import given
from hypothesis import strategies as st
from redis.exceptions import AuthenticationError, ResponseError
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.storage.redis_pipe import PipeClient, _Protocol, pack, supports
from bot.storage.redis_pool import LeanPool
from bot.storage.redis_sessions import RedisSessionStore
from tests.fixtures.redis import RedisProcess
from tests.naughty import BLNS, settings_for

ECHO = "return {ARGV[1], tonumber(ARGV[2]), false}"


@pytest.mark.redis
async def test_many_calls_at_once_each_get_their_own_reply(redis_url: str) -> None:
    client = PipeClient(redis_url)
    echo = client.register_script(ECHO)
    values = list(BLNS)
    try:
        replies = await asyncio.gather(*(echo([], [v, i]) for i, v in enumerate(values)))
        assert replies == [[v.encode(), i, None] for i, v in enumerate(values)]
        admin = redis.Redis.from_url(redis_url)
        try:  # one connection carried them all (and the admin's own)
            assert len(admin.client_list()) == 2
        finally:
            admin.close()
    finally:
        await client.aclose()


@pytest.mark.redis
async def test_a_call_given_up_does_not_shift_the_next_reply(redis_url: str) -> None:
    client = PipeClient(redis_url)
    try:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):  # BLPOP holds the connection for 0.3 s
                await client.execute("BLPOP", "sv:test:empty", "0.3")
        assert await client.execute("ECHO", "mine") == b"mine"
    finally:
        await client.aclose()


@pytest.mark.redis
async def test_an_error_reply_is_raised_and_the_connection_goes_on(redis_url: str) -> None:
    client = PipeClient(redis_url)
    try:
        await client.execute("SET", "sv:test:word", "hello")
        with pytest.raises(ResponseError):
            await client.execute("INCR", "sv:test:word")
        assert await client.ping()
        assert await client.delete("sv:test:word") == 1
    finally:
        await client.aclose()


@pytest.mark.redis
async def test_a_script_redis_forgot_is_loaded_again(redis_url: str) -> None:
    client = PipeClient(redis_url)
    echo = client.register_script(ECHO)
    try:
        assert await echo([], ["a", 1]) == [b"a", 1, None]
        await client.execute("SCRIPT", "FLUSH")
        assert await echo([], ["b", 2]) == [b"b", 2, None]
    finally:
        await client.aclose()


@pytest.mark.redis
async def test_redis_stopped_fails_calls_and_a_restart_is_ridden_over(
    redis_restartable: RedisProcess,
) -> None:
    client = PipeClient(redis_restartable.url)
    try:
        assert await client.ping()
        redis_restartable.stop()
        with pytest.raises(RedisConnectionError):
            await client.ping()
        redis_restartable.start()
        assert await client.ping()
        redis_restartable.restart()  # the old connection is dead: the call retries
        assert await client.ping()
    finally:
        await client.aclose()


@pytest.mark.redis
async def test_password_and_database_number_from_the_url(
    redis_restartable: RedisProcess,
) -> None:
    admin = redis.Redis.from_url(redis_restartable.url)
    admin.config_set("requirepass", "s3cret")
    base = f"127.0.0.1:{redis_restartable.port}"
    admin = redis.Redis.from_url(f"redis://:s3cret@{base}/3")
    client = PipeClient(f"redis://:s3cret@{base}/3")
    wrong = PipeClient(f"redis://:nope@{base}/3")
    try:
        await client.execute("SET", "sv:test:where", "three")
        assert admin.get("sv:test:where") == b"three"
        with pytest.raises(AuthenticationError):
            await wrong.ping()
    finally:
        await client.aclose()
        await wrong.aclose()
        admin.close()


def test_urls_with_options_it_does_not_know_keep_the_redis_py_pool() -> None:
    assert supports("redis://127.0.0.1:6379/0")
    assert supports("redis://user:pw@127.0.0.1:6379/2")
    assert supports("unix:///run/redis.sock?db=1")
    assert not supports("rediss://127.0.0.1:6380/0?ssl_cert_reqs=none")
    assert not supports("redis://127.0.0.1:6379/0?socket_timeout=3")
    assert not supports("http://127.0.0.1/")
    store = RedisSessionStore("redis://127.0.0.1:1/0?socket_timeout=3")
    assert isinstance(store._client.connection_pool, LeanPool)  # type: ignore[union-attr]
    assert isinstance(RedisSessionStore("redis://127.0.0.1:1/0")._client, PipeClient)


@pytest.mark.redis
async def test_a_store_turn_is_two_calls_on_the_shared_connection(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = RedisSessionStore(redis_url)
    sent: list[bytes] = []
    original = PipeClient._send

    def counting(self: PipeClient, protocol: _Protocol, args: list[object]) -> object:
        sent.append(pack(args)[:40])  # type: ignore[arg-type]
        return original(self, protocol, args)  # type: ignore[arg-type]

    try:
        await store.commit(await store.begin("k" * 64, update_id="tg:1"), {"v": 1})  # loads
        monkeypatch.setattr(PipeClient, "_send", counting)
        turn = await store.begin("k" * 64, update_id="tg:2")
        assert turn.session == {"v": 1}
        await store.commit(turn, {"v": 2})
        assert len(sent) == 2
        assert all(b"EVALSHA" in line for line in sent)
    finally:
        await store.close()


REPLY = st.recursive(
    st.one_of(st.none(), st.binary(max_size=40), st.integers(-(2**62), 2**62)),
    lambda inner: st.lists(inner, max_size=5),
    max_leaves=20,
)


def _encode(value: object) -> bytes:
    if value is None:
        return b"$-1\r\n"
    if isinstance(value, bytes):
        return b"$%d\r\n%s\r\n" % (len(value), value)
    if isinstance(value, int):
        return b":%d\r\n" % value
    assert isinstance(value, list)
    return b"*%d\r\n" % len(value) + b"".join(_encode(item) for item in value)


@settings_for(200)
@given(replies=st.lists(REPLY, min_size=1, max_size=6), cuts=st.lists(st.integers(1, 30)))
def test_replies_split_anywhere_are_read_whole_and_in_order(
    replies: list[object], cuts: list[int]
) -> None:
    async def feed() -> list[object]:
        protocol = _Protocol()
        loop = asyncio.get_running_loop()
        futures = [loop.create_future() for _ in replies]
        protocol.waiting.extend(futures)
        data, start = b"".join(_encode(r) for r in replies), 0
        for cut in [*cuts, len(b"".join(_encode(r) for r in replies))]:
            protocol.data_received(data[start : start + cut])
            start += cut
        protocol.data_received(data[start:])
        return [f.result() for f in futures]

    assert asyncio.run(feed()) == replies
