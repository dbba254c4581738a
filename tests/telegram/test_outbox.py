"""The durable outbox, poison updates and per-bot dedupe, end to end on both adapters.

Regressions named after the defects: replies waited only in the sender's memory, so a
killed bot lost them for good (the update was already confirmed); one update the library
could not read stopped the bot for everyone; two bots on one Redis dropped each other's
updates. (The fault suite, tests/telegram/faults/, does all of it under load.)
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from pathlib import Path

import aiohttp
import pytest
import redis
from aiohttp.test_utils import TestServer

from bot.app import load_app
from bot.channels.telegram.webhook import SECRET_HEADER, webhook_app, webhook_secret
from tests.telegram.conftest import close_bot, open_bot
from tests.telegram.fake_api import FakeTelegram
from tests.telegram.test_process import spawn

CHAT = 7744444444
LANGUAGE = "Which language would you like?"
BAD = {"message": {"message_id": 1, "date": 1700000000, "chat": "not-a-chat"}}


def asked(fake: FakeTelegram, chat: int = CHAT) -> int:
    return sum(LANGUAGE in text for text in fake.transcript(chat))


async def test_regression_killing_the_bot_lost_replies_for_good(
    fake: FakeTelegram, bot_env: Path, library: str
) -> None:
    """Six updates of one chat are handled and confirmed at once, but Telegram's limit
    for one chat (1/s after a burst of 3) holds their replies: killed then, the old bot
    never sent them. Now they wait in the outbox, and the next process sends them."""
    proc = await spawn(bot_env, library)
    try:
        await fake.wait_for(lambda: fake.count("setMyCommands") >= 4, timeout=60)
        updates = [fake.text(CHAT, "/start") for _ in range(6)]
        await fake.wait_for(lambda: fake.confirmed > updates[-1]["update_id"], timeout=30)
        await fake.wait_for(lambda: asked(fake) >= 1, timeout=30)
        assert asked(fake) < 6  # replies are still waiting
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
        proc = await spawn(bot_env, library)
        await fake.wait_for(lambda: asked(fake) >= 6, timeout=60)
        await asyncio.sleep(1.5)
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
    assert 6 <= asked(fake) <= 7  # one may repeat: in flight when killed


async def test_regression_the_webhook_answered_before_replies_were_safe(
    fake: FakeTelegram, bot_env: Path, library: str
) -> None:
    """Webhook mode: 200 said "handled" while the replies were only in memory."""
    app = load_app(bot_env)
    first = await open_bot(app, library)
    token = webhook_secret(b"x")
    server = TestServer(webhook_app(first.transport, first.channel, token))
    await server.start_server()
    try:
        first.sender.limiter.pause(CHAT, 30.0)  # Telegram holds this chat's replies
        async with aiohttp.ClientSession() as http:
            url = str(server.make_url("/telegram"))
            update = fake.text(CHAT, "/start")
            async with http.post(url, json=update, headers={SECRET_HEADER: token}) as resp:
                assert resp.status == 200
        # Killed now: nothing sent, nothing released (a clean stop would hand over).
        for task in list(first.sender._workers.values()):
            task.cancel()
        await asyncio.sleep(0.05)
        assert asked(fake) == 0
        second = await open_bot(app, library)
        stop = asyncio.Event()
        assert second.drain is not None
        running = asyncio.create_task(second.drain.run(stop))
        try:
            await fake.wait_for(lambda: asked(fake) == 1, timeout=20)  # after the owner lapsed
        finally:
            stop.set()
            await running
            await close_bot(second)
    finally:
        await server.close()
        first.sender.limiter.pause(CHAT, 0)
        with contextlib.suppress(Exception):
            await close_bot(first)
    assert asked(fake) == 1


async def test_regression_one_unreadable_update_stopped_the_bot_for_everyone(
    fake: FakeTelegram, start_bot, redis_url: str
) -> None:
    async with start_bot():
        fake.push(BAD)  # the library cannot read it; the whole batch used to fail
        fake.text(CHAT, "/start")
        fake.text(CHAT + 1, "/start")
        await fake.wait_for(lambda: asked(fake) == 1 and asked(fake, CHAT + 1) == 1)
        await fake.settled()
    assert not any(u["update_id"] >= fake.confirmed for u in fake.updates)  # moved on
    client = redis.Redis.from_url(redis_url)
    try:
        [letter] = client.lrange("sv:dl:tg:123456", 0, -1)
    finally:
        client.close()
    assert letter.startswith(b'{"k":"message","e":')  # kind and error class, no content
    assert b"not-a-chat" not in letter


async def test_regression_the_webhook_refused_an_unreadable_update_forever(
    fake: FakeTelegram, bot_env: Path, library: str, redis_url: str
) -> None:
    """400 made Telegram post it again and again; it is recorded and answered 200."""
    bot = await open_bot(load_app(bot_env), library)
    token = webhook_secret(b"x")
    server = TestServer(webhook_app(bot.transport, bot.channel, token))
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as http:
            url = str(server.make_url("/telegram"))
            bad = {"update_id": 77, **BAD}
            async with http.post(url, json=bad, headers={SECRET_HEADER: token}) as resp:
                assert resp.status == 200
            async with http.post(url, json=[1], headers={SECRET_HEADER: token}) as resp:
                assert resp.status == 400  # not an update at all
    finally:
        await server.close()
        await close_bot(bot)
    client = redis.Redis.from_url(redis_url)
    try:
        assert client.llen("sv:dl:tg:123456") == 1
    finally:
        client.close()


@pytest.fixture
async def other_fake() -> FakeTelegram:
    server = FakeTelegram()
    await server.start()
    yield server  # type: ignore[misc]
    await server.stop()


async def test_regression_two_bots_on_one_redis_dropped_each_others_updates(
    fake: FakeTelegram,
    other_fake: FakeTelegram,
    bot_env: Path,
    library: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Both bots number their updates alike (here both from 1000); marks were
    `sv:u:tg:<update_id>`, so the second bot took its updates for the first's."""
    from tests.telegram.conftest import write_config

    first = await open_bot(load_app(bot_env), library)
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    monkeypatch.setenv("SAFEVOICE_TELEGRAM_TOKEN", "654321:OTHER-token-abcdefghijklmnopqrstuvw")
    second = await open_bot(load_app(write_config(other_dir, other_fake.url)), library)
    try:
        update = fake.text(CHAT, "/start")
        again = other_fake.text(CHAT + 5, "/start")
        assert update["update_id"] == again["update_id"]
        for bot, sent in ((first, update), (second, again)):
            await bot.channel.handle(bot.transport.parse(sent))
            await bot.sender.drain()
    finally:
        await close_bot(first)
        await close_bot(second)
    assert asked(fake) == 1
    assert asked(other_fake, CHAT + 5) == 1
