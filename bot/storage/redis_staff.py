"""Staff sessions and the login rate limit on Redis, shared by every `safevoice serve`.

A login on one web process is valid on all of them, a logout or a disabled account ends
the session everywhere, and failed logins counted on one process block on the others.
Key layout (prefix "sv:web:" by default), every key with a TTL:

- ``ss:<sha256(token)>`` hash: ``account``, ``csrf``, ``created``, ``seen``, ``client``
  (a coarse browser description, for the owner's list of logins). Its TTL is
  the idle timeout, cut short by the absolute one, and restarts on every request: Redis
  itself ends idle sessions. The token is only in the cookie (see `token_digest`).
- ``sa:<account>`` set of that account's session digests, so `close_account`, `sessions`
  and `close_one` find them;
  TTL the absolute timeout (no session of the account can outlive the newest login).
- ``lf:<sha256(key)>`` sorted set: one failed login per member, scored by time; TTL the
  window. Hashed so a key name never carries what a client typed as an account name.

Times are wall-clock seconds (`time.time`), which every process agrees on closely enough
for timeouts of minutes. Scripts touch keys they derive (the digests in ``sa:``), like the
other Redis stores: one Redis (with Sentinel), not Cluster.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable

from redis.asyncio import Redis

from bot.storage.login_limits import DEFAULT_MAX_FAILURES, DEFAULT_WINDOW, LoginLimits
from bot.storage.redis_errors import RedisErrors
from bot.storage.redis_values import ms as _ms
from bot.storage.redis_values import text as _text
from bot.storage.staff_sessions import (
    DEFAULT_ABSOLUTE,
    DEFAULT_IDLE,
    SessionInfo,
    StaffSession,
    StaffSessionStore,
    new_token,
    session_id,
    token_digest,
)

__all__ = ["RedisLoginLimits", "RedisStaffSessions"]

# KEYS: session, account set  ARGV: account, csrf, now, session ttl ms, absolute ms,
# digest, prefix, client. Drops digests of sessions that already expired from the set.
_OPEN = """
redis.call('HSET', KEYS[1], 'account', ARGV[1], 'csrf', ARGV[2], 'created', ARGV[3],
           'seen', ARGV[3], 'client', ARGV[8])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
for _, digest in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('EXISTS', ARGV[7] .. 'ss:' .. digest) == 0 then
    redis.call('SREM', KEYS[2], digest)
  end
end
redis.call('SADD', KEYS[2], ARGV[6])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return 1
"""

# KEYS: session  ARGV: now, idle ms, absolute s  -> {account, csrf, created} or nil
_GET = """
local s = redis.call('HMGET', KEYS[1], 'account', 'csrf', 'created')
if not s[1] then return nil end
local left = math.floor((tonumber(s[3]) + tonumber(ARGV[3]) - tonumber(ARGV[1])) * 1000)
if left <= 0 then
  redis.call('DEL', KEYS[1])
  return nil
