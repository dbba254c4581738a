"""The SessionStore on Redis: what ``safevoice run`` uses, shared by all bot processes.

Every update costs two round trips: one Lua script locks, loads and checks dedupe (and,
through `begin_peeking`, keeps a first turn's trace and looks for an open case on typed
text); another saves the session (with the handled update ids folded in), puts the
turn's replies in the durable outbox, and unlocks, only if we still own the lock.
Key layout (prefix "sv:" by default), each with a TTL so nothing outlives its use:

- ``sv:s:<key>`` the session record, TTL ``session_ttl`` (refreshed on every save): the
  newest handled update ids of the chat per sender (one JSON line), then the session JSON
- ``sv:l:<key>`` the lock, value = random owner token, TTL ``lock_ttl``
- ``sv:u:<sender>:<update id>`` "handled", TTL ``dedupe_ttl``: only for a turn that leaves
  no session to carry it (deleted, or never begun); the sender is ``tg:<bot id>``
- ``sv:a:<sender>:<update id>`` how many turns this update started without committing,
  TTL an hour; deleted by the commit, so it exists only while something goes wrong
- read or written by the begin script for other stores: the chat's trace
  (``sv:trace:<key>``, bot/storage/redis_traces.py) and the case index (``sv:ck:<key>``,
  bot/storage/redis_cases.py)
- the outbox keys of bot/storage/redis_outbox.py (``sv:o:``, ``sv:ob:``), written by the
  commit script when the turn has replies

For Redis Cluster the keys of a script would need a common hash tag; one Redis (with
Sentinel) is what the design asks for today.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Any

from redis.asyncio import Redis

from bot.errors import StorageError
from bot.storage.handled import decode_record, encode_record, is_handled, mark_handled
from bot.storage.outbox import Claim, Post, check_item
from bot.storage.redis_cases import RedisCaseStore
from bot.storage.redis_errors import RedisErrors
from bot.storage.redis_outbox import POST_LUA, RedisOutbox
from bot.storage.redis_pipe import PipeClient, supports
from bot.storage.redis_pool import CALL_TIMEOUT, lean_client
from bot.storage.redis_traces import RedisTraceStore
from bot.storage.sessions import (
    ATTEMPTS_TTL,
    DEFAULT_DEDUPE_TTL,
    DEFAULT_LOCK_TTL,
    DEFAULT_SESSION_TTL,
    MAX_ATTEMPTS,
    KeyGate,
    LockLostError,
    LockTimeoutError,
    Peeked,
    Session,
    SessionStore,
    Turn,
    UpdatePoisonedError,
)
from bot.storage.traces import decode as decode_trace
from bot.storage.traces import encode as encode_trace

__all__ = ["RedisSessionStore"]

# KEYS: lock, session, mark, attempts, trace, case index
# ARGV: token, lock ttl ms, check mark (0/1), attempts ttl ms, count attempts (0/1),
#       alive prefix, trace ('' none), trace ttl ms, check case (0/1), case key prefix
# -> {1, record or nil, marked 0|1, attempt, traced 0|1, earlier trace or nil, case 0|1}
#    when locked, {0, lock pttl ms} when busy.
# A lock whose token names a sending process ("<owner>|...") that is no longer alive is
# taken over at once: a killed bot's chats wait seconds, not the lock's whole TTL.
# The trace (bot/storage/redis_traces.py) is kept when there is no session, and the case
# index (bot/storage/redis_cases.py) looked at, here: a chat's first turn and its first
# typed text cost no round trip of their own.
_BEGIN = """
local locked = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
if not locked then
  local holder = redis.call('GET', KEYS[1])
  local owner = holder and string.match(holder, '^([^|]+)|')
  if owner and ARGV[6] ~= '-' and redis.call('EXISTS', ARGV[6] .. owner) == 0 then
    locked = redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  end
end
if locked then
  local handled, attempt = 0, 1
  if ARGV[3] == '1' then handled = redis.call('EXISTS', KEYS[3]) end
  if ARGV[5] == '1' then
    attempt = redis.call('INCR', KEYS[4])
    redis.call('PEXPIRE', KEYS[4], ARGV[4])
  end
  local record = redis.call('GET', KEYS[2])
  local traced, earlier, case = 0, false, 0
  if not record and ARGV[7] ~= '' then
    earlier = redis.call('SET', KEYS[5], ARGV[7], 'NX', 'GET', 'PX', ARGV[8])
    traced = 1
  end
  if ARGV[9] == '1' then
    local label = redis.call('GET', KEYS[6])
    if label and redis.call('EXISTS', ARGV[10] .. 'c:' .. label) == 1 then case = 1 end
  end
  return {1, record, handled, attempt, traced, earlier, case}
