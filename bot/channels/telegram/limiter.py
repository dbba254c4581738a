"""Keeping under Telegram's limits: about 30 messages/s per bot, 1/s per chat sustained
(short bursts are tolerated), 20/min per group.

Each limit is a GCRA ("virtual scheduling") bucket: one number per bucket, the time the
next message is due. `reserve()` books a slot in every bucket that applies and says how
long to wait for it, so concurrent chats share the bot's budget fairly without a lock.
The bot's bucket has no burst: messages leave at most 30 in any second, evenly (a burst
of 30 on top of the rate let 60 out in the first second). An edit that takes a pressed
question's buttons away shares the per-chat slot of the next question it comes with
(`per_chat=False`): the young person's next question is not held a second behind it.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Limiter", "Limits"]


@dataclass(frozen=True, slots=True)
class Limits:
    per_bot: float = 30.0  # messages per second
    per_chat: float = 1.0
    chat_burst: int = 3
    per_group: float = 20 / 60
    group_burst: int = 3
    bot_burst: int = 1


class _Bucket:
    __slots__ = ("due", "interval", "tolerance")

    def __init__(self, rate: float, burst: int) -> None:
        # A hair over 1/rate: rounding never lets one more than the rate into a second.
        self.interval = 1.0 / rate * (1 + 1e-9)
        self.tolerance = (burst - 1) * self.interval
        self.due = 0.0

    def earliest(self, now: float) -> float:
        return max(now, self.due - self.tolerance)

    def book(self, at: float) -> None:
        self.due = max(self.due, at) + self.interval


class Limiter:
    def __init__(self, limits: Limits | None = None, clock: Callable[[], float] = time.monotonic):
        self.limits = limits or Limits()
        self._clock = clock
        self._bot = _Bucket(self.limits.per_bot, self.limits.bot_burst)
        self._chats: dict[int, _Bucket] = {}
        self._paused_until: dict[int, float] = {}
        self._next_sweep = 0.0
        # When the bot's last `per_bot` messages actually left: a late event loop wakes
        # messages booked apart all at once, and this holds the extra ones back.
        self._left: deque[float] = deque(maxlen=max(1, int(self.limits.per_bot)))

    def _chat(self, chat_id: int) -> _Bucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            # Group and supergroup ids are negative on Telegram.
            rate, burst = (
                (self.limits.per_group, self.limits.group_burst)
                if chat_id < 0
                else (self.limits.per_chat, self.limits.chat_burst)
            )
            bucket = self._chats[chat_id] = _Bucket(rate, burst)
        return bucket

    def reserve(self, chat_id: int, *, per_chat: bool = True) -> float:
        """Book the next message to `chat_id`; seconds to wait before sending it.
        `per_chat=False`: it rides on the chat's next message's slot (the bot's is booked)."""
        now = self._clock()
        self._sweep(now)
        paused = self._paused_until.get(chat_id, 0.0)
        if not per_chat:
            at = max(self._bot.earliest(now), paused)
            self._bot.book(at)
            return at - now
        chat = self._chat(chat_id)
        at = max(self._bot.earliest(now), chat.earliest(now), paused)
        self._bot.book(at)
        chat.book(at)
        return at - now

    def hold_back(self) -> float:
        """Seconds until a message may leave without being one more than the rate within
        a second of real time (0: now). Call `left()` when it goes."""
        if len(self._left) < (self._left.maxlen or 1):
            return 0.0
        return max(0.0, self._left[0] + 1.0 - self._clock())

    def left(self) -> None:
        self._left.append(self._clock())

    def pause(self, chat_id: int | None, seconds: float) -> None:
        """Telegram said 429: nothing more to that chat (or at all) for `seconds`."""
        until = self._clock() + seconds
        if chat_id is None:
            self._bot.due = max(self._bot.due, until + self._bot.tolerance)
        else:
            self._paused_until[chat_id] = max(self._paused_until.get(chat_id, 0.0), until)

    def _sweep(self, now: float) -> None:
        # Buckets of chats that went quiet carry no information: drop them.
        if now < self._next_sweep:
            return
        self._next_sweep = now + 60.0
        self._chats = {k: b for k, b in self._chats.items() if b.due > now}
        self._paused_until = {k: t for k, t in self._paused_until.items() if t > now}

    def __len__(self) -> int:
        return len(self._chats)
