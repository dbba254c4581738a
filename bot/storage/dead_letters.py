"""Dead letters: updates set aside because they could not be read or kept failing.

A record says only what kind of update it was (``"message"``, ``"callback_query"``, or
``"unknown"``) and the class name of the error, with the minute it happened: never the
update's content, ids or sender. Records live for a week (`DEFAULT_TTL`) and at most
`KEEP` per source (``"tg:<bot id>"``), so the store stays small whatever happens.
Operators read them to see that something is wrong with a library or a flow; the young
person was already answered with an apology.

Every implementation passes ``tests/storage/test_dead_letter_stores.py``.
"""

from __future__ import annotations

import abc
import datetime as dt
import json
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "DEFAULT_TTL",
    "KEEP",
    "DeadLetter",
    "DeadLetterStore",
    "MemoryDeadLetters",
    "decode_letter",
    "encode_letter",
    "minute_now",
    "safe_name",
]

DEFAULT_TTL = 7 * 24 * 3600.0
KEEP = 1000
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]{0,63}$")


def safe_name(value: str) -> str:
    """A kind or class name as given, or "unknown": nothing else gets written."""
    return value if _NAME.match(value) else "unknown"


def minute_now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")


@dataclass(frozen=True, slots=True)
class DeadLetter:
    kind: str
    error: str
    at: str  # ISO minute, UTC


def encode_letter(kind: str, error: str, at: str) -> str:
    return json.dumps({"k": safe_name(kind), "e": safe_name(error), "t": at}, separators=(",", ":"))


def decode_letter(raw: str | bytes) -> DeadLetter:
    data = json.loads(raw)
    return DeadLetter(str(data["k"]), str(data["e"]), str(data["t"]))


class DeadLetterStore(abc.ABC):
    @abc.abstractmethod
    async def add(self, source: str, kind: str, error: str) -> None:
        """Record one update set aside (`kind` and `error` are names, nothing more)."""

    @abc.abstractmethod
    async def recent(self, source: str, limit: int = 100) -> list[DeadLetter]:
        """The newest records first."""

    async def close(self) -> None:
        return None


class MemoryDeadLetters(DeadLetterStore):
    def __init__(
        self,
        *,
        ttl: float = DEFAULT_TTL,
        keep: int = KEEP,
        clock: Callable[[], float] = time.monotonic,
        minute: Callable[[], str] = minute_now,
    ) -> None:
        self.ttl, self.keep, self._clock, self._minute = ttl, keep, clock, minute
        self._letters: dict[str, tuple[deque[str], float]] = {}

    async def add(self, source: str, kind: str, error: str) -> None:
        found = self._letters.get(source)
        letters = found[0] if found and found[1] > self._clock() else deque(maxlen=self.keep)
        letters.appendleft(encode_letter(kind, error, self._minute()))
        self._letters[source] = (letters, self._clock() + self.ttl)

    async def recent(self, source: str, limit: int = 100) -> list[DeadLetter]:
        found = self._letters.get(source)
        if found is None or found[1] <= self._clock():
            return []
        return [decode_letter(raw) for raw in list(found[0])[:limit]]
