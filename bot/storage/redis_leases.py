"""The LeaseStore on Redis, shared by every process: ``sv:lease:<name>`` holds the
holder's token, with the lease's TTL as the key's (SET NX PX). Renewing and releasing
check the token first, in one Lua script each, so a holder whose lease ran out and was
taken by another process cannot extend or delete the new holder's lease.
"""

from __future__ import annotations

from redis.asyncio import Redis

from bot.storage.leases import LeaseStore, lease_ms, new_token
from bot.storage.redis_errors import RedisErrors

__all__ = ["RedisLeaseStore"]

# KEYS: lease  ARGV: token, ttl ms  -> 1 renewed, 0 not held by this token.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""

# KEYS: lease  ARGV: token  -> 1 released, 0 not held by this token.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisLeaseStore(LeaseStore):
    """``client`` belongs to the caller, who closes it (the runtime shares one)."""

    def __init__(self, client: Redis, prefix: str = "sv:lease:") -> None:
        self.prefix = prefix
        self._client = client
        self._errors = RedisErrors.of_client(client, "the lease store")
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)

    async def acquire(self, name: str, ttl: float) -> str | None:
        token = new_token()
        with self._errors():
            taken = await self._client.set(self.prefix + name, token, nx=True, px=lease_ms(ttl))
        return token if taken else None

    async def renew(self, name: str, token: str, ttl: float) -> bool:
        with self._errors():
            renewed = await self._renew([self.prefix + name], [token, lease_ms(ttl)])
        return bool(renewed)

    async def release(self, name: str, token: str) -> None:
        with self._errors():
            await self._release([self.prefix + name], [token])