end
redis.call('HSET', KEYS[1], 'seen', ARGV[1])
redis.call('PEXPIRE', KEYS[1], math.min(tonumber(ARGV[2]), left))
return s
"""

# KEYS: session  ARGV: digest, prefix
_CLOSE = """
local account = redis.call('HGET', KEYS[1], 'account')
redis.call('DEL', KEYS[1])
if account then redis.call('SREM', ARGV[2] .. 'sa:' .. account, ARGV[1]) end
return 1
"""

# KEYS: account set  ARGV: prefix
_CLOSE_ACCOUNT = """
for _, digest in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  redis.call('DEL', ARGV[1] .. 'ss:' .. digest)
end
redis.call('DEL', KEYS[1])
return 1
"""


class RedisStaffSessions(StaffSessionStore):
    """The client belongs to the caller (the runtime), which closes it."""

    def __init__(
        self,
        client: Redis,
        *,
        idle: float = DEFAULT_IDLE,
        absolute: float = DEFAULT_ABSOLUTE,
        prefix: str = "sv:web:",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.idle, self.absolute, self.prefix, self.clock = idle, absolute, prefix, clock
        self._client = client
        self._errors = RedisErrors.of_client(client, "the staff login store")
        register = client.register_script
        self._open, self._get = register(_OPEN), register(_GET)
        self._close, self._close_account = register(_CLOSE), register(_CLOSE_ACCOUNT)

    def _session_key(self, digest: str) -> str:
        return f"{self.prefix}ss:{digest}"

    async def open(self, account_name: str, client: str = "") -> StaffSession:
        now = float(self.clock())
        session = StaffSession(new_token(), account_name, new_token(), now, now)
        digest = token_digest(session.token)
        keys = [self._session_key(digest), f"{self.prefix}sa:{account_name}"]
        args: list[str | int] = [account_name, session.csrf, repr(now)]
        args += [_ms(min(self.idle, self.absolute)), _ms(self.absolute), digest, self.prefix]
        args.append(client)
        with self._errors():
            await self._open(keys, args)
        return session

    async def get(self, token: str | None) -> StaffSession | None:
        if not token:
            return None
        now = float(self.clock())
        args: list[str | int] = [repr(now), _ms(self.idle), repr(float(self.absolute))]
        with self._errors():
            found = await self._get([self._session_key(token_digest(token))], args)
        if not found:
            return None
        account, csrf, created = (_text(part) for part in found)
        return StaffSession(token, account, csrf, float(created), now)

    async def alive(self, token: str | None) -> bool:
        # The key's TTL is both timeouts, so existing is being alive.
        if not token:
            return False
        with self._errors():
            return bool(await self._client.exists(self._session_key(token_digest(token))))

    async def close(self, token: str | None) -> None:
        if not token:
            return
        digest = token_digest(token)
        with self._errors():
            await self._close([self._session_key(digest)], [digest, self.prefix])

    async def close_account(self, name: str) -> None:
        with self._errors():
            await self._close_account([f"{self.prefix}sa:{name}"], [self.prefix])

    async def _digests(self, name: str) -> list[str]:
        with self._errors():
            members = await self._client.smembers(f"{self.prefix}sa:{name}")
        return sorted(_text(member) for member in members)

    async def sessions(self, name: str) -> list[SessionInfo]:
        digests = await self._digests(name)
        with self._errors():
            async with self._client.pipeline(transaction=False) as pipe:
                for digest in digests:
                    pipe.hmget(self._session_key(digest), "account", "created", "seen", "client")
                rows = await pipe.execute()
        found = []
        # The key's TTL is both timeouts: a hash still there is a live session.
        for digest, (account, created, seen, client) in zip(digests, rows, strict=True):
            if account is not None and _text(account) == name:
                info = SessionInfo(
                    session_id(digest), float(_text(created)), float(_text(seen)),
                    _text(client) if client is not None else "",
                )  # fmt: skip
                found.append(info)
        return sorted(found, key=lambda info: info.created, reverse=True)

    async def close_one(self, name: str, sid: str) -> bool:
        # Only this account's own set is searched: another account's id matches nothing.
        for digest in await self._digests(name):
            if session_id(digest) == sid:
                with self._errors():
                    key = self._session_key(digest)
                    existed = bool(await self._client.exists(key))
                    await self._close([key], [digest, self.prefix])
                return existed
        return False


class RedisLoginLimits(LoginLimits):
    """The client belongs to the caller (the runtime), which closes it."""

    def __init__(
        self,
        client: Redis,
        *,
        max_failures: int = DEFAULT_MAX_FAILURES,
        window: float = DEFAULT_WINDOW,
        prefix: str = "sv:web:",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.max_failures, self.window = max_failures, window
        self.prefix, self.clock = prefix, clock
        self._client = client
        self._errors = RedisErrors.of_client(client, "the login rate limit")

    def _key(self, key: str) -> str:
        return f"{self.prefix}lf:{hashlib.sha256(key.encode()).hexdigest()[:32]}"

    async def blocked(self, *keys: str) -> bool:
        cutoff = self.clock() - self.window
        with self._errors():
            async with self._client.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.zcount(self._key(key), f"({cutoff!r}", "+inf")
                counts: list[int] = await pipe.execute()
        return any(count >= self.max_failures for count in counts)

    async def failed(self, *keys: str) -> None:
        now = float(self.clock())
        member = f"{now!r}:{secrets.token_hex(4)}"  # two failures in one instant count twice
        with self._errors():
            async with self._client.pipeline(transaction=True) as pipe:
                for key in keys:
                    name = self._key(key)
                    pipe.zadd(name, {member: now})
                    pipe.zremrangebyscore(name, "-inf", repr(now - self.window))
                    # Only the newest `max_failures` matter for `blocked`: a flood stays small.
                    pipe.zremrangebyrank(name, 0, -(self.max_failures + 1))
                    pipe.pexpire(name, _ms(self.window))
                await pipe.execute()

    async def succeeded(self, key: str) -> None:
        with self._errors():
            await self._client.delete(self._key(key))
