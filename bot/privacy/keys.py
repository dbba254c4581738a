"""Pseudonymous keys, random record ids and case labels.

Nothing here is reversible: a session key is an HMAC of the chat identity, so the raw Telegram
id never reaches a store, and record ids and case labels are random, so they cannot be linked
to a person or to each other.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets

__all__ = ["CASE_ALPHABET", "case_label", "new_record_id", "session_key"]

# Consonants and digits that cannot be misread (no 0/O, 1/I/L, 5/S, 8/B) and no vowels, so a
# label can never spell a word a worker might read as a name or an insult.
CASE_ALPHABET = "CDFGHJKMNPQRTVWXZ234679"
_CASE_LENGTH = 4

_system_random = secrets.SystemRandom()


def session_key(secret: bytes, channel: str, user_id: str | int) -> str:
    """Hex HMAC-SHA256 of ``channel:user_id``: the only form in which a user reaches a store."""
    if not secret:
        msg = "session_key needs a non-empty secret"
        raise ValueError(msg)
    message = f"{channel}:{user_id}".encode("utf-8", "surrogatepass")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def new_record_id() -> str:
    """A random 32-hex-digit id; it carries no time or order, unlike uuid1 or a sequence."""
    return secrets.token_hex(16)


def is_record_id(value: str) -> bool:
    return len(value) == 32 and all(c in "0123456789abcdef" for c in value)


def case_label(rng: random.Random | None = None) -> str:
    """A short label such as ``#K7QX`` that a worker uses instead of the young person's name.

    Pass a seeded ``random.Random`` in tests; by default labels come from the OS generator.
    """
    chooser = rng if rng is not None else _system_random
    return "#" + "".join(chooser.choice(CASE_ALPHABET) for _ in range(_CASE_LENGTH))
