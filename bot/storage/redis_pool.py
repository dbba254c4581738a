"""The conversation store's connection pool: bounded, and cheap when a connection is free.

redis-py's BlockingConnectionPool waits on a condition under a timer for every command,
and a socket timeout wraps every write in a task of its own; on a young person's turn
(two script calls) that bookkeeping cost more than the calls. This pool waits only when
all connections are busy (a semaphore), and the store gives each call one deadline
(`CALL_TIMEOUT`) instead of a timer per read and write.
"""

from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

__all__ = ["CALL_TIMEOUT", "LeanPool", "lean_client"]

# How long one call may take, waiting for a connection included, before the store says
# Redis cannot be reached (the socket timeout the other stores' clients have).
CALL_TIMEOUT = 5.0


class LeanPool(ConnectionPool):
    """At most `max_connections`; a burst of chats waits (up to `wait` s) for one to be
    free instead of failing with "Too many connections" or opening thousands."""

    def __init__(self, *, wait: float = 5.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.wait = wait
        self._free = asyncio.Semaphore(self.max_connections)
        # The connections handed out, each holding one slot. redis-py gives back a
        # connection it could not connect through `release()` before raising: that one
        # never held a slot, and freeing one for it let the pool grow past its bound.
        self._holding: set[Any] = set()

    async def get_connection(self, *args: Any, **kwargs: Any) -> Any:
        if self._free.locked():
            try:
                async with asyncio.timeout(self.wait):
                    await self._free.acquire()
            except TimeoutError:
                msg = "No connection available."
                raise RedisConnectionError(msg) from None
        else:
            await self._free.acquire()  # a free slot: no waiting, no timer
        try:
            connection = await super().get_connection()  # type: ignore[no-untyped-call]
        except BaseException:
            self._free.release()
            raise
        self._holding.add(connection)
        return connection

    async def release(self, connection: Any) -> None:
        try:
            await super().release(connection)
        finally:
            if connection in self._holding:
                self._holding.discard(connection)
                self._free.release()


def lean_client(url: str, max_connections: int = 64) -> Redis:
    pool = LeanPool.from_url(
        url,
        max_connections=max_connections,
        socket_connect_timeout=2.0,
        # A couple of quick retries ride over a restart (stale pooled connections); more
        # would keep a child waiting for a reply while Redis is really down.
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), 2),
    )
    return Redis.from_pool(pool)
