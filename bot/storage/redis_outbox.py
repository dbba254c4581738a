"""`OutboxStore` on Redis, shared by every bot process (see bot/storage/outbox.py).

Keys (prefix "sv:"), each with a TTL:

- ``sv:o:<box>:<key>`` a list: the chat's pending items (``"<id> <JSON>"``), oldest
  first; TTL the session TTL, refreshed on every append. ``<key>`` is the chat's HMAC
  session key; the box names the sender (``tg:<bot id>``), never a chat.
- ``sv:ob:<box>`` a hash: session key -> owner (the sending process), for every chat with
  something pending; same TTL. This is what a sweep reads to find orphans.
- ``sv:alive:<owner>`` "this sender is alive", TTL `ALIVE_TTL`, refreshed by heartbeat.

A turn's items are appended by the session store's commit script (`POST_LUA` is shared
with it), so replies are saved in the same atomic write as the session. A confirm of many
items (several chats) is one script call: one round trip. Scripts use Redis's own clock
(the TTLs) only, never the processes' clocks. For Redis Cluster the keys of one script
would need a common hash tag; one Redis (with Sentinel) is what the design asks for.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis

from bot.storage.deliveries import Receipt
from bot.storage.outbox import (
    ALIVE_TTL,
    ORPHAN_BATCH,
    Claim,
    Left,
    OutboxStore,
    Post,
    element,
    new_owner,
    parse_element,
)
from bot.storage.redis_errors import RedisErrors
from bot.storage.redis_pipe import PipeClient, supports
from bot.storage.redis_pool import CALL_TIMEOUT
from bot.storage.redis_values import ms as _ms
from bot.storage.redis_values import text as _text

__all__ = ["POST_LUA", "RedisOutbox"]

# Append ARGV[first..] to `list`, then own the outbox unless a live process does.
# -> {1, items...} when ours now, {0} when another live owner sends it.
POST_LUA = """
local function post_items(list, index, field, me, alive, ttl, first)
  for i = first, #ARGV do redis.call('RPUSH', list, ARGV[i]) end
  redis.call('PEXPIRE', list, ttl)
  local owner = redis.call('HGET', index, field)
  if owner and owner ~= me and owner ~= '' and redis.call('EXISTS', alive .. owner) == 1 then
    redis.call('PEXPIRE', index, ttl)
    return {0}
  end
  redis.call('HSET', index, field, me)
  redis.call('PEXPIRE', index, ttl)
  return {1, unpack(redis.call('LRANGE', list, 0, 199))}
end
"""

# KEYS: list, index[, taken]  ARGV: me, alive prefix, field, ttl ms, acked raw or "", items
# -> {-1} when the delivery was no longer taken (nothing written), else as post_items.
_POST = (
    POST_LUA
    + """
