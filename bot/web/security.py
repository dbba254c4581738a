"""Staff sessions, CSRF tokens and the login rate limit: small, in memory, injectable clock.

Sessions are server-side (the cookie holds only a random token), so logging out, disabling
an account or restarting the service ends them at once. One process serves a country
programme (DESIGN, Scale), so memory is enough here.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.staff.accounts import Account

__all__ = ["LoginLimiter", "SessionBook", "StaffSession", "same_token"]


def same_token(expected: str, given: str | None) -> bool:
    """Constant-time comparison that treats a missing token as wrong."""
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


@dataclass
class StaffSession:
    token: str
    account: Account
    csrf: str
    created: float
    seen: float


@dataclass
class SessionBook:
    """Open staff sessions with an idle and an absolute timeout."""

    idle: float = 30 * 60.0
    absolute: float = 12 * 3600.0
    clock: Callable[[], float] = time.monotonic
    _open: dict[str, StaffSession] = field(default_factory=dict)

    def open(self, account: Account) -> StaffSession:
        now = self.clock()
        session = StaffSession(
            secrets.token_urlsafe(32), account, secrets.token_urlsafe(32), now, now
        )
        self._open[session.token] = session
        return session

    def get(self, token: str | None) -> StaffSession | None:
        """The live session for a cookie value, touched; None if unknown or timed out."""
        if not token:
            return None
        session = self._open.get(token)
        if session is None:
            return None
        now = self.clock()
        if now - session.seen > self.idle or now - session.created > self.absolute:
            del self._open[token]
            return None
        session.seen = now
        return session

    def close(self, token: str | None) -> None:
        if token:
            self._open.pop(token, None)

    def close_account(self, name: str) -> None:
        """End every session of one account (disabled, password reset, role changed)."""
        for token in [t for t, s in self._open.items() if s.account.name == name]:
            del self._open[token]


@dataclass
class LoginLimiter:
    """Failed logins per key (account name, client address) in a sliding window.

    Successful logins do not clear a client address's failures, so an attacker who owns one
    account cannot use it to reset the count while guessing another's password.
    """

    max_failures: int = 5
    window: float = 15 * 60.0
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, list[float]] = field(default_factory=dict)

    def blocked(self, *keys: str) -> bool:
        return any(len(self._recent(key)) >= self.max_failures for key in keys)

    def failed(self, *keys: str) -> None:
        now = self.clock()
        for key in keys:
            self._failures.setdefault(key, []).append(now)
        if len(self._failures) > 10_000:  # a flood of names must not grow memory forever
            for key in [k for k in self._failures if not self._recent(k)]:
                del self._failures[key]

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)

    def _recent(self, key: str) -> list[float]:
        cutoff = self.clock() - self.window
        recent = [at for at in self._failures.get(key, []) if at > cutoff]
        if recent:
            self._failures[key] = recent
        else:
            self._failures.pop(key, None)
        return recent
