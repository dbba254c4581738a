"""Long polling that loses nothing: an update is confirmed to Telegram (by asking for
the next offset) only after every update of its batch was handled and saved.

Within a batch, updates of one chat are handled in order and different chats
concurrently. A process killed mid-batch gets the same updates again on restart; the
ones it had already saved are recognised by the store's dedupe and have no effect.
"""

from __future__ import annotations

import asyncio
import logging
import random

from bot.channels.telegram.core import TelegramChannel
from bot.channels.telegram.incoming import Incoming
from bot.channels.telegram.render import OutgoingMessage
from bot.channels.telegram.texts import BROKEN
from bot.channels.telegram.transport import Flood, Permanent, Transient, Transport
from bot.errors import StorageError

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
    person); StorageError only after `give_up_after` seconds, if given. A bug in handling
    is logged by type and answered with an apology, so one bad update cannot hold every
    other chat back."""
    loop = asyncio.get_running_loop()
    deadline = None if give_up_after is None else loop.time() + give_up_after
    delay, told = 0.1, False
    while True:
        try:
            await channel.handle(update)
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
            if update.chat_id and update.kind != "ignored" and update.chat_type == "private":
                text = channel.translator.system(channel.hint(update), BROKEN)
                channel.sender.submit([OutgoingMessage(update.chat_id, text)])
            return


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
            if updates:
                await self.process(updates)
                self.offset = max(u.update_id for u in updates) + 1

    async def process(self, updates: list[Incoming]) -> None:
        chats: dict[int, list[Incoming]] = {}
        for update in sorted(updates, key=lambda u: u.update_id):
            chats.setdefault(update.chat_id, []).append(update)
        await asyncio.gather(*(self._chat(batch) for batch in chats.values()))

    async def _chat(self, updates: list[Incoming]) -> None:
        for update in updates:
            await handle_reliably(self.channel, update)
