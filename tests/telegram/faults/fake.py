"""The stand-in Bot API with faults: what Telegram and the network do to a bot.

`FaultyTelegram` is `FakeTelegram` plus, on demand and from a seeded random source:

- every update delivered `repeat` times (polling: served again after it was confirmed;
  webhook: posted again after it was answered 200);
- sendMessage answered 429 (with retry_after) or 502 instead of being performed;
- sendMessage performed, then the connection dropped without an answer (each message at
  most once: the network is bad, not cursed);
- webhook mode: it posts updates to the bot's webhook like Telegram does, one update of a
  chat at a time, many chats at once, again and again until answered 200;
- `performed`: every message it really put in a chat, with the time, for the figures.

Faults are the fake's job; the bot's code and Redis are the real ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from tests.telegram.fake_api import FakeTelegram


@dataclass
class Faults:
    repeat: int = 1
    flood: float = 0.0  # share of sendMessage calls answered 429
    retry_after: int = 1
    unavailable: float = 0.0  # ... answered 502
    drop: float = 0.0  # ... performed, then the connection dropped
    seed: int = 20240518


@dataclass
class Counts:
    floods: int = 0
    unavailable: int = 0
    drops: int = 0
    redelivered: int = 0
    posts: int = 0
    post_failures: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)


def chat_of(update: dict[str, Any]) -> int:
    for kind in ("message", "callback_query"):
        body = update.get(kind)
        if isinstance(body, dict):
            chat = (body.get("message") or body).get("chat")
            if isinstance(chat, dict) and isinstance(chat.get("id"), int):
                return int(chat["id"])
    return -int(update["update_id"])  # poison: a "chat" of its own


class FaultyTelegram(FakeTelegram):
    def __init__(self, faults: Faults | None = None) -> None:
        super().__init__()
        self.faults = faults or Faults()
        self.counts = Counts()
        self._rng = random.Random(self.faults.seed)
        self._scheduled: set[int] = set()
        self._again: list[dict[str, Any]] = []
        self._dropped: set[tuple[int, str]] = set()
        self.performed: list[tuple[float, int, str]] = []  # (monotonic time, chat, text)
        self.timeline: list[tuple[float, str]] = []  # (monotonic time, method) of every call
        # Webhook mode.
        self.webhook: tuple[str, str] | None = None
        self._chats: dict[int, deque[dict[str, Any]]] = {}
        self._posters: dict[int, asyncio.Task[None]] = {}
        self._gate = asyncio.Semaphore(40)  # Telegram's default max_connections
        self._http: aiohttp.ClientSession | None = None
        self.answered: dict[int, int] = defaultdict(int)  # update id -> 200s received
        # Arrivals are stamped on this (the test's) event loop: how late it woke, and when.
        self.stalls: list[tuple[float, float]] = []
        self._watch: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await super().start()
        self._watch = asyncio.create_task(self._watch_loop())

    async def _watch_loop(self) -> None:
        tick = 0.02
        while True:
            before = time.monotonic()
            await asyncio.sleep(tick)
            late = time.monotonic() - before - tick
            if late > 0.05:
                self.stalls.append((before, late))

    def worst_stall(self) -> float:
        """The longest the test's loop was kept from stamping arrivals, in seconds."""
        return max((late for _, late in self.stalls), default=0.0)

    # -- faults on sendMessage ------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.timeline.append((time.monotonic(), method))
        if method != "sendMessage":
            return await super()._handle(request)
        params = await self._params(request)
        key = (int(params["chat_id"]), str(params["text"]))
        roll = self._rng.random()
        f = self.faults
        if roll < f.flood:
            self.counts.floods += 1
            self.calls.append((method, params))
            body = {"ok": False, "error_code": 429, "description": "Too Many Requests",
                    "parameters": {"retry_after": f.retry_after}}  # fmt: skip
            return web.json_response(body, status=429)
        if roll < f.flood + f.unavailable:
            self.counts.unavailable += 1
            self.calls.append((method, params))
            body = {"ok": False, "error_code": 502, "description": "Bad Gateway"}
            return web.json_response(body, status=502)
        response = await super()._handle(request)
        self.performed.append((time.monotonic(), key[0], key[1]))
        if roll < f.flood + f.unavailable + f.drop and key not in self._dropped:
            self._dropped.add(key)
            self.counts.drops += 1
            if request.transport is not None:
                request.transport.close()  # performed, but the answer never arrives
        return response

    # -- every update more than once (polling) --------------------------------------------
    async def _getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        for update in self.updates:
            uid = update["update_id"]
            if uid < offset and uid not in self._scheduled:
                # Confirmed, and it comes back all the same, `repeat - 1` more times.
                self._scheduled.add(uid)
                self._again.extend([update] * (self.faults.repeat - 1))
        again, self._again = self._again[:50], self._again[50:]
        self.counts.redelivered += len(again)
        if not again:
            return await super()._getUpdates(params)
        if offset:  # what the base would do, without its long-poll wait
            self.confirmed = max(self.confirmed, offset)
            self.updates = [u for u in self.updates if u["update_id"] >= self.confirmed]
        return again + self.updates[: 100 - len(again)]

    def polling_pending(self) -> int:
        return len(self._again) + sum(1 for u in self.updates if u["update_id"] >= self.confirmed)

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        update = super().push(update)
        if self.webhook_mode:
            self.updates.remove(update)
            chat = chat_of(update)
            self._chats.setdefault(chat, deque()).append(update)
            if chat not in self._posters or self._posters[chat].done():
                self._posters[chat] = asyncio.create_task(self._post_chat(chat))
        return update

    def push_raw(self, update: dict[str, Any]) -> dict[str, Any]:
        """An update as given (e.g. one the bot's library cannot read), with a fresh id."""
        return self.push(update)

    # -- webhook mode: Telegram posts -------------------------------------------------------
    webhook_mode = False

    async def _setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = (str(params["url"]), str(params.get("secret_token") or ""))
        return True

    async def _post_chat(self, chat: int) -> None:
        queue = self._chats[chat]
        while queue:
            update = queue[0]
            for _ in range(self.faults.repeat):
                await self._post_until_answered(update)
            queue.popleft()

    async def _post_until_answered(self, update: dict[str, Any]) -> None:
        delay = 0.1
        while True:
            if self.webhook is not None:
                url, secret = self.webhook
                if self._http is None:
                    self._http = aiohttp.ClientSession()
                headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
                with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                    async with self._gate:
                        self.counts.posts += 1
                        timeout = aiohttp.ClientTimeout(total=30)
                        async with self._http.post(url, json=update, headers=headers,
                                                   timeout=timeout) as resp:  # fmt: skip
                            if resp.status == 200:
                                self.answered[update["update_id"]] += 1
                                return
                self.counts.post_failures += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)

    def webhook_pending(self) -> int:
        return sum(len(q) for q in self._chats.values())

    async def stop(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            await asyncio.gather(self._watch, return_exceptions=True)
        for task in self._posters.values():
            task.cancel()
        await asyncio.gather(*self._posters.values(), return_exceptions=True)
        if self._http is not None:
            await self._http.close()
        await super().stop()

    # -- figures ----------------------------------------------------------------------------
    def first_call(self, method: str, since: float) -> float | None:
        return next((t - since for t, m in self.timeline if m == method and t >= since), None)

    def texts_by_chat(self) -> dict[int, list[str]]:
        out: dict[int, list[str]] = defaultdict(list)
        for _, chat, text in self.performed:
            out[chat].append(text)
        return out

    def peak_rates(
        self, skip: list[tuple[float, float]] | None = None, window: float = 1.0
    ) -> tuple[int, int]:
        """The most messages in any `window` seconds: for the whole bot, and for one chat;
        leaving out messages sent in the `skip` intervals (monotonic times)."""
        sent = [
            (t, chat) for t, chat, _ in self.performed
            if not any(a <= t <= b for a, b in skip or ())
        ]  # fmt: skip
        best_bot = _peak(sorted(t for t, _ in sent), window)
        per_chat: dict[int, list[float]] = defaultdict(list)
        for t, chat in sent:
            per_chat[chat].append(t)
        best_chat = max((_peak(sorted(ts), window) for ts in per_chat.values()), default=0)
        return best_bot, best_chat


def _peak(times: list[float], window: float) -> int:
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best
