"""CaseStore and CaseHub on Redis: shared by every bot process and both desks.

Each operation is one round trip (a Lua script, or one command). Key layout (prefix
"sv:" by default), every key with a TTL:

- ``sv:c:<label>``    the case JSON (staff-safe fields only)
- ``sv:cmap:<label>`` the mapping JSON: session key, channel, delivery address. The ONLY
  key that holds a chat id.
- ``sv:ck:<key>``     session key -> label of that person's open case (gone on close)
- ``sv:cm:<label>``   relayed messages (list), ``sv:cn:<label>`` internal notes (list)
- ``sv:cq``           open labels (sorted set: urgent first, then priority, then oldest)
- ``sv:ct:<token>``   one-time rating tokens (no label, no key)

A change to an open case refreshes every TTL to the case TTL; closing sets them all to
the grace period, and the index goes at once. Live updates go out on the pub/sub
channel ``sv:cases``. Like the session store, scripts touch keys they derive (the
index from the mapping): one Redis (with Sentinel) is what the design asks for.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from redis import exceptions as redis_errors
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

from bot.storage.cases import (
    Case,
    CaseHub,
    CaseStore,
    CaseUpdate,
    LabelTakenError,
    Log,
    Mapping,
)
from bot.storage.redis_errors import RedisErrors
from bot.storage.redis_values import ms as _ms

__all__ = ["RedisCaseHub", "RedisCaseStore", "make_client"]

# KEYS: index, case, mapping, queue  ARGV: case, mapping, ttl ms, label, score, prefix
# -> {0} stored, {1, existing case} the person has one, {2} label taken.
_OPEN = """
local label = redis.call('GET', KEYS[1])
if label then
  local existing = redis.call('GET', ARGV[6] .. 'c:' .. label)
  if existing then return {1, existing} end
end
if redis.call('EXISTS', KEYS[2]) == 1 then return {2} end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
redis.call('SET', KEYS[3], ARGV[2], 'PX', ARGV[3])
redis.call('SET', KEYS[1], ARGV[4], 'PX', ARGV[3])
redis.call('ZADD', KEYS[4], ARGV[5], ARGV[4])
if redis.call('PTTL', KEYS[4]) < tonumber(ARGV[3]) then
  redis.call('PEXPIRE', KEYS[4], ARGV[3])
end
return {0}
"""

# KEYS: case, mapping, messages, notes, queue
# ARGV: case, expected rev, ttl ms, open 1|0, label, score, prefix -> 1 saved, 0 not
_REPLACE = """
local raw = redis.call('GET', KEYS[1])
if not raw or cjson.decode(raw)['rev'] ~= tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
for i = 2, 4 do redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
local m = redis.call('GET', KEYS[2])
local index = nil
if m then index = ARGV[7] .. 'ck:' .. cjson.decode(m)['key'] end
local ours = index and redis.call('GET', index) == ARGV[5]
if ARGV[4] == '1' then
  redis.call('ZADD', KEYS[5], ARGV[6], ARGV[5])
  if redis.call('PTTL', KEYS[5]) < tonumber(ARGV[3]) then
    redis.call('PEXPIRE', KEYS[5], ARGV[3])
  end
  if ours then redis.call('PEXPIRE', index, ARGV[3]) end
else
  redis.call('ZREM', KEYS[5], ARGV[5])
  if ours then redis.call('DEL', index) end
end
return 1
"""

# KEYS: index  ARGV: prefix -> the open case JSON or nil
_FIND = """
local label = redis.call('GET', KEYS[1])
if not label then return nil end
return redis.call('GET', ARGV[1] .. 'c:' .. label)
"""

# KEYS: case, log  ARGV: item -> its index, or -1 when the case is gone
_APPEND = """
local pttl = redis.call('PTTL', KEYS[1])
if pttl <= 0 then return -1 end
local n = redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[2], pttl)
return n - 1
"""

# KEYS: queue  ARGV: prefix -> open case JSONs; drops labels whose case expired
_OPEN_CASES = """
local out = {}
for _, label in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local raw = redis.call('GET', ARGV[1] .. 'c:' .. label)
  if raw then table.insert(out, raw) else redis.call('ZREM', KEYS[1], label) end