if ARGV[5] ~= '' and redis.call('LREM', KEYS[3], 1, ARGV[5]) == 0 then return {-1} end
return post_items(KEYS[1], KEYS[2], ARGV[3], ARGV[1], ARGV[2], ARGV[4], 6)
"""
)

# KEYS: index, list per pair  ARGV: me, then field, item id per pair
# -> {left, mine, left, mine, ...}; an outbox left empty is owned by nobody.
_CONFIRM = """
local out = {}
for i = 2, #KEYS do
  local list, field, id = KEYS[i], ARGV[2 * i - 2], ARGV[2 * i - 1]
  local prefix = id .. ' '
  for _, v in ipairs(redis.call('LRANGE', list, 0, -1)) do
    if string.sub(v, 1, #prefix) == prefix then redis.call('LREM', list, 1, v); break end
  end
  local left = redis.call('LLEN', list)
  local mine = redis.call('HGET', KEYS[1], field) == ARGV[1]
  if left == 0 and mine then redis.call('HDEL', KEYS[1], field) end
  out[#out + 1] = left
  out[#out + 1] = mine and 1 or 0
end
return out
"""

# KEYS: index, list  ARGV: me, alive prefix, field  -> {1, items...} | {0}
_CLAIM = """
if redis.call('EXISTS', KEYS[2]) == 0 then
  local owner = redis.call('HGET', KEYS[1], ARGV[3])
  if owner == ARGV[1] or owner == '' then redis.call('HDEL', KEYS[1], ARGV[3]) end
  return {0}
end
local owner = redis.call('HGET', KEYS[1], ARGV[3])
if owner and owner ~= ARGV[1] and owner ~= '' and redis.call('EXISTS', ARGV[2] .. owner) == 1
then return {0} end
redis.call('HSET', KEYS[1], ARGV[3], ARGV[1])
return {1, unpack(redis.call('LRANGE', KEYS[2], 0, 199))}
"""

# KEYS: index  ARGV: me, alive prefix, list prefix, limit
# -> {{fields we own}, {field, items...}, ...}: the orphans now claimed by us.
_ORPHANS = """
local all = redis.call('HGETALL', KEYS[1])
local ours, out, taken = {}, {}, 0
for i = 1, #all, 2 do
  local field, owner = all[i], all[i + 1]
  local list = ARGV[3] .. field
  if redis.call('EXISTS', list) == 0 then
    redis.call('HDEL', KEYS[1], field)
  elseif owner == ARGV[1] then
    ours[#ours + 1] = field
  elseif taken < tonumber(ARGV[4])
      and (owner == '' or redis.call('EXISTS', ARGV[2] .. owner) == 0) then
    redis.call('HSET', KEYS[1], field, ARGV[1])
    taken = taken + 1
    out[#out + 1] = {field, unpack(redis.call('LRANGE', list, 0, 199))}
  end
end
table.insert(out, 1, ours)
return out
"""

# KEYS: index, alive  ARGV: me  -> nothing owned by us any more; we are not alive.
_RELEASE = """
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if all[i + 1] == ARGV[1] then redis.call('HSET', KEYS[1], all[i], '') end
end
redis.call('DEL', KEYS[2])
return 1
"""


class RedisOutbox(OutboxStore):
    def __init__(
        self,
        client: Redis,
        url: str,
        *,
        prefix: str = "sv:",
        ttl: float = 30 * 60.0,
        alive_ttl: float = ALIVE_TTL,
        own_connection: bool = False,
    ) -> None:
        """`own_connection`: confirm, claim and sweep on a pipelined connection of the
        outbox's own (bot/storage/redis_pipe.py) rather than `client`'s pool, where the
        URL allows; each call then has its own deadline, as on the conversation store."""
        self._client: Redis | PipeClient = client
        self._deadline: float | None = None
        if own_connection and supports(url):
            self._client, self._deadline = PipeClient(url), CALL_TIMEOUT
        self.prefix, self.ttl, self.alive_ttl = prefix, ttl, alive_ttl
        self.owner = new_owner()
        self.alive_prefix = f"{prefix}alive:"
        self.beating = False  # set by the first heartbeat: this process sends
        self._errors = RedisErrors(url, "the outbox")
        self._post = self._client.register_script(_POST)
        self._confirm = self._client.register_script(_CONFIRM)
        self._claim = self._client.register_script(_CLAIM)
        self._orphans = self._client.register_script(_ORPHANS)
        self._release = self._client.register_script(_RELEASE)

    async def _run(self, script: Any, keys: Sequence[Any], args: Sequence[Any]) -> Any:
        with self._errors():
            async with asyncio.timeout(self._deadline):
                return await script(keys, args)

    def list_key(self, box: str, key: str) -> str:
        return f"{self.prefix}o:{box}:{key}"

    def index_key(self, box: str) -> str:
        return f"{self.prefix}ob:{box}"

    def post_args(self, key: str, post: Post) -> list[str | int]:
        """ARGV for `post_items`: owner, alive prefix, field, ttl ms, then the items."""
        items = [element(body) for body in post.items]
        return [self.owner, self.alive_prefix, key, _ms(self.ttl), *items]

    def claim_of(self, box: str, key: str, reply: Sequence[Any]) -> Claim | None:
        if not reply or int(reply[0]) != 1:
            return None
        return Claim(box, key, tuple(parse_element(raw) for raw in reply[1:]))

    async def post(self, key: str, post: Post, *, receipt: Receipt | None = None) -> Claim | None:
        if not post.items:
            return None
        keys = [self.list_key(post.box, key), self.index_key(post.box)]
        owner, alive, field, ttl, *items = self.post_args(key, post)
        acked: str | int = ""
        if receipt is not None:
            keys.append(receipt.taken)
            acked = receipt.raw
        args: list[str | int] = [owner, alive, field, ttl, acked, *items]
        reply = await self._run(self._post, keys, args)
        return self.claim_of(post.box, key, reply)

    async def confirm(self, box: str, done: Sequence[tuple[str, str]]) -> dict[str, Left]:
        if not done:
            return {}
        keys = [self.index_key(box), *(self.list_key(box, key) for key, _ in done)]
        args = [self.owner, *(part for pair in done for part in pair)]
        reply: list[Any] = await self._run(self._confirm, keys, args)
        out: dict[str, Left] = {}
        for n, (key, _) in enumerate(done):
            out[key] = Left(int(reply[2 * n]), int(reply[2 * n + 1]) == 1)
        return out

    async def claim(self, box: str, key: str) -> Claim | None:
        keys = [self.index_key(box), self.list_key(box, key)]
        reply = await self._run(self._claim, keys, [self.owner, self.alive_prefix, key])
        return self.claim_of(box, key, reply)

    async def sweep(self, box: str, limit: int = ORPHAN_BATCH) -> tuple[list[Claim], list[str]]:
        args: list[str | int] = [self.owner, self.alive_prefix, self.list_key(box, ""), limit]
        reply: list[Any] = await self._run(self._orphans, [self.index_key(box)], args)
        ours = [_text(field) for field in reply[0]]
        claims = [
            Claim(box, _text(row[0]), tuple(parse_element(raw) for raw in row[1:]))
            for row in reply[1:]
        ]
        return claims, ours

    async def heartbeat(self) -> None:
        key, ms = self.alive_prefix + self.owner, _ms(self.alive_ttl)
        with self._errors():
            async with asyncio.timeout(self._deadline):
                if isinstance(self._client, PipeClient):
                    await self._client.execute("SET", key, "1", "PX", ms)
                else:
                    await self._client.set(key, "1", px=ms)
        self.beating = True

    async def release(self, box: str) -> None:
        keys = [self.index_key(box), self.alive_prefix + self.owner]
        await self._run(self._release, keys, [self.owner])

    async def close(self) -> None:
        """Close the outbox's own connection, if it has one (not a client it was given)."""
        if isinstance(self._client, PipeClient):
            await self._client.aclose()
