"""The real bot (either adapter) against the stand-in Bot API and a real Redis."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.app import App, load_app
from bot.channels.telegram.limiter import Limits
from bot.channels.telegram.polling import Poller
from bot.channels.telegram.runtime import Bot, build
from bot.runtime import build_runtime
from tests.telegram.fake_api import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"
SECRET = "test-secret-key-for-telegram-tests"
FAST = Limits(per_bot=5000, per_chat=1000, chat_burst=1000, per_group=1000, bot_burst=5000)


def write_config(tmp: Path, api_base: str) -> Path:
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = re.sub(r'api_base = ".*"', f'api_base = "{api_base}"', text)
    text = text.replace('flows_dir = "flows"', f'flows_dir = "{ROOT / "flows"}"')
    text = text.replace('locales_dir = "locales"', f'locales_dir = "{ROOT / "locales"}"')
    # A web desk answers requests for a person (else `safevoice run` refuses to start).
    text = text.replace("[web]\n", '[web]\npublic_url = "https://feedback.example.org"\n', 1)
    assert "public_url = " in text
    path = tmp / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(params=["aiogram", "ptb"])
def library(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def bot_env(
    fake: FakeTelegram, tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> Path:
    config = write_config(tmp_path, fake.url)
    monkeypatch.setenv("SAFEVOICE_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("SAFEVOICE_SECRET_KEY", SECRET)
    monkeypatch.setenv("SAFEVOICE_REDIS_URL", redis_url)
    monkeypatch.setenv("SAFEVOICE_DATABASE_URL", f"sqlite:///{tmp_path / 'feedback.db'}")
    return config


@dataclass
class Running:
    bot: Bot
    app: App
    stop: asyncio.Event
    task: asyncio.Task[None]


@pytest.fixture
def start_bot(
    bot_env: Path, library: str
) -> Callable[..., contextlib.AbstractAsyncContextManager[Running]]:
    @contextlib.asynccontextmanager
    async def start(limits: Limits = FAST, **sender: Any) -> AsyncIterator[Running]:
        app = load_app(bot_env)
        bot = await open_bot(app, library, limits)
        for name, value in sender.items():
            setattr(bot.sender, name, value)
        stop = asyncio.Event()
        task = asyncio.create_task(Poller(bot.transport, bot.channel, timeout=1).run(stop))
        # The outbox drain's heartbeat and sweep, as `Bot.background()` runs them.
        drain = asyncio.create_task(bot.drain.run(stop)) if bot.drain else None
        try:
            yield Running(bot, app, stop, task)
        finally:
            stop.set()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            if drain is not None:
                await drain
            await close_bot(bot)

    return start


async def open_bot(app: App, library: str, limits: Limits = FAST) -> Bot:
    """The Telegram bot on a production ("run") runtime, as `safevoice run` builds it."""
    runtime = build_runtime(app, "run")
    try:
        return await build(runtime, library=library, limits=limits)
    except BaseException:
        await runtime.close()
        raise


async def close_bot(bot: Bot) -> None:
    await bot.close()
    await bot.runtime.close()
