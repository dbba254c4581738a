"""The conversation-state store: per-chat lock, session JSON, update dedupe, and the
turn's replies in the durable outbox.

One conversation turn is "lock, then load, handle, save" (STYLE point 4)::

    async with store.lock(key, update_id=update_id) as scope:
        if scope.duplicate:
            return                      # already handled: the lock is released on exit
        session, events = engine.resume(scope.session, ...)
        await scope.save(session)       # save + mark handled + unlock, atomically

``begin()`` and ``commit()`` are the same two steps without the context manager;
``commit(turn, session, post=Post(...))`` also puts the turn's replies in the outbox
(bot/storage/outbox.py) in the same atomic write. Every implementation passes
``tests/storage/test_session_stores.py`` (STYLE point 3).

Update dedupe is per sender: update ids look like ``"tg:<bot id>:<update id>"``. The
newest few handled ids of a chat ride in its session record (no key per update); only a
turn that leaves no session (deleted, or never started) writes a mark of its own. A turn
started for an update but never committed (an error, a killed process) is counted, and
``begin()`` refuses an update that failed ``max_attempts`` times (UpdatePoisonedError), so
one bad update cannot hold a chat, or a whole batch, back forever.

Keys handed to a store are already pseudonymous HMACs; stores never log them.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import json
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.errors import SafeVoiceError, StorageError
from bot.storage.outbox import Claim, Post

if TYPE_CHECKING:
    from bot.storage.handled import Handled

__all__ = [
    "DEFAULT_DEDUPE_TTL",
    "DEFAULT_LOCK_TTL",
    "DEFAULT_SESSION_TTL",
    "MAX_ATTEMPTS",
    "KeyGate",
    "LockLostError",
    "LockTimeoutError",
    "Peeked",
    "Session",
    "SessionStore",
    "Turn",
    "TurnScope",
    "UpdatePoisonedError",
    "decode_session",
    "encode_session",
]

Session = dict[str, Any]

# Inactivity after which a conversation is forgotten (privacy: state must not linger).
DEFAULT_SESSION_TTL = 30 * 60.0
# A lock outlives any sane turn, yet a killed process cannot block a chat for long.
DEFAULT_LOCK_TTL = 30.0
# Telegram re-delivers webhook updates for hours; a day covers every retry.
DEFAULT_DEDUPE_TTL = 24 * 60 * 60.0
# Turns an update may start without committing before it is set aside as poison.
MAX_ATTEMPTS = 3
# How long a failed turn's attempt count is kept.
ATTEMPTS_TTL = 3600.0


class LockTimeoutError(StorageError):
    """Another turn of the same conversation held the lock for longer than we may wait."""


class LockLostError(StorageError):
    """The lock expired (the turn was too slow) before commit; nothing was saved."""


class UpdatePoisonedError(SafeVoiceError):
    """This update started `MAX_ATTEMPTS` turns and none committed: set it aside.

    Not a StorageError: waiting would not help, and the store itself is fine."""


@dataclass(frozen=True, slots=True)
class Turn:
    """One locked turn: what ``begin()`` found, and the token that proves we hold the lock."""

    key: str
    session: Session | None
    duplicate: bool
    token: str
    update_id: str | None = None
    # The handled update ids the record carried (saved again, with this one, by commit).
    handled: Handled = field(default_factory=dict, compare=False)
    # Which start of a turn for this update this is (1 for the first).
    attempt: int = 1
    # What `begin_peeking()` looked at in the same round trip (see there).
    peeked: Peeked | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Peeked:
    """Found by `begin_peeking()` along with the session: whether it kept the chat's
    trace (no session yet) and the trace kept before (None: none in 48 hours), and
    whether the chat has an open case (None: not looked)."""

    traced: bool = False
    earlier: dict[str, Any] | None = None
    case_open: bool | None = None


def encode_session(session: Session) -> bytes:
    """The one UTF-8 JSON form stored everywhere; TypeError for anything that is not JSON."""
    if not isinstance(session, dict):
        msg = f"a session must be a JSON object (dict), not {type(session).__name__}"
        raise TypeError(msg)
    try:
        # allow_nan=False: NaN/Infinity are not JSON and would break other readers.
        text = json.dumps(session, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        # Encoding here, not in the Redis client, makes a lone surrogate fail in every store.
        return text.encode("utf-8")
    except ValueError as exc:  # UnicodeEncodeError is a ValueError too
        msg = f"a session must hold plain JSON only: {exc}"
        raise TypeError(msg) from exc


def decode_session(raw: str | bytes | None) -> Session | None:
    if raw is None:
        return None
    data = json.loads(raw)
    if not isinstance(data, dict):
        msg = "a stored session is not a JSON object"
        raise StorageError(msg)
    return data


class SessionStore(abc.ABC):
    """Sessions, per-chat locks and update dedupe behind one small async interface."""

    @abc.abstractmethod
    async def begin(
        self,
        key: str,
        *,
        update_id: str | None = None,
        lock_timeout: float = 10.0,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> Turn:
        """Lock ``key`` (waiting at most ``lock_timeout`` s), load its session, check dedupe.

        Turns on one key run in order of arrival within a process; different keys never
        wait for each other. Raises LockTimeoutError if the lock stays busy, and
        UpdatePoisonedError (lock released) when turns for ``update_id`` were started
        ``max_attempts`` times without a commit.
        """

    async def begin_peeking(
        self, key: str, *, update_id: str | None = None, trace: dict[str, Any] | None = None,
        check_case: bool = False,
    ) -> Turn:  # fmt: skip
        """``begin()``, and in the same round trip where the store can (Redis): keep
        ``trace`` as the chat's trace when there is no session (bot/storage/traces.py's
        ``remember``), and with ``check_case`` look whether the chat has an open case.
        ``turn.peeked`` says what was done; a store that cannot leaves it None and the
        caller asks the trace and case stores itself."""
        return await self.begin(key, update_id=update_id)

    @abc.abstractmethod
    async def commit(
        self,
        turn: Turn,
        session: Session | None,
        *,
        update_id: str | None = None,
        post: Post | None = None,
    ) -> Claim | None:
        """Atomically save ``session`` (None deletes it), mark the update handled, put
        ``post``'s items at the end of the chat's outbox, and unlock.

        ``update_id`` defaults to the one given to ``begin()``. An update counts as handled
        only once this ran. Raises LockLostError (and saves nothing) if the lock expired.
        Returns the outbox claim when this process is now the one to send the chat's
        outbox (see bot/storage/outbox.py), None when another live process is.
        """

    @abc.abstractmethod
    async def release(self, turn: Turn) -> None:
        """Unlock without saving (error path); never releases a lock someone else holds."""

    @abc.abstractmethod
    async def delete(self, key: str) -> None:
        """Forget the session at once ("delete my data").

        Locks carry no data and expire by themselves, so they are left alone: this may be
        called inside a turn. Such a turn should then ``commit(turn, None)``.
        """

    @abc.abstractmethod
    async def ping(self) -> None:
        """Raise StorageError with a readable message if the store cannot be reached."""

    @abc.abstractmethod
    async def close(self) -> None: ...

    @contextlib.asynccontextmanager
    async def lock(
        self, key: str, *, update_id: str | None = None, lock_timeout: float = 10.0
    ) -> AsyncIterator[TurnScope]:
        """``begin()`` on entry; ``release()`` on exit unless ``scope.save()`` committed."""
        turn = await self.begin(key, update_id=update_id, lock_timeout=lock_timeout)
        scope = TurnScope(self, turn)
        try:
            yield scope
        except BaseException:
            if not scope.done:
                # The original error matters more; an unreleased lock expires on its own.
                with contextlib.suppress(StorageError):
                    await self.release(scope.turn)
            raise
        if not scope.done:
            await self.release(scope.turn)


@dataclass(slots=True)
class TurnScope:
    """The handle ``SessionStore.lock()`` yields."""

    store: SessionStore
    turn: Turn
    done: bool = field(default=False)

    @property
    def session(self) -> Session | None:
        return self.turn.session

    @property
    def duplicate(self) -> bool:
        return self.turn.duplicate

    async def save(self, session: Session | None) -> None:
        # If commit raises, ``done`` stays False and lock() releases on the way out:
        # the release is token-checked, so it is harmless whatever commit managed.
        await self.store.commit(self.turn, session)
        self.done = True


@dataclass(slots=True)
class _Slot:
    holder: str
    expires: float
    # (token, lock ttl, future set when the gate is handed to that waiter)
    waiters: deque[tuple[str, float, asyncio.Future[None]]] = field(default_factory=deque)


class KeyGate:
    """Per-key FIFO mutex inside one process, whose holder expires after its ttl.

    It is the whole lock of the memory store, and the Redis store queues on it before
    asking Redis, so turns of one chat in one process keep their order of arrival and
    do not poll Redis against each other. Expiry is checked against ``clock`` (the
    memory store's injectable clock); how long a waiter waits is real event-loop time.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._slots: dict[str, _Slot] = {}

    def __len__(self) -> int:
        return len(self._slots)

    async def acquire(self, key: str, token: str, ttl: float, deadline: float) -> None:
        """Wait for ``key`` until loop time ``deadline``; LockTimeoutError after that."""
        loop = asyncio.get_running_loop()
        slot = self._slots.get(key)
        if slot is None:
            self._slots[key] = _Slot(token, self._clock() + ttl)
            return
        if not slot.waiters and self._clock() >= slot.expires:
            slot.holder, slot.expires = token, self._clock() + ttl
            return
        fut: asyncio.Future[None] = loop.create_future()
        slot.waiters.append((token, ttl, fut))
        delay = 0.005
        try:
            while not fut.done():
                remaining = deadline - loop.time()
                if remaining <= 0:
                    msg = "this conversation is busy with another message; try again soon"
                    raise LockTimeoutError(msg)
                # Polling only notices an abandoned holder; a release wakes us at once.
                await asyncio.wait({fut}, timeout=min(delay, remaining))
                delay = min(delay * 2, 0.1)
                self._expire(key)
        except BaseException:
            if fut.done() and not fut.cancelled():
                self.release(key, token)  # handed to us just as we gave up: pass it on
            else:
                fut.cancel()  # _hand_over skips cancelled waiters
            raise

    def owns(self, key: str, token: str) -> bool:
        slot = self._slots.get(key)
        return slot is not None and slot.holder == token and self._clock() < slot.expires

    def release(self, key: str, token: str) -> bool:
        slot = self._slots.get(key)
        if slot is None or slot.holder != token:
            return False
        self._hand_over(key, slot)
        return True

    def sweep(self) -> None:
        """Drop slots whose holder expired with nobody waiting (abandoned turns)."""
        now = self._clock()
        for key in [k for k, s in self._slots.items() if not s.waiters and now >= s.expires]:
            del self._slots[key]

    def _expire(self, key: str) -> None:
        slot = self._slots.get(key)
        if slot is not None and self._clock() >= slot.expires:
            self._hand_over(key, slot)

    def _hand_over(self, key: str, slot: _Slot) -> None:
        while slot.waiters:
            token, ttl, fut = slot.waiters.popleft()
            if fut.done():
                continue
            fut.set_result(None)
            slot.holder, slot.expires = token, self._clock() + ttl
            return
        del self._slots[key]  # unused locks do not pile up
