"""Webhook mode on aiohttp: Telegram's `secret_token` checked in constant time, and the
answer (200) given only after the update was handled and saved, so Telegram delivers it
again if we fail or die first. An outage of the store answers 503: Telegram retries.
An update that cannot be read, or keeps failing, is set aside as a dead letter and
answered 200, so Telegram stops posting it. "Handled" includes the replies being saved in
the durable outbox, so a process killed after the answer still sends them (drain.py).

A young person's update is answered once its replies were sent too: Telegram posts a
chat's next update only after that answer, and when it lands on another `run` process,
that process's replies must not overtake this one's."""

from __future__ import annotations

import hashlib
import hmac
import logging

from aiohttp import web

from bot.channels.telegram.core import TelegramChannel
from bot.channels.telegram.polling import handle_reliably
from bot.channels.telegram.transport import Transport, Unreadable
from bot.errors import StorageError
from bot.inputs import BodyError, JsonLimits, loads_limited, read_capped

__all__ = ["SECRET_HEADER", "webhook_app", "webhook_secret"]

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
# An update is a few kilobytes, nested about ten levels (a reply to a message with a
# keyboard); past these it is not from Telegram, and is refused before it is decoded.
WEBHOOK_JSON = JsonLimits(max_bytes=1024 * 1024, max_depth=32)
# How long an answer waits for the update's replies to leave (Telegram's limits can hold
# them): past that, order gives way to answering before Telegram times out.
REPLIES_WAIT = 10.0


def webhook_secret(secret_key: bytes) -> str:
    """The secret_token given to setWebhook, derived so there is no second secret to keep."""
    return hmac.new(secret_key, b"telegram-webhook", hashlib.sha256).hexdigest()


def webhook_app(
    transport: Transport, channel: TelegramChannel, secret_token: str, path: str = "/telegram"
) -> web.Application:
    expected = secret_token.encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return web.Response(status=401)
        try:
            raw = await read_capped(request.content, WEBHOOK_JSON.max_bytes)
            data = loads_limited(raw, WEBHOOK_JSON)
        except BodyError as exc:  # too large, too deep or not JSON: said in plain words
            return web.Response(status=400, text=str(exc))
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return web.Response(status=400)  # not an update at all
        try:
            update = transport.parse(data)
        except Unreadable as exc:
            # Recorded (kind and error class only) and answered 200, or Telegram would
            # post it again and again, and hold this chat's next updates behind it.
            await channel.set_aside(exc.kind, exc.error)
            return web.Response(status=200)
        try:
            await handle_reliably(channel, update, max_wait=2.0, give_up_after=20.0)
        except StorageError:
            return web.Response(status=503)
        if update.chat_type == "private" and update.chat_id:
            # Telegram posts a chat's next update only after this answer, perhaps to
            # another process: answering once the replies left keeps them in order.
            await channel.sender.flush(update.chat_id, REPLIES_WAIT)
        return web.Response(status=200)

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_post(path, receive)
    return app
