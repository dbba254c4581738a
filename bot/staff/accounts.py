"""Staff accounts: a name, a role, the organisations it may see, an Argon2id password hash.

Accounts live in the same SQL database as the feedback (their own table), so a deployment
has one database to back up. Staff are not anonymous; young people never appear here.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from typing import Literal, get_args

import sqlalchemy as sa
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import exc
from sqlalchemy.engine import Engine

from bot.config import Config
from bot.errors import SafeVoiceError
from bot.storage.migrations import upgrade

__all__ = ["ALL", "ROLES", "Account", "AccountError", "AccountStore", "Role", "new_password"]

Role = Literal["viewer", "worker", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
ALL = "*"  # a scope that covers every organisation
MIN_PASSWORD = 12

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_SCOPE = re.compile(r"^(\*|[a-z0-9_-]{1,64})$")

metadata = sa.MetaData()
accounts_table = sa.Table(
    "staff_accounts",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("scopes", sa.Text, nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
)


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
        return self.role == "admin" or ALL in self.scopes

    def allows(self, needed: Role) -> bool:
        return ROLES.index(self.role) >= ROLES.index(needed)

    def services(self, config: Config) -> tuple[str, ...]:
        """The services whose feedback this account may see."""
        return tuple(
            service_id
            for service_id, service in config.services.items()
            if self.sees_all or service.organisation in self.scopes
        )


def new_password() -> str:
    """A random password of about 96 bits, easy to copy (no look-alike punctuation)."""
    return secrets.token_urlsafe(12)


def hasher() -> PasswordHasher:
    # OWASP's Argon2id minimum: 19 MiB of memory, two passes, one lane.
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)


class AccountStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.hasher = hasher()
        # Verifying against this when the name is unknown keeps the timing the same, so the
        # login page does not reveal which names exist.
        self._dummy = self.hasher.hash(secrets.token_hex(16))

    def create_schema(self) -> None:
        """Bring the whole schema up to date (bot/storage/migrations.py)."""
        upgrade(self.engine)

    def add(self, name: str, role: str, scopes: tuple[str, ...], password: str) -> Account:
        name = _check_name(name)
        account = Account(name, _check_role(role), _check_scopes(scopes))
        _check_password(password)
        row = {
            "name": name,
            "role": account.role,
            "scopes": ",".join(account.scopes),
            "password_hash": self.hasher.hash(password),
            "disabled": False,
            "changed_at": dt.datetime.now(dt.UTC),
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(accounts_table.insert().values(**row))
        except exc.IntegrityError:
            msg = f"an account called {name!r} already exists"
            raise AccountError(msg) from None
        return account

    def get(self, name: str) -> Account | None:
        query = sa.select(accounts_table).where(accounts_table.c.name == name.strip().lower())
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return _account(row) if row else None

    def all(self) -> list[Account]:
        query = sa.select(accounts_table).order_by(accounts_table.c.name)
        with self.engine.connect() as conn:
            return [_account(row) for row in conn.execute(query).mappings()]

    def set_disabled(self, name: str, disabled: bool = True) -> None:
        self._update(name, disabled=disabled)

    def reset(self, name: str, password: str) -> None:
        _check_password(password)
        self._update(name, password_hash=self.hasher.hash(password), disabled=False)

    def verify(self, name: str, password: str) -> Account | None:
        """The account when the name and password match and it is enabled; else None."""
        query = sa.select(accounts_table).where(accounts_table.c.name == name.strip().lower())
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        stored = row["password_hash"] if row else self._dummy
        try:
            self.hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None or row["disabled"]:
            return None
        if self.hasher.check_needs_rehash(stored):
            self._update(row["name"], password_hash=self.hasher.hash(password))
        return _account(row)

    def _update(self, name: str, **values: object) -> None:
        query = (
            accounts_table.update()
            .where(accounts_table.c.name == name.strip().lower())
            .values(changed_at=dt.datetime.now(dt.UTC), **values)
        )
        with self.engine.begin() as conn:
            if conn.execute(query).rowcount == 0:
                msg = f"there is no account called {name!r}"
                raise AccountError(msg)


def _account(row: sa.RowMapping) -> Account:
    scopes = tuple(s for s in str(row["scopes"]).split(",") if s)
    return Account(row["name"], _check_role(row["role"]), scopes, bool(row["disabled"]))


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


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        msg = f"a password needs at least {MIN_PASSWORD} characters"
        raise AccountError(msg)
