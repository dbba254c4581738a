"""`DeliveryQueue` on Redis: one list per channel (``<prefix>deliver:<channel>``).

Pushes go on the left, pops take from the right with BRPOP on a connection of their own,
so a waiting pop never holds a connection the request path needs. The list expires a day
after its last push: a delivery nobody could send for a day is no longer wanted.
"""

from __future__ import annotations

from collections.abc import Sequence

from redis.asyncio import Redis

from bot.engine.events import Event
from bot.storage.deliveries import Delivery, DeliveryQueue, decode_delivery, encode_delivery
from bot.storage.redis_errors import RedisErrors

__all__ = ["RedisDeliveryQueue"]

KEEP = 24 * 3600


class RedisDeliveryQueue(DeliveryQueue):
    def __init__(self, client: Redis, url: str, *, prefix: str = "sv:") -> None:
        self._client, self._url, self.prefix = client, url, prefix
        self._errors = RedisErrors(url, "the delivery queue")
        self._blocking: Redis | None = None

    def _key(self, channel: str) -> str:
        return f"{self.prefix}deliver:{channel}"

    async def push(self, channel: str, address: str, events: Sequence[Event]) -> None:
        raw = encode_delivery(address, events)
        with self._errors():
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.lpush(self._key(channel), raw)
                pipe.expire(self._key(channel), KEEP)
                await pipe.execute()

    async def pop(self, channel: str, timeout: float) -> Delivery | None:
        if self._blocking is None:
            # Its own single connection, without the pool's socket timeout: BRPOP waits.
            self._blocking = Redis.from_url(self._url, socket_timeout=timeout + 5.0)
        with self._errors():
            found = await self._blocking.brpop([self._key(channel)], timeout=max(timeout, 0.01))
        if found is None:
            return None
        return decode_delivery(found[1])

    async def close(self) -> None:
        if self._blocking is not None:
            await self._blocking.aclose()
            self._blocking = None
