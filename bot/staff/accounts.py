"""Staff accounts: a name, a role, the organisations it may see, an Argon2id password hash.

The rules live here (which names, roles and scopes are valid, how long a password must
be, hashing and verifying it); the rows live in the SQL database behind
`bot.storage.accounts.AccountStore`. `Accounts` joins the two; `bot/runtime.py` builds it.
Staff are not anonymous; young people never appear here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal, get_args

from bot.config import Config
from bot.errors import SafeVoiceError
from bot.staff.keys import NEEDS_KEY, StaffKeys
from bot.staff.passwords import PasswordHashes, new_password, password_problem
from bot.staff.second_factor import SecondFactor
from bot.storage.accounts import AccountRow, AccountStore
from bot.storage.issued_passwords import SqlIssuedPasswords
from bot.storage.staff_mfa import SqlMfaStore
from bot.storage.staff_notices import Notice, SqlNoticeStore

__all__ = [
    "ALL",
    "LADDER",
    "ROLES",
    "Account",
    "AccountError",
    "Accounts",
    "Needed",
    "Role",
    "new_password",
]

# The ladder is ordered: each role may do what the ones before it may. A supervisor is a
# worker who may also take over, reassign or close any case of their organisation (with a
# reason). An advisor (a member of a survivor advisory group) stands outside the ladder:
# it opens the flow studio and its own account pages, never feedback, cases or admin.
Role = Literal["viewer", "worker", "supervisor", "admin", "advisor"]
ROLES: tuple[Role, ...] = get_args(Role)
LADDER: tuple[Role, ...] = ("viewer", "worker", "supervisor", "admin")
# Who opens a page marked "advisor" (the flow studio): advisors, and on the ladder these.
STUDIO_STAFF: tuple[Role, ...] = ("supervisor", "admin")
# Who writes in the studio (comments, suggested wording, sign-off): "reviewer" pages.
REVIEWERS: tuple[Role, ...] = ("advisor", "admin")
# A page marked "any" (logging out, one's own account) is open to every account.
Needed = Literal["viewer", "worker", "supervisor", "admin", "advisor", "reviewer", "any"]
ALL = "*"  # a scope that covers every organisation

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_SCOPE = re.compile(r"^(\*|[a-z0-9_-]{1,64})$")


class AccountError(SafeVoiceError):
    """An account cannot be created or changed as asked."""


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    role: Role
    scopes: tuple[str, ...]
    disabled: bool = False

    @property
    def sees_all(self) -> bool:
        return self.role == "admin" or (ALL in self.scopes and self.role != "advisor")

    def allows(self, needed: Needed) -> bool:
        if needed == "any":
            return True
        if needed == "advisor":
            return self.role == "advisor" or self.role in STUDIO_STAFF
        if needed == "reviewer":
            return self.role in REVIEWERS
        if self.role == "advisor":  # fails closed: nothing on the ladder
            return False
        return LADDER.index(self.role) >= LADDER.index(needed)

    def sees(self, organisation: str) -> bool:
        """Whether cases and feedback of `organisation` are this account's to see."""
        if self.role == "advisor":
            return False
        return self.sees_all or organisation in self.scopes

    def services(self, config: Config) -> tuple[str, ...]:
        """The services whose feedback this account may see."""
        return tuple(
            service_id
            for service_id, service in config.services.items()
            if self.sees_all or service.organisation in self.scopes
        )


