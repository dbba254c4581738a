"""The Telegram edge on a `Runtime` (bot/runtime.py builds every store and service), and
running it.

Replies leave through the durable outbox (drain.py): `Bot.background()` runs its drain,
which also takes over the outboxes of processes that were killed. The bot's id (the
number before ':' in the token, never the token) names its keys: update dedupe, outbox
and dead letters are per bot, so two bots can share one Redis.

Start-up refuses, with a sentence a person can act on, when the token is missing, Redis
cannot be reached, or Telegram refuses the token. (`load_app`, `refuse_unready` and the
runtime already refused invalid config, flows, catalogs, a short secret key and a request
for a person no desk can answer.)
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import signal
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from aiohttp import web

from bot.channels.telegram.core import CHANNEL, TelegramChannel
from bot.channels.telegram.drain import Drain
from bot.channels.telegram.limiter import Limits
from bot.channels.telegram.polling import Poller
from bot.channels.telegram.sender import Sender
from bot.channels.telegram.staff_desk import StaffDesk
from bot.channels.telegram.staff_groups import StaffGroups
from bot.channels.telegram.transport import Permanent, Transport, TransportError
from bot.channels.telegram.webhook import webhook_app, webhook_secret
from bot.errors import ConfigError, StorageError
from bot.runtime import Runtime
from bot.services.cases import HandoffService
from bot.storage.deliveries import Delivery
from bot.storage.feedback import FeedbackStore
from bot.storage.sessions import SessionStore

__all__ = ["Bot", "bot_id", "build", "make_transport", "run"]

log = logging.getLogger(__name__)

# The lease of the process that sends what other processes' desks queued for Telegram.
DELIVERIES = "deliveries:" + CHANNEL
DELIVERIES_TTL = 10.0
# How long a clean stop keeps sending; what is left stays in the outbox for the next.
CLOSE_WAIT = 10.0


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
    runtime: Runtime
    desk: StaffDesk | None = None  # the first staff group's (`staff_chat_id` if set)
    drain: Drain | None = None
    desks: list[StaffDesk] = field(default_factory=list)  # one per staff group

    @property
    def sessions(self) -> SessionStore:
        return self.runtime.sessions

    @property
    def feedback(self) -> FeedbackStore:
        return self.runtime.store

    @property
    def cases(self) -> HandoffService:
        return self.runtime.cases

    async def background(
        self, stop: asyncio.Event, *, tick: float = 60.0, scheduled: bool = True
    ) -> None:
        """Until `stop`: the staff desk (case topics and relays) when there is a staff
        group, the scheduled work (each due run once across processes; `scheduled=False`
        when the web side of the same process already runs it), and sending what workers
        on other processes' desks wrote to young people on Telegram."""
        jobs = [self._deliveries(stop)]
        if scheduled:
            jobs.append(self.runtime.scheduler(helplines_every=tick).run(stop))
        if self.drain is not None:
            jobs.append(self.drain.run(stop))
        jobs.extend(desk.run(stop) for desk in self.desks)
        await asyncio.gather(*jobs)

    async def _deliveries(self, stop: asyncio.Event) -> None:
        """One process at a time empties the queue (it holds a lease), so a worker's
        "<name> is here now" and their words reach the chat in the order written; when
        it stops or dies, another takes over within `DELIVERIES_TTL`."""
        queue, leases = self.runtime.deliveries, self.runtime.leases
        token: str | None = None
        try:
            while not stop.is_set():
                try:
                    if token is None or not await leases.renew(DELIVERIES, token,
                                                               DELIVERIES_TTL):  # fmt: skip
                        token = await leases.acquire(DELIVERIES, DELIVERIES_TTL)
                    item = await queue.pop(CHANNEL, 1.0) if token is not None else None
                except StorageError as exc:
                    log.warning("telegram: deliveries unavailable (%s)", type(exc).__name__)
                    token = None
                    item = None
                if item is not None:
                    await self._relay(item)
                elif token is None:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), 1.0)
        finally:
            if token is not None:
                with contextlib.suppress(StorageError):
                    await leases.release(DELIVERIES, token)

    async def _relay(self, item: Delivery) -> None:
        """Into the outbox, taking it off the queue in the same write; if that fails it
        stays taken, and the queue puts it back for another try (RedisDeliveryQueue)."""
        try:
            if not await self.channel.relay(item.address, item.events, receipt=item.receipt):
                await self.runtime.deliveries.ack(item)
        except StorageError as exc:
            log.warning("telegram: a delivery waits for the store (%s)", type(exc).__name__)
        except Exception as exc:  # it cannot be sent: do not let it come back forever
            log.error("telegram: a delivery could not be sent (%s)", type(exc).__name__)
            with contextlib.suppress(StorageError):
                await self.runtime.deliveries.ack(item)

    async def close(self) -> None:
        await self.sender.close(timeout=CLOSE_WAIT)
        if self.drain is not None:
            await self.drain.close()
        await self.transport.close()


