"""The worker tools' stores on Redis, shared by every process.

- ``sv:duty``            sorted set: worker id -> the epoch second their duty ends
- ``sv:block:<digest>``  the epoch second a sender's block ends, expiring then

A worker id is a staff member's ("web:ana", "tg:<staff user id>"); a digest is a hash of
a young person's session key, never the key (see `bot.services.blocks`).
"""

from __future__ import annotations

import math

from redis.asyncio import Redis

from bot.storage.desk_tools import BlockStore, PresenceStore
from bot.storage.redis_errors import RedisErrors

__all__ = ["RedisBlockStore", "RedisPresenceStore"]

# A later block wins: set only when there is none or it ends sooner; expire with it.
_BLOCK = """
local old = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > old then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
end
return 1
"""


class RedisPresenceStore(PresenceStore):
    """``client`` belongs to the caller, who closes it (the runtime shares one)."""

    def __init__(self, client: Redis, key: str = "sv:duty") -> None:
        self._client, self._key = client, key
        self._errors = RedisErrors.of_client(client, "the on-duty list")

    async def start(self, worker: str, until: float) -> None:
        with self._errors():
            await self._client.zadd(self._key, {worker: until})

    async def end(self, worker: str) -> None:
        with self._errors():
            await self._client.zrem(self._key, worker)

    async def on_duty(self, now: float) -> list[str]:
        with self._errors():
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.zremrangebyscore(self._key, "-inf", now)
                pipe.zrange(self._key, 0, -1)
                _, members = await pipe.execute()
        return sorted(m.decode() if isinstance(m, bytes) else str(m) for m in members)


class RedisBlockStore(BlockStore):
    def __init__(self, client: Redis, prefix: str = "sv:block:") -> None:
        self._client, self._prefix = client, prefix
        self._errors = RedisErrors.of_client(client, "the block list")
        self._block = client.register_script(_BLOCK)

    async def block(self, digest: str, until: float, now: float) -> None:
        seconds = max(1, math.ceil(until - now))
        with self._errors():
            await self._block([self._prefix + digest], [repr(until), seconds])

    async def blocked_until(self, digest: str, now: float) -> float | None:
        with self._errors():
            raw = await self._client.get(self._prefix + digest)
        until = float(raw) if raw is not None else None
        return until if until is not None and until > now else None
