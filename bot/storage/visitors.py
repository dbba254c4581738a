"""Web chat mailboxes: what a worker sent to a web chat visitor, until the visitor's page
fetches it (`GET /chat/events`, a long poll). The interface and the memory store;
`redis_visitors.RedisVisitorBoxes` is the one several web processes share.

A box is keyed by an HMAC of the visit cookie, never the cookie, and forgets its messages
once the page has them (the page says so by asking for what came `after` them). Box ids
and payloads are what a young person and a worker said to each other: never log them.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["MemoryVisitorBoxes", "VisitorBoxes", "decode_payload", "encode_payload"]


def encode_payload(payload: dict[str, Any]) -> str:
    """Payloads are JSON in every store, so the memory one hides nothing unserialisable."""
    return json.dumps(payload, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def decode_payload(raw: str | bytes) -> Any:
    return json.loads(raw)


class VisitorBoxes(abc.ABC):
    @abc.abstractmethod
    async def put(self, box_id: str, payload: dict[str, Any]) -> None:
        """Add a payload (numbered one past the last) and wake the pages waiting on it."""

    @abc.abstractmethod
    async def wait(self, box_id: str, after: int, timeout: float) -> tuple[int, list[Any]]:
        """What arrived after `after`, waiting up to `timeout` when nothing has. Items up to
        `after` are dropped, since the page has them; an `after` past the newest number
        (a page from before a restart) counts as 0. Returns the newest number and the
        payloads; (0, []) when the box was dropped meanwhile, so the page starts again."""

    @abc.abstractmethod
    async def drop(self, box_id: str) -> None:
        """The visitor left or deleted their data: forget the box, end its waits."""

    @abc.abstractmethod
    async def sweep(self) -> None:
        """Forget boxes no page asked about for a while (Redis expires them by itself)."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Wake every waiting page so the server can stop; later waits return at once."""


@dataclass
class _Box:
    seen: float
    items: list[tuple[int, str]] = field(default_factory=list)
    seq: int = 0
    waits: int = 0  # pages waiting on it now
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    def ring(self) -> None:
        """Wake the pages waiting now; later waits use a fresh event."""
        self.wake.set()
        self.wake = asyncio.Event()


class MemoryVisitorBoxes(VisitorBoxes):
    """Boxes of one process only (`demo`, tests). Every dimension is bounded: at most
    `max_boxes` boxes (past that the least recently seen goes, even when none is old), at
    most `max_items` payloads and about `max_bytes` of them per box (never fewer than the
    newest), at most `max_waits` pages waiting per box (more return at once, empty)."""

    def __init__(
        self,
        *,
        keep: float = 3600.0,
        max_items: int = 50,
        max_boxes: int = 10_000,
        max_bytes: int = 256 * 1024,
        max_waits: int = 8,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.keep, self.max_items, self.max_boxes, self.clock = keep, max_items, max_boxes, clock
        self.max_bytes, self.max_waits = max_bytes, max_waits
        self._boxes: dict[str, _Box] = {}
        # The wake-ups of pages waiting on a box that does not exist yet.
        self._first: dict[str, set[asyncio.Event]] = {}
        self._waiting: set[asyncio.Event] = set()
        self._closing = False

    def _box(self, box_id: str) -> _Box:
        """The box to put into, made on the first put: only a case's worker puts."""
        box = self._boxes.get(box_id)
        if box is None:
            if len(self._boxes) >= self.max_boxes:
                self._sweep()
            while len(self._boxes) >= self.max_boxes:
                self._drop(min(self._boxes, key=lambda b: self._boxes[b].seen))
            box = self._boxes[box_id] = _Box(self.clock())
        box.seen = self.clock()
        return box

    async def put(self, box_id: str, payload: dict[str, Any]) -> None:
        raw = encode_payload(payload)
        box = self._box(box_id)
        box.seq += 1
        box.items.append((box.seq, raw))
        del box.items[: -self.max_items]
        size = sum(len(item) for _, item in box.items)
        while size > self.max_bytes and len(box.items) > 1:
            size -= len(box.items.pop(0)[1])
        box.ring()
        for wake in self._first.get(box_id, ()):
            wake.set()

    async def wait(self, box_id: str, after: int, timeout: float) -> tuple[int, list[Any]]:
        box = self._boxes.get(box_id)
        if box is None:
            return await self._wait_for_first(box_id, timeout)
        box.seen = self.clock()
        if after > box.seq:
            after = 0
        box.items = [item for item in box.items if item[0] > after]
        if not box.items and box.waits < self.max_waits:
            box.waits += 1
            try:
                await self._sleep(box.wake, timeout)
            finally:
                box.waits -= 1
        if self._boxes.get(box_id) is not box:
            return 0, []  # dropped while waiting: numbering starts again, as on Redis
        box.seen = self.clock()
        return box.seq, [decode_payload(raw) for _, raw in box.items]

    async def _wait_for_first(self, box_id: str, timeout: float) -> tuple[int, list[Any]]:
        """No box yet: wait without making one, so pages that never had a case (most
        of them), or ids nobody will ever write to, cost only their wait."""
        wake = asyncio.Event()
        waiting = self._first.setdefault(box_id, set())
        if len(waiting) >= self.max_waits:
            return 0, []
        waiting.add(wake)
        try:
            await self._sleep(wake, timeout)
        finally:
            waiting.discard(wake)
            if not waiting and self._first.get(box_id) is waiting:
                del self._first[box_id]
        box = self._boxes.get(box_id)
        if box is None:
            return 0, []
        return box.seq, [decode_payload(raw) for _, raw in box.items]

    async def _sleep(self, wake: asyncio.Event, timeout: float) -> None:
        if self._closing:
            return
        self._waiting.add(wake)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout)
        finally:
            self._waiting.discard(wake)

    async def drop(self, box_id: str) -> None:
        self._drop(box_id)

    def _drop(self, box_id: str) -> None:
        box = self._boxes.pop(box_id, None)
        if box is not None:
            box.items.clear()
            box.ring()

    async def sweep(self) -> None:
        self._sweep()

    def _sweep(self) -> None:
        cutoff = self.clock() - self.keep
        for box_id in [b for b, box in self._boxes.items() if box.seen < cutoff]:
            self._drop(box_id)

    async def close(self) -> None:
        self._closing = True
        for wake in list(self._waiting):
            wake.set()

    def __len__(self) -> int:
        return len(self._boxes)
