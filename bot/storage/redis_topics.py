"""The staff desk's own bookkeeping in Redis, shared by every bot process.

Keys (prefix "sv:tg:"), every one with a TTL except the small deletion queue:

- ``t:<label>``   hash: ``thread`` (the case's forum topic), ``lock`` (who creates it),
                   ``d:<update>`` (an update of the case already posted by some process)
- ``l:<thread>``  topic -> label, to know which case a worker writes in
- ``n:<user id>`` the display name a worker chose with /name
- ``u:<bot>:<update id>`` a staff update being acted on (by which process) or done
- ``del``         sorted set: topics (thread ids only) to delete once the grace is over

Nothing here holds anything about the young person: a label, a topic id, a worker's name.
The case keys live as long as the case and expire with its grace period, like the mapping.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator

from redis import exceptions as redis_errors
from redis.asyncio import Redis

from bot.errors import StorageError
from bot.storage.redis_values import ms as _ms

__all__ = ["TopicStore"]

NAME_TTL = 90 * 24 * 3600  # a worker's chosen name, if they keep not using it
UPDATE_TTL = 24 * 3600  # Telegram redelivers unconfirmed updates for 24 hours


DONE = "done"
# Mark a staff update as taken by this process, unless it was finished, or this very
# process has it (a redelivery while still acting). A mark of another process is one
# left by a process that was killed while acting on it: taken over.
_BEGIN = """
local v = redis.call('GET', KEYS[1])
if v == 'done' or v == ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
"""


class TopicStore:
    def __init__(self, client: Redis, *, prefix: str = "sv:tg:") -> None:
        self.redis, self.prefix = client, prefix
        self.incarnation = secrets.token_hex(8)  # this process, in the update marks
        self._begin = client.register_script(_BEGIN)

    def for_group(self, chat_id: int) -> TopicStore:
        """The same bookkeeping for another staff group (``[telegram] staff_groups``):
        keys of its own under ``sv:tg:g<id>:``, since topic ids are per group."""
        return TopicStore(self.redis, prefix=f"{self.prefix}g{abs(chat_id)}:")

    def _k(self, *parts: object) -> str:
        return self.prefix + ":".join(str(p) for p in parts)

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except (redis_errors.RedisError, OSError) as exc:
            msg = f"the staff desk's store (Redis) failed: {type(exc).__name__}"
            raise StorageError(msg) from exc

    # -- case topics ------------------------------------------------------------------------
    async def thread(self, label: str) -> int | None:
        with self._errors():
            raw = await self.redis.hget(self._k("t", label), "thread")
        return int(raw) if raw is not None else None

    async def label(self, thread: int) -> str | None:
        with self._errors():
            raw = await self.redis.get(self._k("l", thread))
        return raw.decode() if isinstance(raw, bytes) else raw

    async def first(self, label: str, field: str, ttl: float) -> bool:
        """True for the one caller (of all processes) that sets `field` first."""
        key = self._k("t", label)
        with self._errors():
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.hsetnx(key, field, "1")
                pipe.pexpire(key, _ms(ttl))
                won, _ = await pipe.execute()
        return bool(won)

    async def release(self, label: str, field: str) -> None:
        with self._errors():
            await self.redis.hdel(self._k("t", label), field)

    async def set_thread(self, label: str, thread: int, ttl: float) -> None:
        with self._errors():
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.hset(self._k("t", label), "thread", str(thread))
                pipe.pexpire(self._k("t", label), _ms(ttl))
                pipe.set(self._k("l", thread), label, px=_ms(ttl))
                await pipe.execute()

    async def expire(self, label: str, ttl: float) -> None:
        """Every key of the case lives `ttl` more seconds (the case TTL, or the grace)."""
        thread = await self.thread(label)
        with self._errors():
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.pexpire(self._k("t", label), _ms(ttl))
                if thread is not None:
                    pipe.pexpire(self._k("l", thread), _ms(ttl))
                await pipe.execute()

    async def forget(self, label: str) -> None:
        thread = await self.thread(label)
        with self._errors():
            keys = [self._k("t", label)] + ([self._k("l", thread)] if thread is not None else [])
            await self.redis.delete(*keys)

    # -- topics to delete after the grace period ------------------------------------------
    async def delete_later(self, thread: int, due: float) -> None:
        with self._errors():
            await self.redis.zadd(self._k("del"), {str(thread): due})

    async def due_deletions(self, now: float) -> list[int]:
        """Topics whose grace is over; each is returned to one process only."""
        with self._errors():
            raws = await self.redis.zrangebyscore(self._k("del"), "-inf", now)
            taken = []
            for raw in raws:
                member = raw.decode() if isinstance(raw, bytes) else str(raw)
                if await self.redis.zrem(self._k("del"), member):
                    taken.append(int(member))
        return taken

    # -- workers and updates ----------------------------------------------------------------
    async def name(self, user_id: int) -> str | None:
        with self._errors():
            raw = await self.redis.get(self._k("n", user_id))
        return raw.decode() if isinstance(raw, bytes) else raw

    async def set_name(self, user_id: int, name: str) -> None:
        with self._errors():
            await self.redis.set(self._k("n", user_id), name, ex=NAME_TTL)

    async def begin_update(self, update: str) -> bool:
        """False when this staff update was acted on before, or is being acted on by this
        process (Telegram delivered it again). An update that a process began and never
        finished (it was killed) is acted on again: at least once, never lost."""
        with self._errors():
            started = await self._begin(
                keys=[self._k("u", update)], args=[self.incarnation, UPDATE_TTL]
            )
        return bool(started)

    async def finish_update(self, update: str) -> None:
        with self._errors():
            await self.redis.set(self._k("u", update), DONE, ex=UPDATE_TTL)

    async def abandon_update(self, update: str) -> None:
        """The act failed: the next delivery tries again."""
        with self._errors():
            await self.redis.delete(self._k("u", update))
