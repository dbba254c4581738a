"""What a chat leaves on the young person's phone, remembered for Telegram's 48 hours.

A bot may delete its private chat's messages for 48 hours. The conversation itself is
forgotten after 30 idle minutes, so "delete my data" after a pause once lost the record
of where the chat began and left a disclosure on the phone. A trace keeps only the
channel's first message id and when it was sent, keyed by the chat's HMAC, for 48 hours
from first contact, apart from the session. It also tells an honest "welcome back" (the
young person was here) from a first contact.

Every implementation passes ``tests/storage/test_trace_stores.py``. Nothing here holds a
message, a name or a chat id.
"""

from __future__ import annotations

import abc
import json
import time
from collections.abc import Callable
from typing import Any

__all__ = ["TRACE_TTL", "MemoryTraceStore", "Trace", "TraceStore"]

TRACE_TTL = 48 * 3600.0
Trace = dict[str, Any]


def encode(trace: Trace) -> str:
    return json.dumps(trace, separators=(",", ":"), allow_nan=False)


def decode(raw: str | bytes | None) -> Trace | None:
    if raw is None:
        return None
    found = json.loads(raw)
    return found if isinstance(found, dict) else None


class TraceStore(abc.ABC):
    @abc.abstractmethod
    async def remember(self, key: str, trace: Trace) -> Trace | None:
        """Keep `trace` for `key` unless one is kept already. Returns the one kept before
        (None: no contact in the last 48 hours). One round trip."""

    @abc.abstractmethod
    async def get(self, key: str) -> Trace | None: ...

    @abc.abstractmethod
    async def delete(self, key: str) -> None: ...


class MemoryTraceStore(TraceStore):
    def __init__(
        self, *, ttl: float = TRACE_TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl, self.clock = ttl, clock
        self._kept: dict[str, tuple[str, float]] = {}

    def _live(self, key: str) -> str | None:
        found = self._kept.get(key)
        if found is None or found[1] <= self.clock():
            self._kept.pop(key, None)
            return None
        return found[0]

    async def remember(self, key: str, trace: Trace) -> Trace | None:
        before = self._live(key)
        if before is None:
            if len(self._kept) > 10_000:
                for old in [k for k, (_, at) in self._kept.items() if at <= self.clock()]:
                    del self._kept[old]
            self._kept[key] = (encode(trace), self.clock() + self.ttl)
        return decode(before)

    async def get(self, key: str) -> Trace | None:
        return decode(self._live(key))

    async def delete(self, key: str) -> None:
        self._kept.pop(key, None)
