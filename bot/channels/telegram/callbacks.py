"""Signed button data: `<sig>|<step>|<value>`, within Telegram's 64 bytes.

The signature is a keyed BLAKE2s over the chat, the step and the value, so a button made
up by someone (or copied from another chat) is recognised and answered kindly instead of
acted on. (BLAKE2 keyed is a MAC in one pass, a third of HMAC-SHA256's time, for the
seven buttons of every question; buttons signed by earlier releases with HMAC-SHA256
still work.) Stale buttons (an earlier question) carry a valid signature; the engine sees
their step and says so.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import logging

__all__ = ["MAX_CALLBACK_BYTES", "sign", "verify"]

MAX_CALLBACK_BYTES = 64
_SIG_CHARS = 11  # 66 bits: forging one by guessing is hopeless
_SIG_BYTES = 9  # 12 base64 characters, cut to 11
_MAX_KEY = 32
log = logging.getLogger(__name__)


def _sig(secret: bytes, chat_id: int, step: str, value: str) -> str:
    message = f"cb|{chat_id}|{step}|{value}".encode()
    # BLAKE2s takes keys of at most 32 bytes; a longer secret is hashed down first.
    key = secret if len(secret) <= _MAX_KEY else _short_key(secret)
    digest = hashlib.blake2s(message, key=key, digest_size=_SIG_BYTES).digest()
    return base64.urlsafe_b64encode(digest).decode()[:_SIG_CHARS]


@functools.lru_cache(maxsize=4)
def _short_key(secret: bytes) -> bytes:
    return hashlib.blake2s(secret, person=b"sv-cb").digest()


def _sig_hmac(secret: bytes, chat_id: int, step: str, value: str) -> str:
    message = f"cb|{chat_id}|{step}|{value}".encode()
    digest = hmac.digest(secret, message, "sha256")
    return base64.urlsafe_b64encode(digest).decode()[:_SIG_CHARS]


def sign(secret: bytes, chat_id: int, step: str | None, value: str) -> str:
    """Button data for `value` on question `step`. Drops the step if it would not fit."""
    step_part = step or ""
    data = f"{_sig(secret, chat_id, step_part, value)}|{step_part}|{value}"
    if len(data.encode()) > MAX_CALLBACK_BYTES and step_part:
        # Without the step the engine cannot tell a stale button, but the button works.
        data = f"{_sig(secret, chat_id, '', value)}||{value}"
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        # Flow authors keep option values short; say which kind of problem, not the value.
        msg = f"an option value is {len(value.encode())} bytes; Telegram buttons allow ~50"
        raise ValueError(msg)
    return data


def verify(secret: bytes, chat_id: int, data: str) -> tuple[str | None, str] | None:
    """(step or None, value) for genuine data from this chat; None for anything else."""
    sig, sep, rest = data.partition("|")
    step, sep2, value = rest.partition("|")
    if not (sep and sep2) or len(sig) != _SIG_CHARS:
        return None
    current = hmac.compare_digest(sig, _sig(secret, chat_id, step, value))
    # Or a button a chat still shows from before the upgrade.
    if not current and not hmac.compare_digest(sig, _sig_hmac(secret, chat_id, step, value)):
        return None
    return (step or None), value
