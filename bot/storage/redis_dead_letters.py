"""`DeadLetterStore` on Redis: one capped list per source, ``sv:dl:<source>`` (newest
first, at most `KEEP` records, expiring `DEFAULT_TTL` after the last one). One round trip
per record; records are rare."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.storage.dead_letters import (
    DEFAULT_TTL,
    KEEP,
    DeadLetter,
    DeadLetterStore,
    decode_letter,
    encode_letter,
    minute_now,
)
from bot.storage.redis_errors import RedisErrors

__all__ = ["RedisDeadLetters"]


class RedisDeadLetters(DeadLetterStore):
    def __init__(
        self,
        client: Redis,
        url: str,
        *,
        prefix: str = "sv:",
        ttl: float = DEFAULT_TTL,
        keep: int = KEEP,
    ) -> None:
        self._client, self.prefix, self.ttl, self.keep = client, prefix, ttl, keep
        self._errors = RedisErrors(url, "the dead-letter store")

    def _key(self, source: str) -> str:
        return f"{self.prefix}dl:{source}"

    async def add(self, source: str, kind: str, error: str) -> None:
        key = self._key(source)
        with self._errors():
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.lpush(key, encode_letter(kind, error, minute_now()))
                pipe.ltrim(key, 0, self.keep - 1)
                pipe.pexpire(key, max(1, round(self.ttl * 1000)))
                await pipe.execute()

    async def recent(self, source: str, limit: int = 100) -> list[DeadLetter]:
        with self._errors():
            found = await self._client.lrange(self._key(source), 0, max(0, limit - 1))
        return [decode_letter(raw) for raw in found]
