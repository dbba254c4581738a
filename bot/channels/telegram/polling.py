"""Long polling that loses nothing: an update is confirmed to Telegram (by asking for
the next offset) only after every update of its batch was handled and saved (with its
replies, in the durable outbox).

Within a batch, updates of one chat are handled in order and different chats
concurrently. A process killed mid-batch gets the same updates again on restart; the
ones it had already saved are recognised by the store's dedupe and have no effect.

One bad update holds nobody back. The batch comes as raw JSON and is parsed update by
update: one the library cannot read is set aside as a dead letter (its kind and the
error class, never its content) and the offset moves past it. So is one whose handling
fails with a bug, or that started turns `MAX_ATTEMPTS` times without one committing (a
process killed by it again and again): the young person gets an apology.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

from bot.channels.telegram.core import TelegramChannel
from bot.channels.telegram.incoming import Incoming
from bot.channels.telegram.render import OutgoingMessage
from bot.channels.telegram.texts import BROKEN
from bot.channels.telegram.transport import (
    Flood,
    Permanent,
    Transient,
    Transport,
    Unreadable,
)
from bot.errors import StorageError
from bot.storage.sessions import UpdatePoisonedError

__all__ = ["Poller", "handle_reliably"]

log = logging.getLogger(__name__)


async def handle_reliably(
    channel: TelegramChannel,
    update: Incoming,
    *,
    max_wait: float = 10.0,
    give_up_after: float | None = None,
) -> None:
    """Handle `update`, waiting out a store outage (with one kind word to the young
    person); StorageError only after `give_up_after` seconds, if given. A bug in handling,
    or an update that failed too often, is set aside (a dead letter, logged by type) and
    answered with an apology, so one bad update cannot hold every other chat back."""
    loop = asyncio.get_running_loop()
    deadline = None if give_up_after is None else loop.time() + give_up_after
    delay, told = 0.1, False
    while True:
        try:
            await channel.handle(update)
            return
        except UpdatePoisonedError as exc:
            await _set_aside(channel, update, exc)
            return
        except StorageError as exc:
            log.warning("telegram: store unavailable, retrying an update (%s)", type(exc).__name__)
            if deadline is not None and loop.time() >= deadline:
                raise
            if not told:
                told = True
                channel.say_trouble(update)
            await asyncio.sleep(delay * random.uniform(0.8, 1.2))  # noqa: S311 - jitter
            delay = min(delay * 2, max_wait)
        except Exception as exc:
            # Type only: exception messages can quote what the young person wrote.
            log.error(
                "telegram: an update failed (%s); apologised and moved on", type(exc).__name__
            )
            await _set_aside(channel, update, exc)
            return


async def _set_aside(channel: TelegramChannel, update: Incoming, exc: Exception) -> None:
    await channel.set_aside(update.kind, type(exc).__name__)
    if update.chat_id and update.kind != "ignored" and update.chat_type == "private":
        text = channel.translator.system(channel.hint(update), BROKEN)
        channel.sender.submit([OutgoingMessage(update.chat_id, text)])


class Poller:
    def __init__(self, transport: Transport, channel: TelegramChannel, *, timeout: int = 25):
        self.transport, self.channel, self.timeout = transport, channel, timeout
        self.offset: int | None = None

    async def run(self, stop: asyncio.Event) -> None:
        delay = 0.5
        while not stop.is_set():
            try:
                updates = await self.transport.get_updates(self.offset, self.timeout)
                delay = 0.5
            except Flood as exc:
                await asyncio.sleep(exc.retry_after)
                continue
            except (Transient, Permanent) as exc:
                # Permanent here is most often a webhook still set, or a second poller.
                log.warning("telegram: getUpdates failed (%s); trying again", type(exc).__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            ids = [u["update_id"] for u in updates if isinstance(u.get("update_id"), int)]
            if ids:
                await self.process(updates)
                # Never back: a redelivered old update must not re-open the confirmed ones.
                self.offset = max(self.offset or 0, max(ids) + 1)

    async def process(self, raw: list[dict[str, Any]]) -> None:
        """Parse one by one (setting aside what cannot be read), then handle the rest."""
        chats: dict[int, list[Incoming]] = {}
        parsed: list[Incoming] = []
        for item in raw:
            try:
                parsed.append(self.transport.parse(item))
            except Unreadable as exc:
                await self.channel.set_aside(exc.kind, exc.error)
        for update in sorted(parsed, key=lambda u: u.update_id):
            chats.setdefault(update.chat_id, []).append(update)
        await asyncio.gather(*(self._chat(batch) for batch in chats.values()))

    async def _chat(self, updates: list[Incoming]) -> None:
        for update in updates:
            await handle_reliably(self.channel, update)
