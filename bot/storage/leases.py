"""Leases: "only one of N processes does this, for a while" (scheduled jobs, mostly).

A lease is a name held by one holder, known by a random token, until its time to live
runs out. ``acquire`` gives a token, or None while someone else holds the name; only the
holder can ``renew`` or ``release`` it. A holder that crashes simply stops renewing, and
the name is free again once the TTL has run out: nothing needs cleaning up by hand.

The memory store serves one process (demo, tests); ``redis_leases.RedisLeaseStore`` is
the one processes share. Both pass tests/storage/test_lease_stores.py.
"""

from __future__ import annotations

import abc
import math
import secrets
import time
from collections.abc import Callable

__all__ = ["LeaseStore", "MemoryLeaseStore", "lease_ms", "new_token"]


def new_token() -> str:
    return secrets.token_urlsafe(16)


def lease_ms(ttl: float) -> int:
    """A TTL in whole milliseconds, rounded up: a lease never ends before the time asked
    (a scheduler holds one until a period boundary), and lasts at least 1 ms."""
    return max(1, math.ceil(ttl * 1000))


class LeaseStore(abc.ABC):
    @abc.abstractmethod
    async def acquire(self, name: str, ttl: float) -> str | None:
        """Hold ``name`` for ``ttl`` seconds: the holder's token, or None when it is held."""

    @abc.abstractmethod
    async def renew(self, name: str, token: str, ttl: float) -> bool:
        """Hold it ``ttl`` seconds from now; False when ``token`` no longer holds it."""

    @abc.abstractmethod
    async def release(self, name: str, token: str) -> None:
        """Let it go now, if ``token`` still holds it (otherwise nothing happens)."""


class MemoryLeaseStore(LeaseStore):
    """Leases within one process; ``clock`` is monotonic seconds."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._held: dict[str, tuple[str, float]] = {}  # name -> (token, ends at)

    def _holder(self, name: str) -> str | None:
        held = self._held.get(name)
        if held is None:
            return None
        if held[1] <= self.clock():
            del self._held[name]
            return None
        return held[0]

    def _until(self, ttl: float) -> float:
        return self.clock() + lease_ms(ttl) / 1000

    async def acquire(self, name: str, ttl: float) -> str | None:
        # Forget every lease that ran out: names such as a scheduler's per-period ones
        # are never asked about again. Few leases live at once, so this is cheap.
        now = self.clock()
        for gone in [key for key, (_, ends) in self._held.items() if ends <= now]:
            del self._held[gone]
        if self._holder(name) is not None:
            return None
        token = new_token()
        self._held[name] = (token, self._until(ttl))
        return token

    async def renew(self, name: str, token: str, ttl: float) -> bool:
        if self._holder(name) != token:
            return False
        self._held[name] = (token, self._until(ttl))
        return True

    async def release(self, name: str, token: str) -> None:
        if self._holder(name) == token:
            del self._held[name]
