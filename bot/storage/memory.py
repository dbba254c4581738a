"""An in-process SessionStore for ``safevoice demo`` and tests that say so.

It keeps sessions as JSON text, exactly like Redis, so a value that would not survive
Redis fails here too (STYLE point 5); so do the outbox items a commit posts (into the
`MemoryOutbox` it is given). TTLs follow an injectable clock, so tests can move time
forward instead of sleeping.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable

from bot.errors import StorageError
from bot.storage.handled import decode_record, encode_record, is_handled, mark_handled
from bot.storage.outbox import Claim, MemoryOutbox, Post, check_item
from bot.storage.sessions import (
    ATTEMPTS_TTL,
    DEFAULT_DEDUPE_TTL,
    DEFAULT_LOCK_TTL,
    DEFAULT_SESSION_TTL,
    MAX_ATTEMPTS,
    KeyGate,
    LockLostError,
    Session,
    SessionStore,
    Turn,
    UpdatePoisonedError,
)

__all__ = ["MemorySessionStore"]

# Expired entries are dropped lazily on read, and all at once at most this often.
_SWEEP_EVERY = 60.0


class MemorySessionStore(SessionStore):
    def __init__(
        self,
        *,
        session_ttl: float = DEFAULT_SESSION_TTL,
        lock_ttl: float = DEFAULT_LOCK_TTL,
        dedupe_ttl: float = DEFAULT_DEDUPE_TTL,
        clock: Callable[[], float] = time.monotonic,
        outbox: MemoryOutbox | None = None,
    ) -> None:
        self.session_ttl = session_ttl
        self.lock_ttl = lock_ttl
        self.dedupe_ttl = dedupe_ttl
        self.outbox = outbox
        self._clock = clock
        self._gate = KeyGate(clock)
        self._sessions: dict[str, tuple[bytes, float]] = {}  # key -> (record, expires at)
        self._handled: dict[str, float] = {}  # update id -> expires at (no session left)
        self._attempts: dict[str, tuple[int, float]] = {}  # update id -> (turns, expires)
        self._next_sweep = clock() + _SWEEP_EVERY

    async def begin(
        self,
        key: str,
        *,
        update_id: str | None = None,
        lock_timeout: float = 10.0,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> Turn:
        token = secrets.token_urlsafe(12)
        deadline = asyncio.get_running_loop().time() + lock_timeout
        await self._gate.acquire(key, token, self.lock_ttl, deadline)
        now = self._clock()
        stored = self._sessions.get(key)
        raw = None
        if stored is not None:
            if now < stored[1]:
                raw = stored[0]
            else:
                del self._sessions[key]
        session, handled = decode_record(raw)
        attempt = 1
        if update_id is not None:
            turns, expires = self._attempts.get(update_id, (0, now))
            attempt = (turns if expires > now else 0) + 1
            self._attempts[update_id] = (attempt, now + ATTEMPTS_TTL)
        duplicate = update_id is not None and (
            self._handled.get(update_id, now) > now or is_handled(handled, update_id)
        )
        turn = Turn(key, session, duplicate, token, update_id, handled, attempt)
        if attempt > max_attempts and not duplicate:
            await self.release(turn)
            msg = f"this update failed {attempt - 1} times; moving on without it"
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
        # Encode before touching anything, so bad data leaves the old session intact
        # and the lock held (the caller's error path releases it). Outbox items too.
        handled = mark_handled(turn.handled, update_id)
        raw = None if session is None else encode_record(session, handled)
        if post is not None:
            for body in post.items:
                check_item(body)
            if self.outbox is None and post.items:
                msg = "this conversation store was built without an outbox"
                raise StorageError(msg)
        if not self._gate.owns(turn.key, turn.token):
            msg = "this message took too long and was not saved; please send it again"
            raise LockLostError(msg)
        now = self._clock()
        if raw is None:
            self._sessions.pop(turn.key, None)
        else:
            self._sessions[turn.key] = (raw, now + self.session_ttl)
        if update_id is not None:
            self._attempts.pop(update_id, None)
            if raw is None or handled is turn.handled:  # nowhere in a record to keep it
                self._handled[update_id] = now + self.dedupe_ttl
        claim = None
        if post is not None and self.outbox is not None:
            claim = self.outbox.append(turn.key, post)
        self._gate.release(turn.key, turn.token)
        self._maybe_sweep(now)
        return claim

    async def release(self, turn: Turn) -> None:
        if turn.duplicate and turn.update_id is not None:
            self._attempts.pop(turn.update_id, None)  # nothing failed
        self._gate.release(turn.key, turn.token)

    async def delete(self, key: str) -> None:
        self._sessions.pop(key, None)

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        self._sessions.clear()
        self._handled.clear()
        self._attempts.clear()

    def __len__(self) -> int:
        """Live entries of every kind; tests use it to see that nothing piles up."""
        self._maybe_sweep(self._clock(), force=True)
        return len(self._sessions) + len(self._handled) + len(self._attempts) + len(self._gate)

    def _maybe_sweep(self, now: float, *, force: bool = False) -> None:
        if not force and now < self._next_sweep:
            return
        self._next_sweep = now + _SWEEP_EVERY
        self._sessions = {k: v for k, v in self._sessions.items() if now < v[1]}
        self._handled = {k: v for k, v in self._handled.items() if now < v}
        self._attempts = {k: v for k, v in self._attempts.items() if now < v[1]}
        self._gate.sweep()