end
return out
"""

# KEYS: case, mapping, messages, notes, queue  ARGV: label, prefix
_PURGE = """
local m = redis.call('GET', KEYS[2])
if m then
  local index = ARGV[2] .. 'ck:' .. cjson.decode(m)['key']
  if redis.call('GET', index) == ARGV[1] then redis.call('DEL', index) end
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
redis.call('ZREM', KEYS[5], ARGV[1])
return 1
"""


def _score(case: Case) -> float:
    rank, since = case.sort_key  # epoch ms stay below 1e13 until the year 2286
    return rank * 1e13 + round(since * 1000)


def make_client(url: str, max_connections: int = 64) -> Redis:
    # Like the session store's: a burst waits briefly for a connection, and a dead Redis
    # fails a call after a few seconds instead of hanging a desk (pub/sub listening is
    # not affected by the socket timeout).
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=5.0,
        socket_connect_timeout=2.0,
        socket_timeout=5.0,
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), 2),
    )
    return Redis.from_pool(pool)


class RedisCaseStore(CaseStore):
    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        prefix: str = "sv:",
        client: Redis | None = None,
    ) -> None:
        self.prefix = prefix
        self._errors = RedisErrors(url, "the case store")
        self._owns_client = client is None
        self._client: Redis = client if client is not None else make_client(url)
        register = self._client.register_script
        self._open, self._replace, self._find = register(_OPEN), register(_REPLACE), register(_FIND)
        self._append, self._open_cases = register(_APPEND), register(_OPEN_CASES)
        self._purge = register(_PURGE)

    def index_key(self, key: str) -> str:
        """Session key -> the label of its open case (the session store's begin script
        looks at it too)."""
        return self._k("ck", key)

    def _k(self, kind: str, name: str = "") -> str:
        return f"{self.prefix}{kind}:{name}" if name else f"{self.prefix}{kind}"

    def _case_keys(self, label: str) -> list[str]:
        kinds = ("c", "cmap", "cm", "cn")
        return [*(self._k(kind, label) for kind in kinds), self._k("cq")]

    async def open(self, case: Case, mapping: Mapping, ttl: float) -> tuple[Case, bool]:
        keys = [self._k("ck", mapping.key), self._k("c", case.label)]
        keys += [self._k("cmap", case.label), self._k("cq")]
        args: list[str | int | float] = [case.encode(), mapping.encode(), _ms(ttl)]
        args += [case.label, _score(case), self.prefix]
        with self._errors():
            reply: list[Any] = await self._open(keys, args)
        if reply[0] == 1:
            return Case.decode(reply[1]), False
        if reply[0] == 2:
            msg = "that label is in use"
            raise LabelTakenError(msg)
        return case, True

    async def get(self, label: str) -> Case | None:
        with self._errors():
            raw = await self._client.get(self._k("c", label))
        return Case.decode(raw) if raw is not None else None

    async def find(self, key: str) -> Case | None:
        with self._errors():
            raw = await self._find([self._k("ck", key)], [self.prefix])
        return Case.decode(raw) if raw is not None else None

    async def mapping(self, label: str) -> Mapping | None:
        with self._errors():
            raw = await self._client.get(self._k("cmap", label))
        return Mapping.decode(raw) if raw is not None else None

    async def replace(self, case: Case, ttl: float) -> bool:
        args: list[str | int | float] = [case.encode(), case.rev - 1, _ms(ttl)]
        args.append("1" if case.open else "0")
        args += [case.label, _score(case), self.prefix]
        with self._errors():
            saved = await self._replace(self._case_keys(case.label), args)
        return bool(saved == 1)

    async def open_cases(self) -> list[Case]:
        with self._errors():
            raws: list[Any] = await self._open_cases([self._k("cq")], [self.prefix])
        cases = (Case.decode(raw) for raw in raws)
        return sorted((c for c in cases if c.open), key=lambda c: c.sort_key)

    async def append(self, label: str, log: Log, item: dict[str, Any]) -> int | None:
        key = self._k("cm" if log == "messages" else "cn", label)
        raw = json.dumps(item, ensure_ascii=False)
        with self._errors():
            index = int(await self._append([self._k("c", label), key], [raw]))
        return index if index >= 0 else None

    async def read(self, label: str, log: Log, start: int = 0) -> list[dict[str, Any]]:
        key = self._k("cm" if log == "messages" else "cn", label)
        with self._errors():
            raws = await self._client.lrange(key, max(start, 0), -1)
        return [json.loads(raw) for raw in raws]

    async def purge(self, label: str) -> None:
        with self._errors():
            await self._purge(self._case_keys(label), [label, self.prefix])

    async def put_token(self, token: str, data: dict[str, str], ttl: float) -> None:
        with self._errors():
            await self._client.set(self._k("ct", token), json.dumps(data), px=_ms(ttl))

    async def take_token(self, token: str) -> dict[str, str] | None:
        with self._errors():
            raw = await self._client.getdel(self._k("ct", token))
        return json.loads(raw) if raw is not None else None

    async def close(self) -> None:
        if self._owns_client:
            await self._client.aclose()


class RedisCaseHub(CaseHub):
    """Redis pub/sub: every process's desks hear every update. Updates carry case fields
    only; a subscriber that is not listening at the time misses them (desks re-read
    `queue()` when they (re)connect)."""

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        prefix: str = "sv:",
        client: Redis | None = None,
    ) -> None:
        self.channel = f"{prefix}cases"
        self._errors = RedisErrors(url, "the case store")
        self._owns_client = client is None
        self._client: Redis = client if client is not None else make_client(url)

    async def publish(self, update: CaseUpdate) -> None:
        with self._errors():
            await self._client.publish(self.channel, update.encode())

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[CaseUpdate]]:
        pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        with self._errors():
            await pubsub.subscribe(self.channel)

        async def updates() -> AsyncIterator[CaseUpdate]:
            with self._errors():
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        yield CaseUpdate.decode(message["data"])

        try:
            yield updates()
        finally:
            with contextlib.suppress(redis_errors.RedisError, OSError):
                await pubsub.unsubscribe(self.channel)
            await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def close(self) -> None:
        if self._owns_client:
            await self._client.aclose()
