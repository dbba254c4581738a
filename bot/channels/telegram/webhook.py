"""Webhook mode on aiohttp: Telegram's `secret_token` checked in constant time, and the
answer (200) given only after the update was handled and saved, so Telegram delivers it
again if we fail or die first. An outage of the store answers 503: Telegram retries."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from aiohttp import web

from bot.channels.telegram.core import TelegramChannel
from bot.channels.telegram.polling import handle_reliably
from bot.channels.telegram.transport import Transport
from bot.errors import StorageError

__all__ = ["SECRET_HEADER", "webhook_app", "webhook_secret"]

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name


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
            data = await request.json(loads=json.loads)
        except ValueError:
            return web.Response(status=400)
        update = transport.parse(data) if isinstance(data, dict) else None
        if update is None:
            return web.Response(status=400)
        try:
            await handle_reliably(channel, update, max_wait=2.0, give_up_after=20.0)
        except StorageError:
            return web.Response(status=503)
        return web.Response(status=200)

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_post(path, receive)
    return app
