"""The case topics of a Telegram staff group: one forum topic per case, made (with the
case card) by one process, renamed when the case moves up or closes, closed at once when
it closes and deleted after the grace period with the relayed text in it (at once when
the young person deleted their data). Posts go through the outbound limiter (`Sender`).

`StaffDesk` (staff_desk.py) builds on this; the worker tools post through `_post` and
`_to_topic`. Logs carry no labels, ids, names or text.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.channels.telegram import staff_texts as st
from bot.channels.telegram.render import OutgoingMessage, split_text
from bot.channels.telegram.sender import Sender
from bot.channels.telegram.transport import (
    Flood,
    Permanent,
    Transient,
    Transport,
    TransportError,
)
from bot.services.cases import HandoffService
from bot.storage.cases import Case
from bot.storage.redis_topics import TopicStore

__all__ = ["CaseTopics"]

log = logging.getLogger(__name__)


class CaseTopics:
    """Set by `StaffDesk.__init__`."""

    service: HandoffService
    sender: Sender
    topics: TopicStore
    chat_id: int
    transport: Transport
    clock: Callable[[], float]

    async def topic_for(self, case: Case) -> int | None:
        """The case's topic (made now if it has none yet): where a photo or place the
        young person chose to send is copied. None: the General topic."""
        thread, _ = await self._topic(case)
        return thread

    async def _closed(self, case: Case) -> None:
        thread = await self.topics.thread(case.label)
        if thread is None:
            await self.topics.expire(case.label, self.service.grace)
            return
        self._post(st.closed(case), thread)
        if case.closed_by == "deleted":
            await self.topics.forget(case.label)
            await self._quietly(self.transport.delete_topic(self.chat_id, thread))
            return
        await self._quietly(self.transport.edit_topic(self.chat_id, thread, st.topic_name(case)))
        await self._quietly(self.transport.close_topic(self.chat_id, thread))
        await self.topics.expire(case.label, self.service.grace)
        await self.topics.delete_later(thread, self.clock() + self.service.grace)

    async def _delete_due_topics(self) -> None:
        for thread in await self.topics.due_deletions(self.clock()):
            await self._quietly(self.transport.delete_topic(self.chat_id, thread))

    async def _to_topic(self, case: Case, text: str) -> None:
        thread, _ = await self._topic(case)
        self._post(text if thread is not None else f"[{case.label}] {text}", thread)

    async def _topic(self, case: Case) -> tuple[int | None, bool]:
        """The case's topic, created (with its card) by one process if it has none yet."""
        thread = await self.topics.thread(case.label)
        if thread is not None or not case.open:
            return thread, False
        if await self.topics.first(case.label, "lock", self.service.ttl):
            thread = await self._create_topic(st.topic_name(case))
            if thread is None:  # posted in General instead; a later update tries again
                self._post(f"[{case.label}] {st.card(case)}", None)
                await self.topics.release(case.label, "lock")
                return None, False
            await self.topics.set_thread(case.label, thread, self.service.ttl)
            self._post(st.card(case), thread)
            return thread, True
        for _ in range(50):  # another process is creating it
            await asyncio.sleep(0.2)
            thread = await self.topics.thread(case.label)
            if thread is not None:
                break
        return thread, False

    async def _create_topic(self, name: str) -> int | None:
        for attempt in range(6):
            wait = self.sender.limiter.reserve(self.chat_id)
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                return await self.transport.create_topic(self.chat_id, name)
            except Flood as exc:
                self.sender.limiter.pause(self.chat_id, exc.retry_after)
            except Transient:
                await asyncio.sleep(min(0.5 * 2**attempt, 10.0))
            except Permanent as exc:
                log.error(
                    "staff desk: cannot create a topic (%s): is the staff group a forum, "
                    "and the bot an admin allowed to manage topics?",
                    type(exc).__name__,
                )
                return None
        return None

    async def _quietly(self, call: Awaitable[None]) -> None:
        try:
            await call
        except TransportError as exc:
            log.warning("staff desk: a topic change failed (%s)", type(exc).__name__)

    def _post(self, text: str, thread: int | None) -> None:
        self.sender.submit(
            [OutgoingMessage(self.chat_id, piece, thread_id=thread) for piece in split_text(text)]
        )
