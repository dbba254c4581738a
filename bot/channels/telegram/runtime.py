"""Putting the Telegram bot together from a loaded `App`, and running it.

Start-up refuses, with a sentence a person can act on, when the token or secret key is
missing, Redis cannot be reached, or Telegram refuses the token. (`load_app` already
refused invalid config, flows and catalogs.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass

from aiohttp import web
from redis.asyncio import Redis

from bot.app import App
from bot.channels.telegram.core import CHANNEL, TelegramChannel
from bot.channels.telegram.limiter import Limits
from bot.channels.telegram.polling import Poller
from bot.channels.telegram.sender import Sender
from bot.channels.telegram.staff_desk import StaffDesk
from bot.storage.redis_topics import TopicStore
from bot.channels.telegram.transport import Permanent, Transport, TransportError
from bot.channels.telegram.webhook import webhook_app, webhook_secret
from bot.errors import ConfigError
from bot.services.cases import HandoffService
from bot.services.conversation import ConversationService
from bot.services.feedback import FeedbackService
from bot.storage.feedback import FeedbackStore
from bot.storage.redis_cases import RedisCaseHub, RedisCaseStore, make_client
from bot.storage.redis_sessions import RedisSessionStore
from bot.storage.sessions import SessionStore

__all__ = ["Bot", "build", "make_transport", "run"]

log = logging.getLogger(__name__)


# Libraries that log request URLs (with the bot token), response bodies (with names,
# chat ids and message text) at INFO or DEBUG. SafeVoice's logs carry none of that.
_CHATTY = ("telegram", "httpx", "httpcore", "aiogram", "aiohttp.client", "aiohttp.access")


def quiet_libraries() -> None:
    for name in _CHATTY:
        logger = logging.getLogger(name)
        logger.setLevel(max(logger.getEffectiveLevel(), logging.WARNING))


def make_transport(library: str, token: str, api_base: str) -> Transport:
    if library == "ptb":
        from bot.channels.telegram.ptb_adapter import PtbTransport

        return PtbTransport(token, api_base)
    from bot.channels.telegram.aiogram_adapter import AiogramTransport

    return AiogramTransport(token, api_base)


@dataclass
class Bot:
    transport: Transport
    channel: TelegramChannel
    sender: Sender
    sessions: SessionStore
    feedback: FeedbackStore
    cases: HandoffService
    desk: StaffDesk | None = None
    redis: Redis | None = None

    async def background(self, stop: asyncio.Event, *, tick: float = 60.0) -> None:
        """Until `stop`: the staff desk (case topics, relays, helplines when nobody
        answers), or without a staff group only the periodic `due_for_helplines()`."""
        if self.desk is not None:
            await self.desk.run(stop)
            return
        while not stop.is_set():
            try:
                await self.cases.due_for_helplines()
            except Exception as exc:  # type only: the next round tries again
                log.warning("handoff: checking unanswered cases failed (%s)", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), tick)

    async def close(self) -> None:
        await self.sender.close()
        await self.transport.close()
        await self.sessions.close()
        if self.redis is not None:
            await self.redis.aclose()
        self.feedback.close()


async def build(app: App, *, library: str | None = None, limits: Limits | None = None) -> Bot:
    quiet_libraries()
    settings = app.settings
    if not settings.telegram_token:
        msg = "set SAFEVOICE_TELEGRAM_TOKEN to the bot's token (from @BotFather) and start again"
        raise ConfigError(msg)
    if not settings.secret_key:
        msg = "set SAFEVOICE_SECRET_KEY to a long random value and start again"
        raise ConfigError(msg)
    sessions = RedisSessionStore(
        settings.redis_url, session_ttl=float(app.config.privacy.session_ttl_seconds)
    )
    try:
        await sessions.ping()  # StorageError names the host, never the password
    except BaseException:
        await sessions.close()
        raise
    feedback = FeedbackStore(settings.database_url)
    feedback.create_schema()
    redis = make_client(settings.redis_url)
    cases = HandoffService(
        RedisCaseStore(settings.redis_url, client=redis),
        RedisCaseHub(settings.redis_url, client=redis),
        app.config,
        app.translator,
        audit=feedback.audit,
    )
    service = ConversationService(
        app.engine, sessions, FeedbackService(feedback), cases, settings.secret_key
    )
    transport = make_transport(
        library or app.config.telegram.library,
        settings.telegram_token,
        app.config.telegram.api_base,
    )
    sender = Sender(transport, limits)
    channel = TelegramChannel(service, sender, settings.secret_key)
    # The young person's side of a case: a worker's words reach the chat through here.
    cases.deliverers[CHANNEL] = channel.deliver
    desk = None
    staff_chat = app.config.telegram.staff_chat_id
    if staff_chat is not None:
        desk = StaffDesk(cases, sender, TopicStore(redis), staff_chat)
        channel.staff_chat_id, channel.staff = staff_chat, desk.handle
    bot = Bot(transport, channel, sender, sessions, feedback, cases, desk, redis)
    try:
        await transport.start()
        await channel.set_commands()
    except TransportError as exc:
        await bot.close()
        why = "refused the token" if isinstance(exc, Permanent) else "could not be reached"
        msg = f"Telegram ({app.config.telegram.api_base}) {why}: {exc}"
        raise ConfigError(msg) from None
    return bot


async def run(
    app: App,
    *,
    webhook_url: str | None = None,
    listen: tuple[str, int] = ("127.0.0.1", 8443),
    library: str | None = None,
    limits: Limits | None = None,
) -> None:
    """Run until SIGINT/SIGTERM: long polling, or a webhook when `webhook_url` is given."""
    bot = await build(app, library=library, limits=limits)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    runner: web.AppRunner | None = None
    desk = asyncio.create_task(bot.background(stop))
    try:
        if webhook_url:
            token = webhook_secret(app.settings.secret_key or b"")  # build() checked it
            runner = web.AppRunner(webhook_app(bot.transport, bot.channel, token))
            await runner.setup()
            await web.TCPSite(runner, *listen).start()
            await bot.transport.set_webhook(webhook_url, token)
            log.warning("telegram: webhook mode, listening on %s:%s", *listen)
            await stop.wait()
        else:
            await bot.transport.delete_webhook()
            log.warning("telegram: long polling (%s)", library or app.config.telegram.library)
            poller = Poller(bot.transport, bot.channel)
            polling = asyncio.create_task(poller.run(stop))
            await stop.wait()
            polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await polling
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await desk
        if runner is not None:
            await runner.cleanup()
        await bot.close()
