"""Staff sessions for the dashboard and the desks: the interface and the memory store.

Sessions are server-side: the cookie holds only a random token, so logging out, disabling
an account or resetting a password ends them at once, on every web process when the store
is shared (`redis_staff.RedisStaffSessions`). A session ends `idle` seconds after its last
request or `absolute` seconds after login, whichever comes first.

Stores keep a digest of the token, never the token: a copy of the store (a Redis dump, a
memory snapshot in a crash report) must not hand out live cookies. A session's page id
(`session_id`, on the account page's "end this login" buttons) is a hash of that digest:
seeing it gives neither the cookie nor the key the store files the session under.

Each session keeps a coarse description of its browser ("Firefox on Windows", made by
bot/web/sessions_view.py), never the address or the full User-Agent: enough for its owner
to recognise a login, not enough to follow them.
"""

from __future__ import annotations

import abc
import hashlib
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:  # the type only: storage sits below the staff package
    from bot.staff.accounts import Account

__all__ = [
    "DEFAULT_ABSOLUTE",
    "DEFAULT_IDLE",
    "MemoryStaffSessions",
    "SessionInfo",
    "StaffSession",
    "StaffSessionStore",
    "new_token",
    "session_id",
    "token_digest",
]

DEFAULT_IDLE = 30 * 60.0
DEFAULT_ABSOLUTE = 12 * 3600.0


def new_token() -> str:
    """A cookie or CSRF token: 256 random bits, 43 URL-safe characters."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What a store keys a session by. The token is 256 random bits, so a plain hash is
    enough: nobody can guess a token from its digest."""
    return hashlib.sha256(token.encode()).hexdigest()


def session_id(digest: str) -> str:
    """The id a page shows for the session filed under `digest`."""
    return hashlib.sha256(f"session-id:{digest}".encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """One open login as its owner sees it in the list; times as the store's clock."""

    id: str
    created: float
    seen: float
    client: str


@dataclass
class StaffSession:
    """One login. `account` is the Account as the auth middleware re-read it for this
    request (so a changed role applies at once); stores know only `account_name`."""

    token: str
    account_name: str
    csrf: str
    created: float
    seen: float
    _account: Account | None = field(default=None, repr=False, compare=False)

    @property
    def account(self) -> Account:
        if self._account is None:
            msg = "the session's account was not loaded; the auth middleware must run first"
            raise RuntimeError(msg)
        return self._account

    @account.setter
    def account(self, account: Account) -> None:
        if account.name != self.account_name:
            msg = "a session can only carry its own account"
            raise ValueError(msg)
        self._account = account


class StaffSessionStore(abc.ABC):
    """Open staff sessions. Methods taking a token accept None (no cookie): nothing found."""

    idle: float
    absolute: float

    @abc.abstractmethod
    async def open(self, account_name: str, client: str = "") -> StaffSession:
        """A new session with fresh cookie and CSRF tokens; `client` describes the browser
        coarsely (never an address)."""

    @abc.abstractmethod
    async def get(self, token: str | None) -> StaffSession | None:
        """The live session for a cookie value, its idle timer restarted; None if unknown
        or timed out."""

    @abc.abstractmethod
    async def alive(self, token: str | None) -> bool:
        """Whether the session is open and within its timeouts, without touching it: a desk
        left open on a screen must not keep a session alive forever."""

    @abc.abstractmethod
    async def close(self, token: str | None) -> None:
        """Log out one session."""

    @abc.abstractmethod
    async def close_account(self, name: str) -> None:
        """End every session of one account (disabled, password reset, role changed)."""

    @abc.abstractmethod
    async def sessions(self, name: str) -> list[SessionInfo]:
        """The open sessions of one account, the newest login first."""

    @abc.abstractmethod
    async def close_one(self, name: str, sid: str) -> bool:
        """End the session of account `name` with page id `sid`; False when that account
        has no such session (another account's id finds nothing)."""


class _Record(TypedDict):
    account: str
    csrf: str
    created: float
    seen: float
    client: str


class MemoryStaffSessions(StaffSessionStore):
    """Sessions of one process only (`demo`, tests). Records pass through JSON like the
    Redis store's, so nothing here depends on getting the same object back."""

    def __init__(
        self,
        *,
        idle: float = DEFAULT_IDLE,
        absolute: float = DEFAULT_ABSOLUTE,
        # Wall-clock, like the Redis store's: the account page shows when logins began.
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.idle, self.absolute, self.clock = idle, absolute, clock
        self._open: dict[str, str] = {}  # token digest -> JSON record

    def _expired(self, record: _Record, now: float) -> bool:
        return now - record["seen"] > self.idle or now - record["created"] > self.absolute

    def _load(self, token: str | None) -> _Record | None:
        raw = self._open.get(token_digest(token)) if token else None
        if raw is None or token is None:
            return None
        record: _Record = json.loads(raw)
        if self._expired(record, self.clock()):
            del self._open[token_digest(token)]
            return None
        return record

    async def open(self, account_name: str, client: str = "") -> StaffSession:
        now = float(self.clock())
        # Logins that were never used again must not pile up: forget what timed out.
        for digest, raw in list(self._open.items()):
            if self._expired(json.loads(raw), now):
                del self._open[digest]
        session = StaffSession(new_token(), account_name, new_token(), now, now)
        record = _Record(
            account=account_name, csrf=session.csrf, created=now, seen=now, client=client
        )
        self._open[token_digest(session.token)] = json.dumps(record)
        return session

    async def get(self, token: str | None) -> StaffSession | None:
        record = self._load(token)
        if record is None or token is None:
            return None
        record["seen"] = float(self.clock())
        self._open[token_digest(token)] = json.dumps(record)
        account, csrf = record["account"], record["csrf"]
        return StaffSession(token, account, csrf, record["created"], record["seen"])

    async def alive(self, token: str | None) -> bool:
        return self._load(token) is not None

    async def close(self, token: str | None) -> None:
        if token:
            self._open.pop(token_digest(token), None)

    async def close_account(self, name: str) -> None:
        for digest, raw in list(self._open.items()):
            if json.loads(raw)["account"] == name:
                del self._open[digest]

    async def sessions(self, name: str) -> list[SessionInfo]:
        now = self.clock()
        found = []
        for digest, raw in self._open.items():
            record: _Record = json.loads(raw)
            if record["account"] == name and not self._expired(record, now):
                info = SessionInfo(
                    session_id(digest), record["created"], record["seen"], record["client"]
                )
                found.append(info)
        return sorted(found, key=lambda info: info.created, reverse=True)

    async def close_one(self, name: str, sid: str) -> bool:
        for digest, raw in list(self._open.items()):
            if session_id(digest) == sid and json.loads(raw)["account"] == name:
                del self._open[digest]
                return True
        return False

    def __len__(self) -> int:
        return len(self._open)
