"""Tokens the web chat hands to the page: "<value>.<tag>", the tag an HMAC of the value
for one purpose, so a made-up or altered token is refused without any store lookup, and
a token minted for one purpose is never taken for another."""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["TAG_CHARS", "seal", "unseal"]

TAG_CHARS = 32


def _tag(secret: bytes, purpose: str, value: str) -> str:
    digest = hmac.new(secret, f"{purpose}:{value}".encode(), hashlib.sha256)
    return digest.hexdigest()[:TAG_CHARS]


def seal(secret: bytes, purpose: str, value: str) -> str:
    return f"{value}.{_tag(secret, purpose, value)}"


def unseal(secret: bytes, purpose: str, token: object, value_chars: int) -> str | None:
    """The value inside `token` when this server sealed it for `purpose`; else None."""
    if not isinstance(token, str) or len(token) != value_chars + 1 + TAG_CHARS:
        return None
    if not token.isascii():  # compare_digest takes ASCII text only
        return None
    value, dot, tag = token.partition(".")
    if not dot or len(value) != value_chars:
        return None
    return value if hmac.compare_digest(_tag(secret, purpose, value), tag) else None
