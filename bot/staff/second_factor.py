"""Staff accounts' second factor: enrolment, checking a code, recovery codes.

The codes and hashes are bot/staff/mfa.py's; the rows bot/storage/staff_mfa.py's. A new
secret stays pending until a code from the authenticator app confirms it, and an account
that had a factor keeps it until then: enrolling a new phone never locks anyone out.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

from bot.staff.mfa import hash_recovery, new_recovery_codes, new_secret, totp_step, use_recovery
from bot.storage.staff_mfa import MfaRow, SqlMfaStore

__all__ = ["Factor", "SecondFactor"]

Factor = Literal["totp", "recovery"]


class SecondFactor:
    def __init__(self, store: SqlMfaStore) -> None:
        self.store = store

    def enrolled(self, name: str) -> bool:
        row = self.store.get(name)
        return row is not None and row.secret is not None

    def begin(self, name: str) -> str:
        """A new pending secret for `name`, to show once on the enrolment page."""
        secret = new_secret()
        row = self.store.get(name) or MfaRow(name)
        self.store.put(dataclasses.replace(row, pending=secret))
        return secret

    def pending(self, name: str) -> str | None:
        row = self.store.get(name)
        return row.pending if row is not None else None

    def confirm(self, name: str, code: str) -> list[str] | None:
        """Enrol the pending secret when `code` is right for it: the account's new
        recovery codes (to show once), or None."""
        row = self.store.get(name)
        if row is None or row.pending is None:
            return None
        step = totp_step(row.pending, code, None)
        if step is None:
            return None
        codes = new_recovery_codes()
        hashes = tuple(hash_recovery(name, c) for c in codes)
        self.store.put(MfaRow(name, row.pending, None, step, hashes))
        return codes

    def check(self, name: str, code: str) -> Factor | None:
        """Which factor `code` is, when it is right and unused; each works once."""
        row = self.store.get(name)
        if row is None or row.secret is None:
            return None
        compact = "".join(code.split())
        if len(compact) == 6 and compact.isdigit():
            step = totp_step(row.secret, compact, row.last_step)
            return "totp" if step is not None and self.store.use_step(name, step) else None
        left = use_recovery(name, code, row.recovery)
        if left is None or not self.store.swap_recovery(name, row.recovery, tuple(left)):
            return None
        return "recovery"

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
