"""Emptying the durable outbox onto Telegram (bot/storage/outbox.py has the model).

A turn's replies are saved in the outbox with the turn; when the commit says this process
owns the chat's outbox (`Claim`), `Drain.take()` queues them on the `Sender` (per chat
in order, within Telegram's limits) and confirms each once Telegram answered (or refused
it for good). Confirms of many chats go out together, one round trip, while the previous
batch is on its way. When a confirm says the outbox holds more than we know of (another
process appended while we owned it), the drain claims it again and goes on. `run()`
says "alive" every second and sweeps up the outboxes of processes that stopped or were
killed, so after a restart their replies go out within a few seconds.

Delivery: at least once, in order per chat; a reply repeats at most once, when a send's
answer was lost or the process was killed between Telegram's answer and the confirm
(docs/ARCHITECTURE.md, "Replies survive a crash").
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

from bot.channels.telegram.incoming import Button
from bot.channels.telegram.render import (
    ClearChat,
    CopyMessage,
    EditMessage,
    Keyboard,
    Outgoing,
    OutgoingMessage,
)
from bot.channels.telegram.sender import Sender
from bot.errors import StorageError
from bot.services.outbox import OutboxService
from bot.storage.outbox import Claim, Post

__all__ = ["Drain", "decode_action", "encode_action", "post_of"]

log = logging.getLogger(__name__)

# Item ids confirmed lately, so a claim read before their confirm cannot queue them again.
_FORGET_AFTER = 120.0


def _keys(keyboard: Keyboard) -> list[list[list[str]]]:
    return [[[b.label, b.data] for b in row] for row in keyboard]


def _unkeys(raw: Any) -> Keyboard:
    return tuple(tuple(Button(str(b[0]), str(b[1])) for b in row) for row in raw or ())


def encode_action(action: Outgoing) -> str | None:
    """A durable action as plain JSON; None for those not kept (typing, button answers)."""
    data: dict[str, Any]
    if isinstance(action, OutgoingMessage):
        data = {"k": "m", "c": action.chat_id, "t": action.text, "b": _keys(action.keyboard)}
        if action.thread_id is not None:
            data["h"] = action.thread_id
    elif isinstance(action, EditMessage):
        data = {"k": "e", "c": action.chat_id, "m": action.message_id, "t": action.text,
                "b": _keys(action.keyboard)}  # fmt: skip
    elif isinstance(action, ClearChat):
        data = {"k": "x", "c": action.chat_id, "f": action.first_id, "l": action.last_id}
    elif isinstance(action, CopyMessage):
        data = {"k": "c", "c": action.chat_id, "f": action.from_chat_id, "m": action.message_id}
        if action.thread_id is not None:
            data["h"] = action.thread_id
    else:
        return None
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def decode_action(body: str) -> Outgoing:
    """ValueError (or KeyError, TypeError) when the item is not an action we wrote."""
    data = json.loads(body)
    kind, chat = data["k"], int(data["c"])
    if kind == "m":
        thread = data.get("h")
        return OutgoingMessage(chat, str(data["t"]), _unkeys(data.get("b")),
                               int(thread) if thread is not None else None)  # fmt: skip
    if kind == "e":
        return EditMessage(chat, int(data["m"]), str(data["t"]), _unkeys(data.get("b")))
    if kind == "x":
        return ClearChat(chat, int(data["f"]), int(data["l"]))
    if kind == "c":
        thread = data.get("h")
        return CopyMessage(chat, int(data["f"]), int(data["m"]),
                           int(thread) if thread is not None else None)  # fmt: skip
    msg = "not an outbox action"
    raise ValueError(msg)


def post_of(box: str, actions: list[Outgoing]) -> Post | None:
    items = tuple(body for body in map(encode_action, actions) if body is not None)
    return Post(box, items) if items else None


class Drain:
    def __init__(
        self, outbox: OutboxService, sender: Sender, box: str, *, every: float = 1.0
    ) -> None:
        self.outbox, self.sender, self.box, self.every = outbox, sender, box, every
        self._known: dict[str, set[str]] = {}  # key -> item ids queued or being confirmed
        self._gone: dict[str, float] = {}  # item id -> when confirmed
        self._done: list[tuple[str, str]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._next_prune = 0.0
        self.confirmed = 0
        self.given_up = 0
        self.adopted = 0  # outboxes taken over from processes that stopped

    # -- taking work -----------------------------------------------------------------------
    def take(self, claim: Claim | None, *, fresh: int = 0) -> None:
        """Queue what the claim holds that is not queued here already. `fresh`: how many
        of its last items this process just posted. The first other item not queued here
        may have been on its way when its process died: it may already have arrived."""
        if claim is None:
            return
        known = self._known.setdefault(claim.key, set())
        inherited = len(claim.items) - fresh
        head = True
        for n, item in enumerate(claim.items):
            if item.id in known or item.id in self._gone:
                continue
            maybe_sent, head = head and n < inherited, False
            try:
                action = decode_action(item.body)
            except (ValueError, KeyError, TypeError):
                log.warning("telegram: an outbox item could not be read; dropped")
                known.add(item.id)
                self._finish(claim.key, item.id, sent=False)
                continue
            known.add(item.id)
            if maybe_sent and isinstance(action, CopyMessage):
                # A photo or place the young person sent may be in the topic already:
                # never copied twice (at most once, unlike replies).
                log.warning("telegram: a copied message of a stopped process was not repeated")
                self._finish(claim.key, item.id, sent=False)
                continue
            done = self._done_for(claim.key, item.id)
            self.sender.enqueue(action, done, maybe_sent=maybe_sent)
        if not known:
            del self._known[claim.key]

    def resume(self, key: str) -> None:
        """Check a chat's outbox in the background (a redelivered update: its replies may
        still be pending, left by a process that died or a commit whose answer was lost)."""
        self._spawn(self._claim(key))

    def _done_for(self, key: str, item_id: str) -> Any:
        return lambda sent: self._finish(key, item_id, sent=sent)

    def _finish(self, key: str, item_id: str, *, sent: bool) -> None:
        self.given_up += not sent
        self._done.append((key, item_id))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())

    # -- confirming ------------------------------------------------------------------------
    async def _flush(self) -> None:
        delay = 0.1
        while self._done:
            batch, self._done = self._done, []
            try:
                left = await self.outbox.confirm(self.box, batch)
            except StorageError as exc:
                log.warning("telegram: outbox confirm failed (%s); retrying", type(exc).__name__)
                self._done = batch + self._done
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
                continue
            delay = 0.1
            now = time.monotonic()
            self.confirmed += len(batch)
            for key, item_id in batch:
                self._gone[item_id] = now
                known = self._known.get(key)
                if known is not None:
                    known.discard(item_id)
                    if not known:
                        del self._known[key]
            for key, state in left.items():
                waiting = len(self._known.get(key, ()))
                if state.mine and state.count > waiting:
                    self._spawn(self._claim(key))  # appended by another process meanwhile
            self._prune(now)

    def _prune(self, now: float) -> None:
        if now >= self._next_prune:
            self._next_prune = now + _FORGET_AFTER / 4
            self._gone = {k: t for k, t in self._gone.items() if now - t <= _FORGET_AFTER}

    async def _claim(self, key: str) -> None:
        try:
            self.take(await self.outbox.claim(self.box, key))
        except StorageError as exc:
            log.warning("telegram: outbox claim failed (%s)", type(exc).__name__)

    def _spawn(self, job: Any) -> None:
        task = asyncio.create_task(job)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- staying alive, adopting orphans ---------------------------------------------------
    async def tick(self) -> None:
        """Say alive; take the outboxes nobody alive owns, and any of ours we lost."""
        await self.outbox.heartbeat()
        claims, ours = await self.outbox.sweep(self.box)
        self.adopted += len(claims)
        for claim in claims:
            self.take(claim)
        for key in ours:
            if not self._known.get(key):
                await self._claim(key)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.tick()
            except StorageError as exc:
                log.warning("telegram: outbox sweep failed (%s)", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.every)

    async def close(self) -> None:
        """After the sender stopped: send the last confirms, let others take over."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._flusher is not None:
            with contextlib.suppress(TimeoutError, StorageError):
                await asyncio.wait_for(self._flusher, 5.0)
        with contextlib.suppress(StorageError):
            await self.outbox.release(self.box)