def bot_id(token: str) -> str:
    """The bot's id: the number before ':' in the token. Never the token itself (a token
    of another shape gets a short hash, so keys still differ per bot)."""
    head = token.partition(":")[0]
    if head.isascii() and head.isdigit():
        return head
    return hashlib.sha256(token.encode()).hexdigest()[:12]


async def build(
    runtime: Runtime, *, library: str | None = None, limits: Limits | None = None
) -> Bot:
    """The Telegram edge on the runtime's services. Checks the token and Redis first."""
    quiet_libraries()
    app = runtime.app
    token = app.settings.telegram_token
    if not token:
        msg = "set SAFEVOICE_TELEGRAM_TOKEN to the bot's token (from @BotFather) and start again"
        raise ConfigError(msg)
    await runtime.ping()  # StorageError names the host, never the password
    transport = make_transport(library or app.config.telegram.library, token,
                               app.config.telegram.api_base)  # fmt: skip
    sender = Sender(transport, limits)
    box = f"{CHANNEL}:{bot_id(token)}"
    drain = Drain(runtime.outbox, sender, box)
    channel = TelegramChannel(runtime.conversation, sender, runtime.secret, box=box,
                              drain=drain, dead_letters=runtime.dead_letters,
                              media=runtime.media)  # fmt: skip
    await runtime.outbox.heartbeat()  # alive before the first commit makes us an owner
    # The young person's side of a case: a worker's words reach the chat through here.
    runtime.cases.deliverers[CHANNEL] = channel.deliver
    groups = StaffGroups(runtime, sender, bot=bot_id(token))
    channel.staff_desks = {desk.chat_id: desk.handle for desk in groups.desks}
    channel.staff_chat_for = groups.chat_for
    # What a young person chooses to send in a case is copied to its topic.
    if channel.media is not None and groups.desks:
        channel.media.topic = groups.topic_for
    first = groups.desks[0] if groups.desks else None
    bot = Bot(transport, channel, sender, runtime, first, drain, groups.desks)
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
    runtime: Runtime,
    *,
    webhook_url: str | None = None,
    listen: tuple[str, int] = ("127.0.0.1", 8443),
    library: str | None = None,
    limits: Limits | None = None,
    stop: asyncio.Event | None = None,
    scheduled: bool = True,
) -> None:
    """Run until SIGINT/SIGTERM (or `stop`): long polling, or a webhook when `webhook_url`
    is given. `scheduled=False` leaves the scheduled work to the web side of the same
    process (`safevoice serve --with-bot`)."""
    app = runtime.app
    bot = await build(runtime, library=library, limits=limits)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    runner: web.AppRunner | None = None
    desk = asyncio.create_task(bot.background(stop, scheduled=scheduled))
    try:
        if webhook_url:
            token = webhook_secret(runtime.secret)
            # Listen on the URL's own path: the proxy passes it through unchanged.
            path = urlsplit(webhook_url).path or "/telegram"
            runner = web.AppRunner(webhook_app(bot.transport, bot.channel, token, path))
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
