"""Signed button data: `<sig>|<step>|<value>`, within Telegram's 64 bytes.

The signature is an HMAC over the chat, the step and the value, so a button made up by
someone (or copied from another chat) is recognised and answered kindly instead of
acted on. Stale buttons (an earlier question) carry a valid signature; the engine sees
their step and says so.
"""

from __future__ import annotations

import base64
import hmac
import logging

__all__ = ["MAX_CALLBACK_BYTES", "sign", "verify"]

MAX_CALLBACK_BYTES = 64
_SIG_CHARS = 11  # 66 bits of HMAC: forging one by guessing is hopeless
log = logging.getLogger(__name__)


def _sig(secret: bytes, chat_id: int, step: str, value: str) -> str:
    message = f"cb|{chat_id}|{step}|{value}".encode()
    digest = hmac.digest(secret, message, "sha256")  # one-shot: no HMAC object per button
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
    if not hmac.compare_digest(sig, _sig(secret, chat_id, step, value)):
        return None
    return (step or None), value
