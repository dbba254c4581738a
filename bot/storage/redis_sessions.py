"""The SessionStore on Redis: what ``safevoice run`` uses, shared by all bot processes.

An ordinary update costs two round trips: one Lua script locks, loads and checks dedupe;
another saves, marks the update handled and unlocks only if we still own the lock.
Key layout (prefix "sv:" by default), each with a TTL so nothing outlives its use:

- ``sv:s:<key>`` the session JSON, TTL ``session_ttl`` (refreshed on every save)
- ``sv:l:<key>`` the lock, value = random owner token, TTL ``lock_ttl``
- ``sv:u:<update_id>`` "this update was handled", TTL ``dedupe_ttl``

Update ids share one namespace, so callers prefix them per channel ("tg:123").
For Redis Cluster the three keys of a script would need a common hash tag; one
Redis (with Sentinel) is what the design asks for today.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

from bot.storage.redis_errors import RedisErrors
from bot.storage.sessions import (
    DEFAULT_DEDUPE_TTL,
    DEFAULT_LOCK_TTL,
    DEFAULT_SESSION_TTL,
    KeyGate,
    LockLostError,
    LockTimeoutError,
    Session,
    SessionStore,
    Turn,
    decode_session,
    encode_session,
)

__all__ = ["RedisSessionStore"]

# KEYS: lock, session[, handled]  ARGV: token, lock ttl ms
# -> {1, session or nil, 0|1} when locked, {0, lock pttl ms} when someone else holds it.
_BEGIN = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local handled = 0
  if KEYS[3] then handled = redis.call('EXISTS', KEYS[3]) end
  return {1, redis.call('GET', KEYS[2]), handled}
end
return {0, redis.call('PTTL', KEYS[1])}
"""

# KEYS: lock, session[, handled]  ARGV: token, session JSON or "" to delete,
# session ttl ms, handled ttl ms  -> 1 saved, 0 lock lost (nothing written).
_COMMIT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[2])
else
  redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
end
if KEYS[3] then redis.call('SET', KEYS[3], '1', 'PX', ARGV[4]) end
redis.call('DEL', KEYS[1])
return 1
"""

# KEYS: lock  ARGV: token  -> 1 released, 0 not ours (expired, maybe taken over).
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


class RedisSessionStore(SessionStore):
    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        prefix: str = "sv:",
        session_ttl: float = DEFAULT_SESSION_TTL,
        lock_ttl: float = DEFAULT_LOCK_TTL,
        dedupe_ttl: float = DEFAULT_DEDUPE_TTL,
        max_connections: int = 64,
        client: Redis | None = None,
    ) -> None:
        """``client`` replaces the one built from ``url`` (tests count its round trips);
        the store closes only a client it built itself."""
        self.prefix = prefix
        self.session_ttl = session_ttl
        self.lock_ttl = lock_ttl
        self.dedupe_ttl = dedupe_ttl
        self._errors = RedisErrors(url, "the conversation store")
        self._owns_client = client is None
        if client is None:
            # Blocking pool: a burst of chats waits briefly for a connection instead of
            # failing ("Too many connections") or opening thousands of sockets.
            pool = BlockingConnectionPool.from_url(
                url,
                max_connections=max_connections,
                timeout=5.0,
                socket_connect_timeout=2.0,
                socket_timeout=5.0,
                # A couple of quick retries ride over a restart (stale pooled connections);
                # more would keep a child waiting for a reply while Redis is really down.
                retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), 2),
            )
            client = Redis.from_pool(pool)
        self._client: Redis = client
        self._begin = self._client.register_script(_BEGIN)
        self._commit = self._client.register_script(_COMMIT)
        self._release = self._client.register_script(_RELEASE)
        # Local FIFO queue per key: order of arrival within this process, no polling
        # storm on Redis. Cross-process order is first come at the next retry.
        self._gate = KeyGate(time.monotonic)

    def _keys(self, key: str, update_id: str | None) -> list[str]:
        keys = [f"{self.prefix}l:{key}", f"{self.prefix}s:{key}"]
        if update_id is not None:
            keys.append(f"{self.prefix}u:{update_id}")
        return keys

    async def begin(
        self, key: str, *, update_id: str | None = None, lock_timeout: float = 10.0
    ) -> Turn:
        token = secrets.token_urlsafe(12)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + lock_timeout
        await self._gate.acquire(key, token, self.lock_ttl, deadline)
        try:
            keys = self._keys(key, update_id)
            delay = 0.01
            while True:
                with self._errors():
                    reply: list[Any] = await self._begin(keys, [token, _ms(self.lock_ttl)])
                if reply[0] == 1:
                    return Turn(key, decode_session(reply[1]), reply[2] == 1, token, update_id)
                # Held by another process: wait no longer than its lock can live.
                remaining = deadline - loop.time()
                if remaining <= 0:
                    msg = "this conversation is busy with another message; try again soon"
                    raise LockTimeoutError(msg)
                pttl = int(reply[1]) / 1000
                await asyncio.sleep(min(delay, remaining, pttl) if pttl > 0 else 0)
                delay = min(delay * 2, 0.2)
        except BaseException:
            # A lock we may have won in Redis just before failing expires by itself.
            self._gate.release(key, token)
            raise

    async def commit(
        self, turn: Turn, session: Session | None, *, update_id: str | None = None
    ) -> None:
        # Encode first: bad data raises TypeError with the old session and the lock intact.
        raw = b"" if session is None else encode_session(session)
        keys = self._keys(turn.key, update_id if update_id is not None else turn.update_id)
        ttls = [_ms(self.session_ttl), _ms(self.dedupe_ttl)]
        args: list[str | bytes | int] = [turn.token, raw, *ttls]
        try:
            with self._errors():
                saved = await self._commit(keys, args)
        finally:
            self._gate.release(turn.key, turn.token)
        if saved != 1:
            msg = "this message took too long and was not saved; please send it again"
            raise LockLostError(msg)

    async def release(self, turn: Turn) -> None:
        try:
            with self._errors():
                await self._release([f"{self.prefix}l:{turn.key}"], [turn.token])
        finally:
            self._gate.release(turn.key, turn.token)

    async def delete(self, key: str) -> None:
        with self._errors():
            await self._client.delete(f"{self.prefix}s:{key}")

    async def ping(self) -> None:
        with self._errors():
            await self._client.ping()

    async def close(self) -> None:
        if self._owns_client:
            await self._client.aclose()
