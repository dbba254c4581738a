"""`DeliveryQueue` on Redis: one list per channel (``<prefix>deliver:<channel>``), and a
"taken" list beside it (``<prefix>deliver:<channel>:taken``): a reliable queue.

Pushes go on the left; a pop moves the oldest item from the right into the taken list
with BLMOVE, on a connection of its own, so a waiting pop never holds a connection the
request path needs. The item leaves the taken list when acknowledged: by the outbox write
that takes it over (``RedisOutbox.post(..., receipt=...)``), or `ack()`. An item still
taken at two looks `stale_after` seconds apart was taken by a process that died: it goes
back to the right end, to be popped next. Both lists expire a day after their last
write: a delivery nobody could send for a day is no longer wanted.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis

from bot.engine.events import Event
from bot.storage.deliveries import (
    Delivery,
    DeliveryQueue,
    Receipt,
    decode_delivery,
    encode_delivery,
)
from bot.storage.redis_errors import RedisErrors

__all__ = ["RedisDeliveryQueue"]

KEEP = 24 * 3600

# KEYS: taken, queue  ARGV: raw  -> 1 when put back (it was still taken)
_PUT_BACK = """
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 1 then
  redis.call('RPUSH', KEYS[2], ARGV[1])
  return 1
end
return 0
"""


class RedisDeliveryQueue(DeliveryQueue):
    def __init__(
        self, client: Redis, url: str, *, prefix: str = "sv:", stale_after: float = 30.0
    ) -> None:
        self._client, self._url, self.prefix = client, url, prefix
        self.stale_after = stale_after
        self._errors = RedisErrors(url, "the delivery queue")
        self._blocking: Redis | None = None
        self._put_back = client.register_script(_PUT_BACK)
        self._seen: dict[str, set[Any]] = {}  # taken items at the last look, per channel
        self._next_look: dict[str, float] = {}

    def _key(self, channel: str) -> str:
        return f"{self.prefix}deliver:{channel}"

    def _taken(self, channel: str) -> str:
        return f"{self.prefix}deliver:{channel}:taken"

    async def push(self, channel: str, address: str, events: Sequence[Event]) -> None:
        raw = encode_delivery(address, events)
        with self._errors():
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.lpush(self._key(channel), raw)
                pipe.expire(self._key(channel), KEEP)
                await pipe.execute()

    async def pop(self, channel: str, timeout: float) -> Delivery | None:
        await self._recover(channel)
        if self._blocking is None:
            # Its own single connection, without the pool's socket timeout: BLMOVE waits.
            self._blocking = Redis.from_url(self._url, socket_timeout=timeout + 5.0)
        taken = self._taken(channel)
        with self._errors():
            # Redis takes a fractional timeout; redis-py's annotation says int.
            wait: Any = max(timeout, 0.01)
            found = await self._blocking.blmove(self._key(channel), taken, wait, "RIGHT", "LEFT")
            if found is None:
                return None
            await self._client.expire(taken, KEEP)
        raw = found.decode() if isinstance(found, bytes) else str(found)
        return decode_delivery(raw, Receipt(taken, raw))

    async def ack(self, delivery: Delivery) -> None:
        if delivery.receipt is not None:
            with self._errors():
                await self._client.lrem(delivery.receipt.taken, 1, delivery.receipt.raw)

    async def _recover(self, channel: str) -> None:
        """Put back what was taken at the last look and still is (its taker died)."""
        now = time.monotonic()
        if now < self._next_look.get(channel, 0.0):
            return
        self._next_look[channel] = now + self.stale_after
        taken = self._taken(channel)
        with self._errors():
            items: list[Any] = await self._client.lrange(taken, 0, -1)  # newest first
            seen = self._seen.get(channel, set())
            stale = [raw for raw in items if raw in seen]
            # Newest first, so the oldest ends up rightmost: popped first again.
            for raw in stale:
                await self._put_back([taken, self._key(channel)], [raw])
        self._seen[channel] = set(items) - set(stale)

    async def close(self) -> None:
        if self._blocking is not None:
            await self._blocking.aclose()
            self._blocking = None