end
return {0, redis.call('PTTL', KEYS[1])}
"""

# KEYS: lock, session, mark, attempts, outbox list, outbox index
# ARGV: token, record or "" to delete, session ttl ms, mark ttl ms, write mark (0/1),
#       then for the outbox: owner, alive prefix, field, ttl ms, items...
# -> {0} lock lost (nothing written); {1} saved; {1, mine, items...} saved and posted.
_COMMIT = (
    POST_LUA
    + """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {0} end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[2])
else
  redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
end
if ARGV[5] == '1' then redis.call('SET', KEYS[3], '1', 'PX', ARGV[4]) end
redis.call('DEL', KEYS[4])
redis.call('DEL', KEYS[1])
if #ARGV < 10 then return {1} end
local posted = post_items(KEYS[5], KEYS[6], ARGV[8], ARGV[6], ARGV[7], ARGV[9], 10)
return {1, unpack(posted)}
"""
)

# KEYS: lock, attempts  ARGV: token, forget attempts (0/1)
# -> 1 released, 0 not ours (expired, maybe taken over).
_RELEASE = """
if ARGV[2] == '1' then redis.call('DEL', KEYS[2]) end
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
        outbox: RedisOutbox | None = None,
        traces: RedisTraceStore | None = None,
        cases: RedisCaseStore | None = None,
    ) -> None:
        """``client`` replaces the one built from ``url`` (tests count its round trips);
        the store closes only a client it built itself. ``outbox``: where commits put
        the turn's replies (it must be on the same Redis). ``traces``, ``cases``: the
        stores `begin_peeking()` looks into (on the same Redis)."""
        self.prefix = prefix
        self.outbox = outbox
        self.traces, self.cases = traces, cases
        self.session_ttl = session_ttl
        self.lock_ttl = lock_ttl
        self.dedupe_ttl = dedupe_ttl
        self._errors = RedisErrors(url, "the conversation store")
        self._owns_client = client is None
        self._client: Redis | PipeClient
        if client is not None:
            self._client = client
        elif supports(url):
            # One connection that every turn shares, calls pipelined (bot/storage/
            # redis_pipe.py): no pool checkout on a young person's turn.
            self._client = PipeClient(url)
        else:
            # Bounded, and waiting only when every connection is busy; one deadline per
            # call (bot/storage/redis_pool.py).
            self._client = lean_client(url, max_connections)
        # The lean pool has no socket timeout: each call gets this deadline instead.
        self._deadline = CALL_TIMEOUT if self._owns_client else None
        self._begin = self._client.register_script(_BEGIN)
        self._commit = self._client.register_script(_COMMIT)
        self._release = self._client.register_script(_RELEASE)
        # Local FIFO queue per key: order of arrival within this process, no polling
        # storm on Redis. Cross-process order is first come at the next retry.
        self._gate = KeyGate(time.monotonic)

    def _keys(self, key: str, update_id: str | None) -> list[str]:
        """lock, session, mark, attempts (the last two unused without an update id)."""
        update = update_id if update_id is not None else "-"
        p = self.prefix
        return [f"{p}l:{key}", f"{p}s:{key}", f"{p}u:{update}", f"{p}a:{update}"]

    async def begin(
        self,
        key: str,
        *,
        update_id: str | None = None,
        lock_timeout: float = 10.0,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> Turn:
        return await self._begin_turn(key, update_id, lock_timeout, max_attempts, None, False)

    async def begin_peeking(
        self, key: str, *, update_id: str | None = None, trace: dict[str, Any] | None = None,
        check_case: bool = False,
    ) -> Turn:  # fmt: skip
        if self.traces is None:
            trace = None
        check_case = check_case and self.cases is not None
        return await self._begin_turn(key, update_id, 10.0, MAX_ATTEMPTS, trace, check_case)

    async def _begin_turn(
        self,
        key: str,
        update_id: str | None,
        lock_timeout: float,
        max_attempts: int,
        trace: dict[str, Any] | None,
        check_case: bool,
    ) -> Turn:
        token = secrets.token_urlsafe(12)
        alive = self.outbox.alive_prefix if self.outbox is not None else "-"
        if self.outbox is not None and self.outbox.beating:
            # This process says it is alive: name it in the lock, so if it is killed
            # mid-turn the next one need not wait out the lock.
            token = f"{self.outbox.owner}|{token}"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + lock_timeout
        await self._gate.acquire(key, token, self.lock_ttl, deadline)
        try:
            keys = self._keys(key, update_id)
            keys.append(self.traces.key_of(key) if self.traces is not None else "-")
            keys.append(self.cases.index_key(key) if self.cases is not None else "-")
            flag = "0" if update_id is None else "1"
            args: list[str | int] = [
                token, _ms(self.lock_ttl), flag, _ms(ATTEMPTS_TTL), flag, alive,
                encode_trace(trace) if trace is not None else "",
                _ms(self.traces.ttl) if self.traces is not None else 1,
                int(check_case), self.cases.prefix if self.cases is not None else "-",
            ]  # fmt: skip
            delay = 0.01
            while True:
                with self._errors():
                    async with asyncio.timeout(self._deadline):
                        reply: list[Any] = await self._begin(keys, args)
                if reply[0] == 1:
                    peeked = None
                    if trace is not None or check_case:
                        peeked = Peeked(
                            traced=reply[4] == 1,
                            earlier=decode_trace(reply[5]) if reply[4] == 1 else None,
                            case_open=reply[6] == 1 if check_case else None,
                        )
                    return await self._started(key, token, update_id, reply, max_attempts,
                                               peeked)  # fmt: skip
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

    async def _started(
        self,
        key: str,
        token: str,
        update_id: str | None,
        reply: list[Any],
        most: int,
        peeked: Peeked | None,
    ) -> Turn:
        session, handled = decode_record(reply[1])
        duplicate = reply[2] == 1 or is_handled(handled, update_id)
        turn = Turn(key, session, duplicate, token, update_id, handled, int(reply[3]), peeked)
        if turn.attempt > most and not duplicate:
            await self.release(turn)
            msg = f"this update failed {turn.attempt - 1} times; moving on without it"
            raise UpdatePoisonedError(msg)
        return turn

    async def commit(
        self,
        turn: Turn,
        session: Session | None,
        *,
        update_id: str | None = None,
        post: Post | None = None,
    ) -> Claim | None:
        update_id = update_id if update_id is not None else turn.update_id
        # Encode first: bad data raises TypeError with the old session and the lock intact.
        handled = mark_handled(turn.handled, update_id)
        raw = b"" if session is None else encode_record(session, handled)
        own_mark = update_id is not None and (session is None or handled is turn.handled)
        keys = self._keys(turn.key, update_id)
        args: list[str | bytes | int] = [
            turn.token, raw, _ms(self.session_ttl), _ms(self.dedupe_ttl), int(own_mark),
        ]  # fmt: skip
        if post is not None and post.items:
            if self.outbox is None:
                self._gate.release(turn.key, turn.token)
                msg = "this conversation store was built without an outbox"
                raise StorageError(msg)
            for body in post.items:
                check_item(body)
            keys += [self.outbox.list_key(post.box, turn.key), self.outbox.index_key(post.box)]
            args += self.outbox.post_args(turn.key, post)
        try:
            with self._errors():
                async with asyncio.timeout(self._deadline):
                    saved: list[Any] = await self._commit(keys, args)
        finally:
            self._gate.release(turn.key, turn.token)
        if saved[0] != 1:
            msg = "this message took too long and was not saved; please send it again"
            raise LockLostError(msg)
        if post is None or self.outbox is None or len(saved) < 2:
            return None
        return self.outbox.claim_of(post.box, turn.key, saved[1:])

    async def release(self, turn: Turn) -> None:
        keys = self._keys(turn.key, turn.update_id)
        forget = "1" if turn.duplicate and turn.update_id is not None else "0"
        try:
            with self._errors():
                async with asyncio.timeout(self._deadline):
                    await self._release([keys[0], keys[3]], [turn.token, forget])
        finally:
            self._gate.release(turn.key, turn.token)

    async def delete(self, key: str) -> None:
        with self._errors():
            async with asyncio.timeout(self._deadline):
                await self._client.delete(f"{self.prefix}s:{key}")

    async def ping(self) -> None:
        with self._errors():
            async with asyncio.timeout(self._deadline):
                await self._client.ping()

    async def close(self) -> None:
        if self._owns_client:
            await self._client.aclose()
