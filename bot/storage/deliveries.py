"""Messages for young people that another process must send.

A worker on the web desk (a `safevoice serve` process) answers a young person who wrote on
Telegram; only a `safevoice run` process holds the Telegram connection. The handoff
service's deliverer for such a channel pushes the rendered-to-data events here and a
process of that channel pops and sends them. Items hold the delivery address (a chat id),
which only the case mapping knew: they are popped once and never logged.

Events pass as JSON (STYLE point 5); only `Say` events travel this way (worker messages,
"<name> is here now", the rating question). Every implementation passes
``tests/storage/test_delivery_stores.py``.

A popped delivery is not gone yet: it carries a `receipt`, and stays on the queue's
"taken" side until the consumer acknowledges it, best in the same write that puts it in
the durable outbox (``OutboxStore.post(..., receipt=...)``), or with `ack()`. One a
consumer took but never acknowledged (the process died) goes back to the queue after a
while (`RedisDeliveryQueue`), so it is not lost; it is never sent twice, because only
one acknowledgement can find it.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import json
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.engine.events import Event, Option, Say

__all__ = [
    "Delivery",
    "DeliveryQueue",
    "MemoryDeliveryQueue",
    "Receipt",
    "decode_delivery",
    "encode_delivery",
]


@dataclass(frozen=True, slots=True)
class Receipt:
    """Where a popped delivery waits for its acknowledgement: the "taken" list and the
    item as stored (unique: every item carries a random nonce)."""

    taken: str
    raw: str


@dataclass(frozen=True, slots=True)
class Delivery:
    address: str
    events: tuple[Say, ...]
    receipt: Receipt | None = None  # None: nothing to acknowledge (memory)


def _option(option: Option | None) -> list[str] | None:
    return [option.value, option.label] if option is not None else None


def _unoption(raw: Any) -> Option | None:
    return Option(str(raw[0]), str(raw[1])) if isinstance(raw, list) and len(raw) == 2 else None


def encode_delivery(address: str, events: Sequence[Event]) -> str:
    says = [event for event in events if isinstance(event, Say)]
    if len(says) != len(events):
        msg = "only Say events can be delivered by another process"
        raise TypeError(msg)
    items = [
        {
            "t": s.text,
            "l": s.lang,
            "r": s.rtl,
            "s": s.step,
            "i": s.input,
            "o": [_option(o) for o in s.options],
            "k": _option(s.skip),
            "d": _option(s.done),
            "x": list(s.selected),
        }
        for s in says
    ]
    nonce = secrets.token_urlsafe(6)
    return json.dumps({"v": 1, "n": nonce, "a": address, "e": items}, ensure_ascii=False)


def decode_delivery(raw: str | bytes, receipt: Receipt | None = None) -> Delivery:
    data = json.loads(raw)
    says = tuple(
        Say(
            str(item["t"]),
            str(item["l"]),
            bool(item["r"]),
            item["s"],
            item["i"],
            tuple(o for o in (_unoption(x) for x in item["o"]) if o is not None),
            _unoption(item["k"]),
            _unoption(item["d"]),
            tuple(str(x) for x in item["x"]),
        )
        for item in data["e"]
    )
    return Delivery(str(data["a"]), says, receipt)


class DeliveryQueue(abc.ABC):
    """A FIFO per channel, shared by every process of one deployment."""

    @abc.abstractmethod
    async def push(self, channel: str, address: str, events: Sequence[Event]) -> None: ...

    @abc.abstractmethod
    async def pop(self, channel: str, timeout: float) -> Delivery | None:
        """The oldest delivery for `channel`, waiting up to `timeout` s; None if none came.
        It stays taken, not gone, until acknowledged (see the module docstring)."""

    async def ack(self, delivery: Delivery) -> None:
        """Done with a popped delivery without the outbox (it could not be used)."""
        return None

    async def close(self) -> None:
        return None

    def pusher(self, channel: str) -> Any:
        """A `HandoffService.deliverers[channel]` that hands the events to this queue."""

        async def deliver(address: str, events: Sequence[Event]) -> None:
            await self.push(channel, address, events)

        return deliver


class MemoryDeliveryQueue(DeliveryQueue):
    def __init__(self) -> None:
        self._queues: defaultdict[str, asyncio.Queue[str]] = defaultdict(asyncio.Queue)

    async def push(self, channel: str, address: str, events: Sequence[Event]) -> None:
        await self._queues[channel].put(encode_delivery(address, events))

    async def pop(self, channel: str, timeout: float) -> Delivery | None:
        with contextlib.suppress(TimeoutError):
            raw = await asyncio.wait_for(self._queues[channel].get(), timeout)
            return decode_delivery(raw)
        return None
