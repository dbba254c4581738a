"""Who a web chat visitor is: a token this server mints, never one the visitor picks.

The page keeps the token in sessionStorage (one tab, gone when the tab closes; "leave
quickly" and "delete my data" clear it) and sends it in the `X-Visit` header. No cookie
carries it, so nothing sends it along by itself: the header is also the proof that the
request comes from the chat page (a cross-site form cannot set it).

A token is "<visit>.<tag>": a random visit id and an HMAC of it, so a made-up token is
refused without any store lookup, and whoever asks cannot grow the server's state by
inventing ids. The services see the visit as `user_of(...)`, another keyed hash, which
is also the mailbox id and the address a case's mapping holds: never the token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from bot.web.signed_tokens import seal, unseal

__all__ = ["HEADER", "accept", "mint", "user_of", "visit_of"]

HEADER = "X-Visit"
_VISIT_CHARS = 32  # secrets.token_urlsafe(24)
_PURPOSE = "chat-visit"


def mint(secret: bytes) -> str:
    """A new visit token."""
    return accept(secret, None)[0]


def accept(secret: bytes, given: object) -> tuple[str, str]:
    """`given` and the visit inside it when this server minted it; otherwise a new token
    and its visit: a made-up token starts a new visit, it is never taken as one."""
    visit = visit_of(secret, given)
    if visit is not None and isinstance(given, str):
        return given, visit
    visit = secrets.token_urlsafe(24)
    return seal(secret, _PURPOSE, visit), visit


def visit_of(secret: bytes, token: object) -> str | None:
    """The visit id inside `token`, when this server minted it; else None."""
    return unseal(secret, _PURPOSE, token, _VISIT_CHARS)


def user_of(secret: bytes, visit: str) -> str:
    """The visitor as the services see them: a keyed hash of the visit, not the visit."""
    return hmac.new(secret, f"chat-user:{visit}".encode(), hashlib.sha256).hexdigest()[:32]
