"""An in-process SessionStore for ``safevoice demo`` and tests that say so.

It keeps sessions as JSON text, exactly like Redis, so a value that would not survive
Redis fails here too (STYLE point 5). TTLs follow an injectable clock, so tests can
move time forward instead of sleeping.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable

from bot.storage.sessions import (
    DEFAULT_DEDUPE_TTL,
    DEFAULT_LOCK_TTL,
    DEFAULT_SESSION_TTL,
    KeyGate,
    LockLostError,
    Session,
    SessionStore,
    Turn,
    decode_session,
    encode_session,
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
    ) -> None:
        self.session_ttl = session_ttl
        self.lock_ttl = lock_ttl
        self.dedupe_ttl = dedupe_ttl
        self._clock = clock
        self._gate = KeyGate(clock)
        self._sessions: dict[str, tuple[bytes, float]] = {}  # key -> (JSON, expires at)
        self._handled: dict[str, float] = {}  # update id -> expires at
        self._next_sweep = clock() + _SWEEP_EVERY

    async def begin(
        self, key: str, *, update_id: str | None = None, lock_timeout: float = 10.0
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
        duplicate = update_id is not None and self._handled.get(update_id, now) > now
        return Turn(key, decode_session(raw), duplicate, token, update_id)

    async def commit(
        self, turn: Turn, session: Session | None, *, update_id: str | None = None
    ) -> None:
        # Encode before touching anything, so bad data leaves the old session intact
        # and the lock held (the caller's error path releases it).
        raw = None if session is None else encode_session(session)
        if not self._gate.owns(turn.key, turn.token):
            msg = "this message took too long and was not saved; please send it again"
            raise LockLostError(msg)
        now = self._clock()
        if raw is None:
            self._sessions.pop(turn.key, None)
        else:
            self._sessions[turn.key] = (raw, now + self.session_ttl)
        update_id = update_id if update_id is not None else turn.update_id
        if update_id is not None:
            self._handled[update_id] = now + self.dedupe_ttl
        self._gate.release(turn.key, turn.token)
        self._maybe_sweep(now)

    async def release(self, turn: Turn) -> None:
        self._gate.release(turn.key, turn.token)

    async def delete(self, key: str) -> None:
        self._sessions.pop(key, None)

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        self._sessions.clear()
        self._handled.clear()

    def __len__(self) -> int:
        """Live entries of every kind; tests use it to see that nothing piles up."""
        self._maybe_sweep(self._clock(), force=True)
        return len(self._sessions) + len(self._handled) + len(self._gate)

    def _maybe_sweep(self, now: float, *, force: bool = False) -> None:
        if not force and now < self._next_sweep:
            return
        self._next_sweep = now + _SWEEP_EVERY
        self._sessions = {k: v for k, v in self._sessions.items() if now < v[1]}
        self._handled = {k: v for k, v in self._handled.items() if now < v}
        self._gate.sweep()
