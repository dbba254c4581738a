"""`TraceStore` on Redis: one string per chat, ``<prefix>trace:<hmac>``, set only if absent
(SET NX GET, Redis 7), expiring 48 hours after first contact."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.storage.redis_errors import RedisErrors
from bot.storage.redis_values import ms
from bot.storage.traces import TRACE_TTL, Trace, TraceStore, decode, encode

__all__ = ["RedisTraceStore"]


class RedisTraceStore(TraceStore):
    def __init__(self, client: Redis, *, prefix: str = "sv:", ttl: float = TRACE_TTL) -> None:
        self._client, self.prefix, self.ttl = client, prefix, ttl
        self._errors = RedisErrors.of_client(client, "the chat traces")

    def key_of(self, key: str) -> str:
        """The trace's Redis key (the session store's begin script keeps it too)."""
        return f"{self.prefix}trace:{key}"

    _key = key_of

    async def remember(self, key: str, trace: Trace) -> Trace | None:
        with self._errors():
            before = await self._client.set(
                self._key(key), encode(trace), nx=True, get=True, px=ms(self.ttl)
            )
        return decode(before if isinstance(before, str | bytes) else None)

    async def get(self, key: str) -> Trace | None:
        with self._errors():
            return decode(await self._client.get(self._key(key)))

    async def delete(self, key: str) -> None:
        with self._errors():
            await self._client.delete(self._key(key))
