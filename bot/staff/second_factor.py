"""Staff accounts' second factor: enrolment, checking a code, recovery codes.

The codes and hashes are bot/staff/mfa.py's; the rows bot/storage/staff_mfa.py's. A new
secret stays pending until a code from the authenticator app confirms it, and an account
that had a factor keeps it until then: enrolling a new phone never locks anyone out.

TOTP keys (enrolled and pending) are stored sealed under SAFEVOICE_SECRET_KEY
(bot/staff/keys.py, ASVS 2.8.2). Plain ones from earlier releases, and ones sealed under
a previous secret key, are sealed again at every start (`seal_stored`) and when read.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Literal

from bot.staff.keys import NEEDS_KEY, SEALED, MissingSecretKey, SeedUnreadable, StaffKeys
from bot.staff.mfa import (
    hash_recovery,
    new_recovery_codes,
    new_secret,
    totp_replayed,
    totp_step,
    use_recovery,
)
from bot.storage.staff_mfa import MfaRow, SqlMfaStore

__all__ = ["Factor", "SecondFactor", "SeedUnreadable"]

log = logging.getLogger(__name__)

Factor = Literal["totp", "recovery"]
Column = Literal["secret", "pending"]


class SecondFactor:
    def __init__(self, store: SqlMfaStore, keys: StaffKeys | None = None) -> None:
        self.store = store
        self.keys = keys

    def enrolled(self, name: str) -> bool:
        row = self.store.get(name)
        return row is not None and row.secret is not None

    def begin(self, name: str) -> str:
        """A new pending secret for `name`, to show once on the enrolment page."""
        secret = new_secret()
        row = self.store.get(name) or MfaRow(name)
        self.store.put(dataclasses.replace(row, pending=self._seal(name, secret)))
        return secret

    def pending(self, name: str) -> str | None:
        row = self.store.get(name)
        if row is None or row.pending is None:
            return None
        try:
            return self._open(name, row.pending)
        except SeedUnreadable:
            return None  # enrolling starts again with a new key

    def confirm(self, name: str, code: str) -> list[str] | None:
        """Enrol the pending secret when `code` is right for it: the account's new
        recovery codes (to show once), or None."""
        secret = self.pending(name)
        if secret is None:
            return None
        step = totp_step(secret, code, None)
        if step is None:
            return None
        codes = new_recovery_codes()
        hashes = tuple(hash_recovery(name, c) for c in codes)
        self.store.put(MfaRow(name, self._seal(name, secret), None, step, hashes))
        return codes

    def check(self, name: str, code: str) -> Factor | None:
        """Which factor `code` is, when it is right and unused; each works once.
        SeedUnreadable when `code` is an app code and the stored key cannot be opened
        (recovery codes still work: they are hashes, not sealed)."""
        row = self.store.get(name)
        if row is None or row.secret is None:
            return None
        compact = "".join(code.split())
        if len(compact) == 6 and compact.isdigit():
            secret = self._open(name, row.secret)
            self._reseal(name, "secret", row.secret, secret)
            step = totp_step(secret, compact, row.last_step)
            return "totp" if step is not None and self.store.use_step(name, step) else None
        left = use_recovery(name, code, row.recovery)
        if left is None or not self.store.swap_recovery(name, row.recovery, tuple(left)):
            return None
        return "recovery"

    def replayed(self, name: str, code: str) -> bool:
        """Whether a refused `code` was a right app code used once already (2.8.5)."""
        row = self.store.get(name)
        if row is None or row.secret is None:
            return False
        try:
            secret = self._open(name, row.secret)
        except SeedUnreadable:
            return False
        return totp_replayed(secret, code, row.last_step)

    def recovery_left(self, name: str) -> int:
        row = self.store.get(name)
        return len(row.recovery) if row is not None and row.secret is not None else 0

    def new_recovery(self, name: str) -> list[str]:
        """New recovery codes for an enrolled account; the old ones stop working."""
        row = self.store.get(name)
        if row is None or row.secret is None:
            return []
        codes = new_recovery_codes()
        hashes = tuple(hash_recovery(name, c) for c in codes)
        self.store.put(dataclasses.replace(row, recovery=hashes))
        return codes

    def remove(self, name: str) -> bool:
        """Forget the account's factor (an admin's reset: lost phone and codes)."""
        return self.store.delete(name)

    def seal_stored(self) -> tuple[int, int]:
        """Seal every plain key, and every key sealed under a previous secret, under the
        current one: (how many were sealed now, how many cannot be opened)."""
        sealed = unreadable = 0
        for row in self.store.all() if self.keys is not None else []:
            columns: tuple[tuple[Column, str | None], ...] = (
                ("secret", row.secret), ("pending", row.pending),
            )  # fmt: skip
            for column, stored in columns:
                if stored is None:
                    continue
                try:
                    sealed += self._reseal(row.name, column, stored, self._open(row.name, stored))
                except SeedUnreadable:
                    unreadable += 1
        if unreadable:
            log.warning(
                "%d stored authenticator keys cannot be opened with SAFEVOICE_SECRET_KEY "
                "(changed without SAFEVOICE_PREVIOUS_SECRET_KEYS?); those accounts log in "
                "with a recovery code or need `safevoice users reset-mfa`",
                unreadable,
            )
        return sealed, unreadable

    def unreadable(self) -> int:
        """How many enrolled keys this process cannot open (`safevoice check`; changes
        nothing)."""
        count = 0
        for row in self.store.all():
            try:
                if row.secret is not None:
                    self._open(row.name, row.secret)
            except SeedUnreadable:
                count += 1
        return count

    def _seal(self, name: str, secret: str) -> str:
        if self.keys is None:
            raise MissingSecretKey(NEEDS_KEY)
        return self.keys.seal(name, secret)

    def _open(self, name: str, stored: str) -> str:
        if self.keys is None:
            if stored.startswith(SEALED):
                raise SeedUnreadable(NEEDS_KEY)
            return stored
        return self.keys.open(name, stored)

    def _reseal(self, name: str, column: Column, stored: str, secret: str) -> bool:
        """Seal `secret` under the current key in place of `stored`, unless it is so
        already or the row changed meanwhile."""
        if self.keys is None or self.keys.is_current(stored):
            return False
        return self.store.reseal(name, column, stored, self.keys.seal(name, secret))
