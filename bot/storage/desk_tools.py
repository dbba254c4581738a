"""What the worker tools keep between requests: who is on duty, and which senders are
blocked for a while. Small interfaces, a memory version here (demo, tests) and the Redis
one every process shares in `bot.storage.redis_desk_tools`; both pass
tests/storage/test_desk_tool_stores.py (STYLE point 3).

Times are epoch seconds chosen by the caller (the service's clock), so a test that moves
the clock moves these too. A block is kept under a digest of the session key, never the
key itself: the block list alone cannot find anyone's conversation. Nothing here is
logged.
"""

from __future__ import annotations

import abc

__all__ = ["BlockStore", "MemoryBlockStore", "MemoryPresenceStore", "PresenceStore"]


class PresenceStore(abc.ABC):
    """Workers who said "I am on duty", each until a time (or until they end it)."""

    @abc.abstractmethod
    async def start(self, worker: str, until: float) -> None: ...

    @abc.abstractmethod
    async def end(self, worker: str) -> None: ...

    @abc.abstractmethod
    async def on_duty(self, now: float) -> list[str]:
        """The workers on duty at `now`, sorted; the ones whose time ran out are dropped."""


class BlockStore(abc.ABC):
    """Senders who may not reach a worker until a time, by a digest of their key."""

    @abc.abstractmethod
    async def block(self, digest: str, until: float, now: float) -> None:
        """Blocked until `until` (a later block wins over an earlier one)."""

    @abc.abstractmethod
    async def blocked_until(self, digest: str, now: float) -> float | None:
        """When the block ends, or None when there is none at `now`."""


class MemoryPresenceStore(PresenceStore):
    def __init__(self) -> None:
        self._until: dict[str, float] = {}

    async def start(self, worker: str, until: float) -> None:
        self._until[worker] = until

    async def end(self, worker: str) -> None:
        self._until.pop(worker, None)

    async def on_duty(self, now: float) -> list[str]:
        for worker in [w for w, until in self._until.items() if until <= now]:
            del self._until[worker]
        return sorted(self._until)


class MemoryBlockStore(BlockStore):
    def __init__(self) -> None:
        self._until: dict[str, float] = {}

    async def block(self, digest: str, until: float, now: float) -> None:
        self._until[digest] = max(until, self._until.get(digest, 0.0))

    async def blocked_until(self, digest: str, now: float) -> float | None:
        until = self._until.get(digest)
        if until is None or until <= now:
            self._until.pop(digest, None)
            return None
        return until
