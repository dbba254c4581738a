"""Seal a chat address so that only a process holding the secret key can open it.

A subscription to updates must reach a Telegram chat long after the conversation ended,
so it keeps the chat id; sealed, a copy of the database alone does not reveal it. The pad
is HMAC-SHA256(secret, "reach:" + pseudonymous key): one per chat, never reused for another
address, so XOR with it is a one-time pad keyed by the secret.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["open_address", "seal_address"]

_MAX = 32  # a Telegram chat id is at most 20 characters


def _pad(secret: bytes, key: str) -> bytes:
    return hmac.new(secret, f"reach:{key}".encode(), hashlib.sha256).digest()


def seal_address(secret: bytes, key: str, address: str) -> str:
    raw = address.encode()
    if len(raw) > _MAX:
        msg = "an address to seal is at most 32 bytes"
        raise ValueError(msg)
    padded = raw.ljust(_MAX, b"\0")
    return bytes(a ^ b for a, b in zip(padded, _pad(secret, key), strict=True)).hex()


def open_address(secret: bytes, key: str, sealed: str) -> str | None:
    """The address, or None when `sealed` is damaged or was sealed with another secret."""
    try:
        raw = bytes.fromhex(sealed)
    except ValueError:
        return None
    if len(raw) != _MAX:
        return None
    plain = bytes(a ^ b for a, b in zip(raw, _pad(secret, key), strict=True)).rstrip(b"\0")
    try:
        text = plain.decode()
    except UnicodeDecodeError:
        return None
    return text if text.isprintable() and text else None
