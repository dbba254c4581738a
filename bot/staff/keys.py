"""Keys for the staff rows, derived from SAFEVOICE_SECRET_KEY: the database alone lets
nobody test a password guess (ASVS 2.4.5) or read an authenticator key (ASVS 2.8.2).

- HKDF-SHA256 (RFC 5869, on hmac and hashlib) with one label per use: the password
  pepper, the seed keys and the server's other uses of the secret are unrelated keys.
- Each secret has a key id, derived too (32 bits; it tells nothing about the secret),
  stored beside what it protected: the right key is found without trying them all, and a
  previous secret (SAFEVOICE_PREVIOUS_SECRET_KEYS) still opens what it protected until
  the next login (passwords) or start (authenticator keys) redoes it with the current one.
- Authenticator keys are sealed with the standard library only (there is no
  `cryptography` package here): HMAC-SHA256 in counter mode over a random 128-bit nonce
  as the keystream, then HMAC-SHA256 over version, key id, account name, nonce and
  ciphertext (encrypt-then-MAC, separate keys). HMAC is a PRF, so this is a sound
  randomised stream cipher plus a strong MAC; the name in the tag stops a row's sealed
  key from being copied onto another account.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Sequence

from bot.errors import SafeVoiceError

__all__ = ["NEEDS_KEY", "SEALED", "MissingSecretKey", "SeedUnreadable", "StaffKeys", "hkdf"]

SEALED = "sv1$"  # what a sealed authenticator key starts with; a plain one is base32
_SALT = b"safevoice staff keys"
_NONCE = 16
_TAG = 32
_PEPPER = b"safevoice staff password pepper"


NEEDS_KEY = (
    "SAFEVOICE_SECRET_KEY is not set (or has fewer than 32 characters): staff passwords "
    "and authenticator keys are protected with it. Set it to the same value the web "
    "process (`safevoice serve`) uses, then try again."
)


class MissingSecretKey(SafeVoiceError):
    """A password or authenticator key is to be protected, and there is no secret key."""


class SeedUnreadable(SafeVoiceError):
    """A stored authenticator key cannot be opened: changed in the database, or sealed
    with a secret key this process does not have."""


def hkdf(master: bytes, info: bytes, length: int = 32, salt: bytes = _SALT) -> bytes:
    """RFC 5869 HKDF-SHA256: extract with `salt`, expand with `info` (the label)."""
    prk = hmac.new(salt, master, hashlib.sha256).digest()
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out, counter = out + block, counter + 1
    return out[:length]


def _key_id(master: bytes) -> str:
    return hkdf(master, b"safevoice key id", 4).hex()


class StaffKeys:
    """The current secret (which protects everything new) and previous ones (which only
    open what they protected)."""

    def __init__(self, current: bytes, previous: Sequence[bytes] = ()) -> None:
        self.current_id = _key_id(current)
        self._masters = {_key_id(key): key for key in reversed((current, *previous))}

    def knows(self, key_id: str) -> bool:
        return key_id in self._masters

    def pepper(self, key_id: str) -> bytes | None:
        """The password pepper of `key_id`; None when that secret is not known here."""
        master = self._masters.get(key_id)
        return None if master is None else hkdf(master, _PEPPER)

    def current_pepper(self) -> bytes:
        return hkdf(self._masters[self.current_id], _PEPPER)

    def seal(self, name: str, seed: str) -> str:
        """`seed` (an account's TOTP key) sealed under the current secret, for `name`."""
        nonce = secrets.token_bytes(_NONCE)
        enc, mac = self._seed_keys(self.current_id)
        body = _xor(seed.encode(), _stream(enc, nonce, len(seed)))
        tag = _tag(mac, self.current_id, name, nonce + body)
        blob = base64.urlsafe_b64encode(nonce + body + tag).decode().rstrip("=")
        return f"{SEALED}{self.current_id}${blob}"

    def open(self, name: str, stored: str) -> str:
        """The plain seed of `stored` (a plain one as it is); SeedUnreadable when the
        tag does not match, the key is unknown or the text is not ours."""
        if not stored.startswith(SEALED):
            return stored
        key_id, _, blob = stored.removeprefix(SEALED).partition("$")
        try:
            raw = base64.urlsafe_b64decode(blob + "=" * (-len(blob) % 4))
        except (binascii.Error, ValueError):
            raw = b""
        if not self.knows(key_id) or len(raw) <= _NONCE + _TAG:
            raise SeedUnreadable(_UNREADABLE)
        enc, mac = self._seed_keys(key_id)
        nonce, body, tag = raw[:_NONCE], raw[_NONCE:-_TAG], raw[-_TAG:]
        if not hmac.compare_digest(tag, _tag(mac, key_id, name, nonce + body)):
            raise SeedUnreadable(_UNREADABLE)
        try:
            return _xor(body, _stream(enc, nonce, len(body))).decode("ascii")
        except UnicodeDecodeError:
            raise SeedUnreadable(_UNREADABLE) from None

    def is_current(self, stored: str) -> bool:
        return stored.startswith(f"{SEALED}{self.current_id}$")

    def _seed_keys(self, key_id: str) -> tuple[bytes, bytes]:
        master = self._masters[key_id]
        return hkdf(master, b"safevoice staff totp seed encryption"), hkdf(
            master, b"safevoice staff totp seed mac"
        )


_UNREADABLE = "the stored authenticator key cannot be opened with this server's secret key"


def _stream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = (length + 31) // 32
    return b"".join(
        hmac.new(key, nonce + i.to_bytes(4, "big"), hashlib.sha256).digest() for i in range(blocks)
    )[:length]


def _xor(data: bytes, stream: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))


def _tag(key: bytes, key_id: str, name: str, data: bytes) -> bytes:
    header = f"{SEALED}{key_id}${name}$".encode()
    return hmac.new(key, header + data, hashlib.sha256).digest()
