"""Carrying rendered actions out: per-chat order, limits, retries, each message once.

Every chat has a FIFO queue and at most one worker, so messages of one chat arrive in
the order they were rendered while chats proceed independently. A message is attempted
again only when Telegram said it was not taken (429, 5xx) or the connection failed;
after a success nothing is ever resent. When a send's answer was lost (it may have been
performed: `Transient.unknown`), a message is tried once more, not again after that: so
it may arrive twice, never more, for one lost answer.

Limits (limiter.py) space the messages as they leave; at most one second's worth is on
its way at once, so a busy process or a slow network cannot bunch them into more than
30 × W + 30 in any W seconds at Telegram.

Replies from the durable outbox come with `enqueue(action, done)`: `done(sent)` runs
once the action was sent or given up, and the outbox drain (drain.py) confirms it. What
`submit()` takes (answers to buttons, "typing...", the staff group's posts, the apology
when the store is down) lives in memory only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.channels.telegram.limiter import Limiter, Limits
from bot.channels.telegram.render import (
    AnswerCallback,
    ClearChat,
    CopyMessage,
    EditMessage,
    Outgoing,
    OutgoingMessage,
    Typing,
)
from bot.channels.telegram.transport import Flood, Permanent, Transient, Transport

__all__ = ["Sender"]

log = logging.getLogger(__name__)

# deleteMessages takes at most 100 ids; a conversation rarely has more than a few hundred.
_DELETE_CHUNK = 100
_DELETE_MAX = 1000
# Bot messages sent after the last one we saw an id for (one turn's worth, with room).
_CLEAR_SLACK = 50
# Waiting this long for the per-chat limit is worth a "typing..." so nobody thinks we left.
_TYPING_AFTER = 0.8


def _rides_along(action: Outgoing, following: Outgoing | None) -> bool:
    """The edit that takes a pressed question's buttons away (render.py), queued just
    before the next question to the same chat: one per-chat slot for both."""
    return (
        isinstance(action, EditMessage)
        and not action.keyboard
        and isinstance(following, OutgoingMessage)
        and following.chat_id == action.chat_id
    )


@dataclass(slots=True)
class _Job:
    action: Outgoing
    done: Callable[[bool], None] | None = None  # called with True when sent
    # A process that died may have sent it already: no second try after a lost answer.
    maybe_sent: bool = False


class Sender:
    def __init__(
        self,
        transport: Transport,
        limits: Limits | None = None,
        *,
        max_attempts: int = 6,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
    ) -> None:
        self.transport = transport
        self.limiter = Limiter(limits)
        self.max_attempts, self.backoff, self.max_backoff = max_attempts, backoff, max_backoff
        self._queues: dict[int, deque[_Job]] = {}
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._side: set[asyncio.Task[bool]] = set()
        # Messages on their way at once: one second's worth. The limiter spaces when they
        # leave this process; a busy loop or a slow network can still bunch when they reach
        # Telegram, but never by more than the messages already on their way.
        self._on_the_way = asyncio.Semaphore(max(1, int(self.limiter.limits.per_bot)))
        self.sent = 0
        self.dropped = 0
        self.repeated = 0  # messages tried again after an answer was lost

    def submit(self, actions: Iterable[Outgoing]) -> None:
        for action in actions:
            if isinstance(action, AnswerCallback):
                # Answering a button is not a message and must not wait behind them:
                # the young person's button spins until it is answered.
                task = asyncio.create_task(self._perform(action))
                self._side.add(task)
                task.add_done_callback(self._side.discard)
                continue
            self._queue(_Job(action))

    def enqueue(
        self, action: Outgoing, done: Callable[[bool], None], *, maybe_sent: bool = False
    ) -> None:
        """One durable action, at the end of its chat's queue; `done(sent)` after.
        `maybe_sent`: it may have reached Telegram already (taken over from a process
        that died while sending it), so a lost answer is not followed by a retry."""
        if isinstance(action, AnswerCallback):
            msg = "button answers are not kept in the outbox"
            raise TypeError(msg)
        self._queue(_Job(action, done, maybe_sent))

    def _queue(self, job: _Job) -> None:
        chat = job.action.chat_id  # type: ignore[union-attr]  # no AnswerCallback here
        self._queues.setdefault(chat, deque()).append(job)
        if chat not in self._workers:
            self._workers[chat] = asyncio.create_task(self._work(chat))

    def pending(self) -> int:
        """Actions queued or being sent (tests and the fault suite watch it)."""
        return sum(len(queue) for queue in self._queues.values())

    async def drain(self) -> None:
        """Wait until everything submitted so far was sent or given up."""
        while self._workers or self._side:
            await asyncio.gather(*self._workers.values(), *self._side, return_exceptions=True)

    async def flush(self, chat_id: int, timeout: float) -> None:
        """Wait up to `timeout` s until what was queued for `chat_id` has left (sent, or
        given up). Waiting never cancels the sending."""
        worker = self._workers.get(chat_id)
        if worker is not None:
            await asyncio.wait([worker], timeout=timeout)

    async def close(self, timeout: float | None = None) -> None:
        """Send what is queued; after `timeout` s stop (the outbox keeps what is left)."""
        if timeout is None:
            await self.drain()
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.drain(), timeout)
        for task in [*self._workers.values(), *self._side]:
            task.cancel()
        await asyncio.gather(*self._workers.values(), *self._side, return_exceptions=True)

    async def _work(self, chat: int) -> None:
        queue = self._queues[chat]
        try:
            while queue:
                job = queue[0]
                shared = _rides_along(job.action, queue[1].action if len(queue) > 1 else None)
                sent = await self._perform(job.action, lost_answer=job.maybe_sent,
                                           shared_slot=shared)  # fmt: skip
                queue.popleft()
                if job.done is not None:
                    job.done(sent)
        finally:
            del self._queues[chat]
            del self._workers[chat]

    async def _perform(
        self, action: Outgoing, *, lost_answer: bool = False, shared_slot: bool = False
    ) -> bool:
        """True once sent; False when given up (refused, or Telegram out of reach).
        `lost_answer`: it may have been performed before, unanswered. `shared_slot`: it
        goes out in the chat's next message's slot (limiter.py)."""
        attempt = 0
        typed = False
        while True:
            limited = isinstance(action, OutgoingMessage | EditMessage | CopyMessage)
            if isinstance(action, OutgoingMessage | EditMessage | CopyMessage):
                wait = self.limiter.reserve(action.chat_id, per_chat=not shared_slot)
                if wait >= _TYPING_AFTER and not typed:
                    typed = True
                    await self._quietly(Typing(action.chat_id))
                if wait > 0:
                    await asyncio.sleep(wait)
                await self._on_the_way.acquire()
            try:
                try:
                    if limited:
                        await self._leave()
                    await self._call(action)
                finally:
                    if limited:
                        self._on_the_way.release()
                self.sent += 1
                return True
            except Flood as exc:
                attempt += 1
                chat = None if isinstance(action, AnswerCallback) else action.chat_id
                self.limiter.pause(chat, exc.retry_after)
                if isinstance(action, AnswerCallback | Typing):
                    return False  # worthless once late
                if attempt > self.max_attempts * 2:
                    self._drop(action, "flood")
                    return False
                if chat is None:
                    await asyncio.sleep(exc.retry_after)
            except Transient as exc:
                attempt += 1
                if attempt >= self.max_attempts or isinstance(action, Typing):
                    self._drop(action, "unavailable")
                    return False
                if exc.unknown and isinstance(action, CopyMessage):
                    # It may be in the topic already: a copy is never sent twice.
                    self._drop(action, "unconfirmed")
                    return False
                if exc.unknown and isinstance(action, OutgoingMessage):
                    if lost_answer:  # sent twice perhaps already: a third is too many
                        self._drop(action, "unconfirmed")
                        return False
                    lost_answer = True
                    self.repeated += 1
                # Full jitter: many chats retrying at once do not hit Telegram together.
                ceiling = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
                await asyncio.sleep(random.uniform(ceiling / 2, ceiling))  # noqa: S311 - jitter
            except Permanent:
                self._drop(action, "refused")
                return False

    async def _leave(self) -> None:
        """Wait until one more message leaving now keeps within the rate in real time."""
        hold = self.limiter.hold_back()
        while hold > 0:
            await asyncio.sleep(hold)
            hold = self.limiter.hold_back()
        self.limiter.left()

    async def _quietly(self, action: Typing) -> None:
        with contextlib.suppress(Flood, Transient, Permanent):  # only a courtesy
            await self.transport.send_typing(action.chat_id)

    def _drop(self, action: Outgoing, why: str) -> None:
        self.dropped += 1
        # The kind of action and why: never the chat, never the text.
        log.warning("telegram: gave up on %s (%s)", type(action).__name__, why)

    async def _call(self, action: Outgoing) -> None:
        t = self.transport
        if isinstance(action, OutgoingMessage):
            await t.send_message(action.chat_id, action.text, action.keyboard, action.thread_id)
        elif isinstance(action, EditMessage):
            await t.edit_message(action.chat_id, action.message_id, action.text, action.keyboard)
        elif isinstance(action, AnswerCallback):
            await t.answer_callback(action.callback_id, action.text)
        elif isinstance(action, Typing):
            await t.send_typing(action.chat_id)
        elif isinstance(action, CopyMessage):
            await t.copy_message(action.chat_id, action.from_chat_id, action.message_id,
                                 action.thread_id)  # fmt: skip
        elif isinstance(action, ClearChat):
            last = min(action.last_id + _CLEAR_SLACK, action.first_id + _DELETE_MAX - 1)
            ids = list(range(action.first_id, last + 1))
            for start in range(0, len(ids), _DELETE_CHUNK):
                await t.delete_messages(action.chat_id, ids[start : start + _DELETE_CHUNK])
