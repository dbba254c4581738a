"""What a worker on another process's desk writes to a young person on Telegram: the
delivery queue, emptied by the `run` processes, on the stand-in Bot API and real Redis."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from bot.app import load_app
from bot.channels.telegram.core import CHANNEL
from bot.engine.events import Say
from tests.telegram.conftest import close_bot, open_bot
from tests.telegram.fake_api import FakeTelegram

CHAT = 7766666666


async def test_regression_deliveries_overtook_each_other_with_two_run_processes(
    fake: FakeTelegram, bot_env: Path, library: str
) -> None:
    """Regression: every `run` process popped the queue, so "Ana from our team is here
    now" could reach the chat after Ana's first words, sent by another process whose
    limits for that chat were not holding it back."""
    app = load_app(bot_env)
    busy, idle = await open_bot(app, library), await open_bot(app, library)
    # The busy process just sent this chat a lot: its per-chat limit holds the next one.
    busy.sender.limiter.pause(CHAT, 1.5)
    stop = asyncio.Event()
    consumers = [asyncio.create_task(bot.background(stop)) for bot in (busy, idle)]
    try:
        await asyncio.sleep(0.3)  # both are waiting on the queue
        said = [f"Ana: message {n}" for n in range(6)]
        for text in said:
            await busy.runtime.deliveries.push(CHANNEL, str(CHAT), [Say(text, "en")])
            await asyncio.sleep(0.02)
        await fake.wait_for(lambda: len(fake.bot_texts(CHAT)) == len(said), timeout=20)
        await asyncio.sleep(0.3)
        assert fake.bot_texts(CHAT) == said
    finally:
        stop.set()
        for task in consumers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await close_bot(busy)
        await close_bot(idle)