class Accounts:
    """Staff accounts over their store: every name, role, scope and password checked, and
    passwords kept only as peppered Argon2id hashes. `second_factor` is there when the
    runtime gave it the MFA rows (every mode that serves the staff web or runs `safevoice
    users`). `keys` None (`safevoice users` without SAFEVOICE_SECRET_KEY): everything
    but setting a password or an authenticator works, and those say what to set.

    With `notices` (the runtime gives them), a changed password or a removed second factor
    leaves the account a notice it sees at its next login (ASVS V2.2.3, V2.5.5: staff hold
    no e-mail or phone to tell them by). The web's own enrolment and recovery pages add
    theirs with `notify`."""

    def __init__(
        self,
        store: AccountStore,
        mfa: SqlMfaStore | None = None,
        keys: StaffKeys | None = None,
        notices: SqlNoticeStore | None = None,
        issued: SqlIssuedPasswords | None = None,
    ) -> None:
        self.store = store
        self.notices = notices
        self.issued = issued
        self._second = SecondFactor(mfa, keys) if mfa is not None else None
        self.hashes = PasswordHashes(keys)
        # Verifying against this when the name is unknown keeps the timing the same, so the
        # login page does not reveal which names exist.
        self._dummy = self.hashes.dummy()

    def add(
        self, name: str, role: str, scopes: tuple[str, ...], password: str, *, issued: bool = False
    ) -> Account:
        """`issued`: an administrator gives the password (it expires, and opens only the
        account page until its owner chooses their own; ASVS 2.3.1)."""
        name = _check_name(name)
        role = _check_role(role)
        checked = _check_scopes(scopes)
        if role == "advisor" and checked:
            # Scopes open feedback and cases; an advisor sees neither, so it holds none.
            msg = "an advisor sees no organisation's feedback or cases: give no organisations"
            raise AccountError(msg)
        account = Account(name, role, checked)
        _check_password(password, name)
        row = AccountRow(name, account.role, account.scopes, self._hash(password))
        if not self.store.insert(row):
            msg = f"an account called {name!r} already exists"
            raise AccountError(msg)
        self._mark_issued(name, issued)
        return account

    def get(self, name: str) -> Account | None:
        row = self.store.get(_key(name))
        return _account(row) if row else None

    def all(self) -> list[Account]:
        return [_account(row) for row in self.store.all()]

    def set_disabled(self, name: str, disabled: bool = True) -> None:
        self._update(name, disabled=disabled)

    @property
    def second_factor(self) -> SecondFactor:
        if self._second is None:
            msg = "this process has no second-factor store (built outside bot/runtime.py?)"
            raise AccountError(msg)
        return self._second

    def reset(self, name: str, password: str, *, told: bool = True, issued: bool = False) -> None:
        """An administrator's new password for the account (the web or the terminal);
        `told=False` only for the demo's own account, reset at every start. `issued`: as
        for `add`."""
        _check_password(password, name)
        self._update(name, password_hash=self._hash(password), disabled=False)
        self._mark_issued(name, issued)
        if told:
            self.notify(name, "password", by_admin=True)

    def issued_at(self, name: str) -> dt.datetime | None:
        """When an administrator gave the account its password; None once it chose its own."""
        return self.issued.issued_at(_key(name)) if self.issued is not None else None

    def _mark_issued(self, name: str, issued: bool) -> None:
        if self.issued is None:
            return
        if issued:
            self.issued.issue(_key(name))
        else:
            self.issued.clear(_key(name))

    def remove_second_factor(self, name: str) -> None:
        """An admin's reset of a lost phone: the account logs in with its password again."""
        if self.get(name) is None:
            msg = f"there is no account called {name!r}"
            raise AccountError(msg)
        if self.second_factor.remove(_key(name)):
            self.notify(name, "mfa-reset", by_admin=True)

    def notify(self, name: str, kind: str, *, by_admin: bool) -> None:
        """Leave the account a notice that its credentials changed (see the class)."""
        if self.notices is not None:
            self.notices.add(_key(name), kind, by_admin=by_admin)

    def pending_notices(self, name: str) -> list[Notice]:
        return self.notices.of(_key(name)) if self.notices is not None else []

    def dismiss_notice(self, name: str, notice_id: str) -> bool:
        return self.notices is not None and self.notices.dismiss(_key(name), notice_id)

    def change_password(self, name: str, current: str, new: str) -> None:
        """The account's own change: the current password first (ASVS 2.1.5), then the
        new one checked like any other."""
        if self.verify(name, current) is None:
            msg = "The current password is not right."
            raise AccountError(msg)
        if new == current:
            msg = "The new password must differ from the current one."
            raise AccountError(msg)
        self.reset(name, new, told=False)
        self.notify(name, "password", by_admin=False)

    def verify(self, name: str, password: str) -> Account | None:
        """The account when the name and password match and it is enabled; else None."""
        row = self.store.get(_key(name))
        stored = row.password_hash if row else self._dummy
        if not self.hashes.verify(stored, password) or row is None or row.disabled:
            return None
        if self.hashes.needs_rehash(stored):
            # Older settings, no pepper yet, or a previous secret key: redone now, while
            # the password is at hand (it is never kept).
            self._update(row.name, password_hash=self._hash(password))
        return _account(row)

    def _hash(self, password: str) -> str:
        if self.hashes.keys is None:
            raise AccountError(NEEDS_KEY)
        return self.hashes.hash(password)

    def locked_out(self) -> tuple[int, int]:
        """(passwords, authenticator keys) made with a secret key this process lacks:
        those accounts cannot log in until the key is given back or they are reset."""
        passwords = sum(not self.hashes.opens(row.password_hash) for row in self.store.all())
        return passwords, self.second_factor.unreadable()

    def _update(
        self, name: str, *, password_hash: str | None = None, disabled: bool | None = None
    ) -> None:
        if not self.store.update(_key(name), password_hash=password_hash, disabled=disabled):
            msg = f"there is no account called {name!r}"
            raise AccountError(msg)


def _key(name: str) -> str:
    return name.strip().lower()


def _account(row: AccountRow) -> Account:
    return Account(row.name, _check_role(row.role), row.scopes, row.disabled)


def _check_name(name: str) -> str:
    name = name.strip().lower()
    if not _NAME.match(name):
        msg = "an account name is 2-64 letters, digits, '.', '_' or '-', starting with a letter"
        raise AccountError(msg)
    return name


def _check_role(role: str) -> Role:
    for known in ROLES:
        if role == known:
            return known
    msg = f"unknown role {role!r}: use {', '.join(ROLES)}"
    raise AccountError(msg)


def _check_scopes(scopes: tuple[str, ...]) -> tuple[str, ...]:
    cleaned = tuple(dict.fromkeys(s.strip().lower() for s in scopes if s.strip()))
    for scope in cleaned:
        if not _SCOPE.match(scope):
            msg = f"{scope!r} is not an organisation id (or '*' for all)"
            raise AccountError(msg)
    return cleaned


def _check_password(password: str, name: str) -> None:
    problem = password_problem(password, name=name)
    if problem is not None:
        raise AccountError(problem)
