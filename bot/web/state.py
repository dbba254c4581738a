"""What every web handler can reach, and the markers that say who may call a handler."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, get_args

from aiohttp import web

from bot.app import App
from bot.config import Web as WebConfig
from bot.services.cases import HandoffService
from bot.services.conversation import ConversationService
from bot.staff.accounts import Account, Accounts, Needed
from bot.staff.login_policy import LoginPolicy
from bot.storage.desk_names import DeskNameStore
from bot.storage.feedback import FeedbackStore
from bot.storage.staff_sessions import StaffSession, StaffSessionStore
from bot.storage.visitors import VisitorBoxes
from bot.web.security import client_address

if TYPE_CHECKING:
    from bot.services.scheduler import Scheduler
    from bot.services.updates import UpdateService

__all__ = [
    "WEB", "Handler", "Web", "WebSettings", "account_of", "client_of", "mfa_exempt", "public",
    "requires",
]  # fmt: skip

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
log = logging.getLogger(__name__)

STAFF_COOKIE = "sv_staff"
LOGIN_COOKIE = "sv_login"


@dataclass(frozen=True)
class WebSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    # Where "leave quickly" goes: an ordinary site nobody would question on a shared screen.
    neutral_url: str = "https://www.bbc.com/weather"
    demo: bool = False
    # The address people reach this service at (https:// in production, behind TLS).
    public_url: str | None = None
    # Reverse proxies whose X-Forwarded-For names the client (addresses or networks).
    trusted_proxies: tuple[str, ...] = ()
    idle_timeout: float = 30 * 60.0
    absolute_timeout: float = 12 * 3600.0
    purge_every: float = 24 * 3600.0
    # How long the web chat's long poll for worker messages waits, and how often unanswered
    # cases are checked for helplines (HandoffService.due_for_helplines).
    poll_timeout: float = 25.0
    helplines_every: float = 60.0
    # Roles that must log in with a second factor; how long a re-entered password counts.
    mfa_roles: tuple[str, ...] = ("admin", "supervisor")
    reauth_seconds: float = 5 * 60.0
    issued_password_seconds: float = 72 * 3600.0

    @property
    def secure_cookies(self) -> bool:
        # Browsers refuse Secure cookies over plain http on a LAN address; on localhost they
        # are not needed. Anywhere else the service sits behind TLS and they must be Secure.
        if self.public_url is not None:
            return self.public_url.startswith("https://")
        return self.host not in ("127.0.0.1", "localhost", "::1")

    @classmethod
    def from_config(cls, web: WebConfig, **overrides: Any) -> WebSettings:
        """`[web]` of config.toml, with command-line overrides (host, port, demo, ...)."""
        values: dict[str, Any] = {
            "host": web.host, "port": web.port, "neutral_url": web.neutral_url,
            "public_url": web.public_url, "trusted_proxies": web.trusted_proxies,
            "mfa_roles": web.mfa_roles, "reauth_seconds": web.reauth_minutes * 60.0,
            "issued_password_seconds": web.issued_password_hours * 3600.0,
        }  # fmt: skip
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)


@dataclass
class Web:
    app: App
    store: FeedbackStore
    accounts: Accounts
    conversation: ConversationService
    preview: ConversationService  # same flows, but answers are never stored
    settings: WebSettings
    secret: bytes
    book: StaffSessionStore  # staff logins, shared by every web process on Redis
    cases: HandoffService  # the cases behind both worker desks
    visitors: VisitorBoxes  # worker messages waiting for web chat pages
    desk_names: DeskNameStore
    limiter: LoginPolicy  # failed logins, shared like `book`
    scheduler: Scheduler | None = None  # periodic work; None in tests that drive it
    updates: UpdateService | None = None  # "you said, we did" (bot/services/updates.py)

    @property
    def k(self) -> int:
        return self.app.config.privacy.k_threshold


WEB: web.AppKey[Web] = web.AppKey("safevoice_web", Web)
SESSION: web.RequestKey[StaffSession] = web.RequestKey("safevoice_staff_session", StaffSession)


def public(handler: Handler) -> Handler:
    """Mark a handler that needs no staff login (login itself, the young people's chat)."""
    handler.safevoice_public = True  # type: ignore[attr-defined]
    return handler


def mfa_exempt(handler: Handler) -> Handler:
    """Mark a handler an account that must still set up its second factor may call (its
    account page, the set-up itself, logging out)."""
    handler.safevoice_mfa_exempt = True  # type: ignore[attr-defined]
    return handler


def is_mfa_exempt(handler: Any) -> bool:
    return bool(getattr(handler, "safevoice_mfa_exempt", False))


def requires(role: Needed) -> Callable[[Handler], Handler]:
    """Mark what a handler needs, enforced by the auth middleware (Account.allows): a rung
    of the ladder (that role or above; never an advisor), "advisor" (the flow studio:
    advisors, supervisors, admins), "reviewer" (writing in the studio: advisors and
    admins) or "any" (every account: its own pages, logging out).
    Unmarked handlers need "viewer", so a new page stays closed to advisors."""

    def mark(handler: Handler) -> Handler:
        handler.safevoice_role = role  # type: ignore[attr-defined]
        return handler

    return mark


def role_needed(handler: Any) -> Needed:
    wanted = getattr(handler, "safevoice_role", "viewer")
    # An unknown marker fails closed: only an admin may call the handler.
    return next((role for role in get_args(Needed) if role == wanted), "admin")


def is_public(handler: Any) -> bool:
    return bool(getattr(handler, "safevoice_public", False))


def staff_session(request: web.Request) -> StaffSession:
    session: StaffSession | None = request.get(SESSION)
    if session is None:
        msg = "a staff handler ran without a session; the auth middleware must run first"
        raise RuntimeError(msg)
    return session


def client_of(request: web.Request) -> str:
    """The client's address as the trusted reverse proxy saw it (bot/web/security.py)."""
    forwarded = request.headers.get("X-Forwarded-For")
    trusted = request.app[WEB].settings.trusted_proxies
    if forwarded and not trusted:
        _warn_untrusted_proxy()
    return client_address(request.remote, forwarded, trusted)


@functools.cache  # once per process
def _warn_untrusted_proxy() -> None:
    log.warning(
        "a login came through a proxy (X-Forwarded-For) but [web] trusted_proxies is empty: "
        "the login limits count every client behind it as one; set it to the proxy's address"
    )


def account_of(request: web.Request) -> Account:
    return staff_session(request).account
