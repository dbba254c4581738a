"""Multi-factor login: TOTP (RFC 6238, pyotp) and one-time recovery codes.

- A code is accepted for the current 30-second step or one step either side (clocks
  drift), and each step at most once per account (ASVS 2.8.4): the last step used is kept.
- Recovery codes are 25 random base32 characters (125 bits, above ASVS 2.6.2's 112),
  shown once, kept only as SHA-256 digests salted with the account name; with 125 random
  bits a fast hash is enough, nobody can search that space. Each works once.
- The enrolment QR code is drawn by segno as an inline SVG: the secret never leaves this
  server in a request to anyone else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Sequence

import pyotp
import segno

__all__ = [
    "ISSUER",
    "RECOVERY_CODES",
    "hash_recovery",
    "new_recovery_codes",
    "new_secret",
    "provisioning_uri",
    "qr_svg",
    "totp_step",
    "use_recovery",
]

ISSUER = "SafeVoice staff"
RECOVERY_CODES = 10
_STEP = 30
_DRIFT = 1  # steps either side
_CODE_CHARS = 25


def new_secret() -> str:
    return pyotp.random_base32(32)  # 160 bits, RFC 4226's recommendation


def provisioning_uri(secret: str, name: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code of `uri` as an SVG element, for an authenticator app's camera."""
    svg: str = segno.make(uri, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", title="QR code for your authenticator app"
    )
    return svg


def _matching_steps(secret: str, code: str, now: float | None) -> list[int]:
    """The time steps within the allowed drift of now whose code is `code`."""
    code = "".join(code.split())
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return []
    totp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // _STEP)
    return [
        step
        for step in range(current - _DRIFT, current + _DRIFT + 1)
        if hmac.compare_digest(totp.at(step * _STEP), code)
    ]


def totp_step(
    secret: str, code: str, last_step: int | None, now: float | None = None
) -> int | None:
    """The time step `code` belongs to when it is right and that step is newer than
    `last_step` (so a code seen over a shoulder cannot be used again); else None."""
    newer = [s for s in _matching_steps(secret, code, now) if last_step is None or s > last_step]
    return newer[0] if newer else None


def totp_replayed(secret: str, code: str, last_step: int | None, now: float | None = None) -> bool:
    """Whether `code` is right for a step already used (`last_step` or before, within the
    drift): a code seen or caught and tried again (ASVS 2.8.5)."""
    if last_step is None:
        return False
    return any(step <= last_step for step in _matching_steps(secret, code, now))


def new_recovery_codes() -> list[str]:
    """Codes to write down, grouped in fives for reading: ABCDE-FGHIJ-KLMNO-PQRST-UVWXY."""
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = base64.b32encode(secrets.token_bytes(16)).decode()[:_CODE_CHARS]
        codes.append("-".join(raw[i : i + 5] for i in range(0, _CODE_CHARS, 5)))
    return codes


def _normal(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def hash_recovery(name: str, code: str) -> str:
    return hashlib.sha256(f"safevoice-recovery:{name}:{_normal(code)}".encode()).hexdigest()


def use_recovery(name: str, code: str, hashes: Sequence[str]) -> list[str] | None:
    """The hashes left after using `code`, or None when it is not one of them."""
    if len(_normal(code)) != _CODE_CHARS:
        return None
    wanted = hash_recovery(name, code)
    found = [h for h in hashes if hmac.compare_digest(h, wanted)]
    if not found:
        return None
    return [h for h in hashes if h != found[0]]
