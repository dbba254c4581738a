"""Webhook mode with two `run` processes (two bots on one Redis, each behind its own
webhook), on the stand-in Bot API: a chat's replies stay in order when its updates land
on different processes."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from aiohttp.test_utils import TestServer

from bot.app import load_app
from bot.channels.telegram.webhook import SECRET_HEADER, webhook_app, webhook_secret
from tests.telegram.conftest import close_bot, open_bot
from tests.telegram.fake_api import FakeTelegram

CHAT = 7755500001


def _update(update_id: int, text: str) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id, "date": 1700000000, "text": text,
            "chat": {"id": CHAT, "type": "private"},
            "from": {"id": CHAT, "is_bot": False, "first_name": "A", "language_code": "en"},
        },
    }  # fmt: skip


async def test_regression_replies_overtook_each_other_across_webhook_processes(
    fake: FakeTelegram, bot_env: Path, library: str
) -> None:
    """Regression: the webhook answered as soon as the update was saved, before its reply
    was sent; Telegram then posted the chat's next update, another process answered that
    one at once, and the young person read the second reply before the first."""
    app = load_app(bot_env)
    token = webhook_secret(b"x")
    busy, idle = await open_bot(app, library), await open_bot(app, library)
    # The busy process's per-chat limit holds its next message to this chat for a while.
    busy.sender.limiter.pause(CHAT, 1.0)
    servers = [TestServer(webhook_app(b.transport, b.channel, token)) for b in (busy, idle)]
    try:
        for server in servers:
            await server.start_server()
        async with aiohttp.ClientSession() as http:
            for n, (server, text) in enumerate(zip(servers, ("/start", "English"), strict=True)):
                url = str(server.make_url("/telegram"))
                headers = {SECRET_HEADER: token}
                async with http.post(url, json=_update(n + 1, text), headers=headers) as answer:
                    assert answer.status == 200
        await fake.wait_for(lambda: len(fake.bot_texts(CHAT)) == 2)
    finally:
        for server in servers:
            await server.close()
        await close_bot(busy)
        await close_bot(idle)
    said = fake.bot_texts(CHAT)
    assert "Which language" in said[0]
    assert "How old are you?" in said[1]
