"""Web chat mailboxes on Redis: a worker's words reach the visitor whichever web process
holds the page's long poll, and whichever process (web or Telegram desk) sent them.

Key layout (prefix "sv:web:" by default), both with the TTL `keep`, restarted by every
put and every poll, so a box nobody asks about expires by itself:

- ``vn:<box>`` the box's counter: the number of the newest payload
- ``vi:<box>`` list of ``"<number> <payload JSON>"``, the newest `max_items` only

Waking: a put or a drop publishes the box id on ``<prefix>visitors``. Each process holds
ONE subscription to that channel (a listener task, started by the first wait) and wakes
its own waiting pages from it, so a thousand open pages cost no Redis connections. A
page registers its wake-up before it reads the box, so a put between the read and the
wait is not missed; and it reads again at the end of its wait, so a message published
while the listener was reconnecting arrives at the latest when the poll times out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from redis import exceptions as redis_errors
from redis.asyncio import Redis

from bot.storage.redis_errors import RedisErrors
from bot.storage.visitors import VisitorBoxes, decode_payload, encode_payload

__all__ = ["RedisVisitorBoxes"]

log = logging.getLogger(__name__)

# KEYS: counter, items  ARGV: payload, max items, keep ms, channel, box id -> number
_PUT = """
local seq = redis.call('INCR', KEYS[1])
redis.call('RPUSH', KEYS[2], seq .. ' ' .. ARGV[1])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('PUBLISH', ARGV[4], ARGV[5])
return seq
"""

# KEYS: counter, items  ARGV: after, keep ms -> {number, items after `after`}
# Items up to `after` are gone for good: the page has them.
_READ = """
local seq = tonumber(redis.call('GET', KEYS[1]) or '0')
local after = tonumber(ARGV[1])
if after > seq then after = 0 end
while true do
  local head = redis.call('LINDEX', KEYS[2], 0)
  if not head or tonumber(string.match(head, '^%d+')) > after then break end
  redis.call('LPOP', KEYS[2])
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return {seq, redis.call('LRANGE', KEYS[2], 0, -1)}
"""

RETRY_CAP = 5.0  # seconds between attempts to subscribe again while Redis is away
READY_WAIT = 2.0  # how long a first poll waits for the subscription before reading anyway


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


def _text(raw: Any) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)


class RedisVisitorBoxes(VisitorBoxes):
    """The client belongs to the caller (the runtime); `close()` stops only the listener."""

    def __init__(
        self,
        client: Redis,
        *,
        keep: float = 3600.0,
        max_items: int = 50,
        prefix: str = "sv:web:",
    ) -> None:
        self.keep, self.max_items, self.prefix = keep, max_items, prefix
        self.channel = f"{prefix}visitors"
        self._client = client
        self._errors = RedisErrors.of_client(client, "the web chat mailboxes")
        self._put, self._read = client.register_script(_PUT), client.register_script(_READ)
        self._waiters: dict[str, set[asyncio.Event]] = {}
        self._listener: asyncio.Task[None] | None = None
        self._ready: asyncio.Event | None = None
        self._closing = False

    def _keys(self, box_id: str) -> list[str]:
        return [f"{self.prefix}vn:{box_id}", f"{self.prefix}vi:{box_id}"]

    async def put(self, box_id: str, payload: dict[str, Any]) -> None:
        args: list[str | int] = [encode_payload(payload), self.max_items, _ms(self.keep)]
        with self._errors():
            await self._put(self._keys(box_id), [*args, self.channel, box_id])

    async def wait(self, box_id: str, after: int, timeout: float) -> tuple[int, list[Any]]:
        if self._closing:
            return await self._fetch(box_id, after)
        await self._listening()
        wake = asyncio.Event()
        waiters = self._waiters.setdefault(box_id, set())
        waiters.add(wake)
        try:
            seq, payloads = await self._fetch(box_id, after)
            if payloads or self._closing:
                return seq, payloads
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout)
            if self._closing:
                return seq, payloads
            return await self._fetch(box_id, after)
        finally:
            waiters.discard(wake)
            if not waiters and self._waiters.get(box_id) is waiters:
                del self._waiters[box_id]

    async def _fetch(self, box_id: str, after: int) -> tuple[int, list[Any]]:
        with self._errors():
            seq, raws = await self._read(self._keys(box_id), [max(after, 0), _ms(self.keep)])
        return int(seq), [decode_payload(_text(raw).split(" ", 1)[1]) for raw in raws]

    async def drop(self, box_id: str) -> None:
        with self._errors():
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.delete(*self._keys(box_id))
                pipe.publish(self.channel, box_id)
                await pipe.execute()

    async def sweep(self) -> None:
        """Nothing to do: every key expires `keep` seconds after its box was last used."""

    async def close(self) -> None:
        self._closing = True
        self._ring_all()
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener

    # -- the one subscription of this process ------------------------------------------------
    async def _listening(self) -> None:
        """Start the listener on the first wait, and give it a moment to subscribe."""
        if self._listener is None or self._listener.done():
            self._ready = asyncio.Event()
            self._listener = asyncio.create_task(self._listen(self._ready))
        if self._ready is not None and not self._ready.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ready.wait(), READY_WAIT)

    async def _listen(self, ready: asyncio.Event) -> None:
        delay = 0.1
        while True:
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                ready.set()
                # Whatever was published while we were not subscribed: pages read again.
                self._ring_all()
                delay = 0.1
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        self._ring(_text(message["data"]))
            except (redis_errors.RedisError, OSError) as exc:
                ready.clear()
                log.warning("web chat wake-ups lost Redis (%s); retrying", type(exc).__name__)
            finally:
                with contextlib.suppress(redis_errors.RedisError, OSError):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_CAP)

    def _ring(self, box_id: str) -> None:
        for wake in self._waiters.get(box_id, ()):
            wake.set()

    def _ring_all(self) -> None:
        for waiters in self._waiters.values():
            for wake in waiters:
                wake.set()
