"""Staff passwords: how they are hashed, and which ones are refused.

Hashing is argon2-cffi's Argon2id over HMAC-SHA256(pepper, password) (ASVS 2.4.5): the
pepper comes from SAFEVOICE_SECRET_KEY (bot/staff/keys.py), never from the database, so
a copy of the database alone lets nobody test a guess. A pre-hash rather than Argon2's
own `secret` input: argon2-cffi offers that only through hand-built C structs
(`argon2.low_level.core`), which its encoded hashes and `check_needs_rehash` do not
know; HMAC in front costs microseconds and keeps both.

Strength is zxcvbn's estimate, and "breached" is zxcvbn's own list of the 30 000
passwords found most often in published breaches, shipped inside the package (nothing
is downloaded, nothing leaves the machine).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from bot.staff.keys import StaffKeys

__all__ = [
    "MAX_PASSWORD",
    "MIN_PASSWORD",
    "MIN_SCORE",
    "PEPPERED",
    "PasswordHashes",
    "hasher",
    "new_password",
    "password_problem",
]

MIN_PASSWORD = 12  # ASVS 2.1.1
MAX_PASSWORD = 128  # ASVS 2.1.2 allows 64 or more; past 128 nobody types it
MIN_SCORE = 3  # zxcvbn: 3 is "safely unguessable: moderate protection from offline attack"
_BREACHED = frozenset(FREQUENCY_LISTS["passwords"])
log = logging.getLogger(__name__)
# A peppered hash: this, the key id, then argon2's own "$argon2id$v=19$m=...". Hashes
# without it come from earlier releases (Argon2id of the password alone).
PEPPERED = "$sv-pepper$k="


def hasher() -> PasswordHasher:
    """Argon2id with 46 MiB and two passes: above both of OWASP's minimum settings
    (19 MiB x 2 passes; 46 MiB x 1 pass). Hashes made with weaker settings are redone at
    the next successful login (`Accounts.verify`)."""
    return PasswordHasher(time_cost=2, memory_cost=46 * 1024, parallelism=1, type=Type.ID)


class PasswordHashes:
    """Peppered Argon2id hashes; unpeppered ones (older releases) still verify, and
    `needs_rehash` says so, so that the next login redoes them."""

    def __init__(self, keys: StaffKeys | None) -> None:
        self.keys = keys
        self._argon = hasher()

    def hash(self, password: str) -> str:
        """Needs the keys: the caller checks `keys` first, to say what to set."""
        if self.keys is None:
            msg = "no secret key to pepper passwords with"
            raise ValueError(msg)
        peppered = _peppered(self.keys.current_pepper(), password)
        return f"{PEPPERED}{self.keys.current_id}{self._argon.hash(peppered)}"

    def dummy(self) -> str:
        """A hash of nothing anyone knows, costing what a real one costs to verify."""
        text = secrets.token_hex(16)
        return self.hash(text) if self.keys is not None else self._argon.hash(text)

    def verify(self, stored: str, password: str) -> bool:
        argon, secret = stored, password.encode()
        if stored.startswith(PEPPERED):
            key_id, dollar, rest = stored.removeprefix(PEPPERED).partition("$")
            pepper = self.keys.pepper(key_id) if self.keys is not None else None
            if pepper is None or not dollar:
                # No name in the log: the operator needs to know the key, not the account.
                log.warning(
                    "a staff password hash was made with a secret key this process does "
                    "not have (SAFEVOICE_SECRET_KEY changed? see docs/deploy.md 5.3)"
                )
                return False
            argon, secret = dollar + rest, _peppered(pepper, password)
        try:
            return self._argon.verify(argon, secret)
        except (VerificationError, InvalidHashError):
            return False

    def opens(self, stored: str) -> bool:
        """Whether this process has what `stored` was made with (its pepper, or none)."""
        if not stored.startswith(PEPPERED):
            return True
        key_id = stored.removeprefix(PEPPERED).partition("$")[0]
        return self.keys is not None and self.keys.knows(key_id)

    def needs_rehash(self, stored: str) -> bool:
        """Unpeppered, peppered with a previous key, or made with weaker settings."""
        if self.keys is None:
            return False  # nothing better to redo it with
        current = f"{PEPPERED}{self.keys.current_id}"
        if not stored.startswith(current + "$"):
            return True
        return self._argon.check_needs_rehash(stored.removeprefix(current))


def _peppered(pepper: bytes, password: str) -> bytes:
    # Argon2 takes its input with a length, so the raw digest's zero bytes are safe.
    return hmac.new(pepper, password.encode(), hashlib.sha256).digest()


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
