"""`safevoice run` as a real process: killed between receiving and handling an update,
restarted, and the update is handled exactly once. Also the webhook's secret check."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bot.app import load_app
from bot.channels.telegram import texts
from bot.channels.telegram.webhook import SECRET_HEADER, webhook_app, webhook_secret
from tests.fixtures.redis import RedisProcess
from tests.telegram.conftest import ROOT, close_bot, open_bot
from tests.telegram.fake_api import FakeTelegram

CHAT = 7755555555


async def spawn(config: Path, library: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "--config", str(config), "run", "--library", library,
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


async def test_killed_between_receiving_and_handling(
    fake: FakeTelegram,
    bot_env: Path,
    library: str,
    redis_restartable: RedisProcess,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SAFEVOICE_REDIS_URL", redis_restartable.url)
    proc = await spawn(bot_env, library)
    try:
        await fake.wait_for(lambda: fake.count("setMyCommands") >= 4, timeout=30)
        redis_restartable.stop()  # the update arrives but cannot be handled
        update = fake.text(CHAT, "/start")
        await fake.wait_for(lambda: texts.TROUBLE in fake.bot_texts(CHAT), timeout=20)
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
        assert fake.confirmed <= update["update_id"]  # never confirmed
        redis_restartable.start()
        proc = await spawn(bot_env, library)
        await fake.wait_for(lambda: len(fake.bot_texts(CHAT)) >= 2, timeout=30)
        await asyncio.sleep(1.5)  # time for a wrong second answer to show up
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
    said = fake.bot_texts(CHAT)
    assert said[0] == texts.TROUBLE
    assert len(said) == 2
    assert "Which language" in said[1]


async def test_webhook_checks_secret_and_answers_after_handling(
    fake: FakeTelegram, bot_env: Path, library: str
) -> None:
    app = load_app(bot_env)
    bot = await open_bot(app, library)
    token = webhook_secret(b"x")
    server = TestServer(webhook_app(bot.transport, bot.channel, token))
    await server.start_server()
    update = {
        "update_id": 5,
        "message": {
            "message_id": 1, "date": 1700000000, "text": "/start",
            "chat": {"id": CHAT, "type": "private"},
            "from": {"id": CHAT, "is_bot": False, "first_name": "A", "language_code": "ro"},
        },
    }  # fmt: skip
    try:
        async with aiohttp.ClientSession() as http:
            url = str(server.make_url("/telegram"))
            for wrong in ({}, {SECRET_HEADER: "nope"}, {SECRET_HEADER: token[:-1] + "0"}):
                async with http.post(url, json=update, headers=wrong) as response:
                    assert response.status == 401
            for _ in range(2):  # delivered twice: handled once
                async with http.post(url, json=update, headers={SECRET_HEADER: token}) as resp:
                    assert resp.status == 200
        await bot.sender.drain()
    finally:
        await server.close()
        await close_bot(bot)
    said = fake.bot_texts(CHAT)
    assert len(said) == 1  # the first language guess is Romanian; the young person confirms
