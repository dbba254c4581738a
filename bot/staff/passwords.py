"""Staff passwords: how they are hashed, and which ones are refused.

Hashing is argon2-cffi's Argon2id; strength is zxcvbn's estimate, and "breached" is
zxcvbn's own list of the 30 000 passwords found most often in published breaches, shipped
inside the package (nothing is downloaded, nothing leaves the machine).
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher, Type
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

__all__ = [
    "MAX_PASSWORD",
    "MIN_PASSWORD",
    "MIN_SCORE",
    "hasher",
    "new_password",
    "password_problem",
]

MIN_PASSWORD = 12  # ASVS 2.1.1
MAX_PASSWORD = 128  # ASVS 2.1.2 allows 64 or more; past 128 nobody types it
MIN_SCORE = 3  # zxcvbn: 3 is "safely unguessable: moderate protection from offline attack"
_BREACHED = frozenset(FREQUENCY_LISTS["passwords"])


def hasher() -> PasswordHasher:
    """Argon2id with 46 MiB and two passes: above both of OWASP's minimum settings
    (19 MiB x 2 passes; 46 MiB x 1 pass). Hashes made with weaker settings are redone at
    the next successful login (`Accounts.verify`)."""
    return PasswordHasher(time_cost=2, memory_cost=46 * 1024, parallelism=1, type=Type.ID)


def new_password() -> str:
    """A random password of about 96 bits, easy to copy (no look-alike punctuation)."""
    return secrets.token_urlsafe(12)


def password_problem(password: str, *, name: str = "") -> str | None:
    """What is wrong with `password` for the account `name`, in words for the person
    choosing it; None when it is fine."""
    if len(password) < MIN_PASSWORD:
        return f"A password needs at least {MIN_PASSWORD} characters."
    if len(password) > MAX_PASSWORD:
        return f"A password can have at most {MAX_PASSWORD} characters."
    if password.lower() in _BREACHED:
        return "That password appears in lists of breached passwords. Choose another."
    inputs = [name, *name.replace(".", " ").replace("-", " ").replace("_", " ").split()]
    estimate = zxcvbn(password, user_inputs=[i for i in inputs if i], max_length=MAX_PASSWORD)
    if estimate["score"] < MIN_SCORE:
        hint = estimate["feedback"].get("warning") or "It would be easy to guess."
        return f"That password is too weak. {hint} Try a few unusual words together."
    return None
