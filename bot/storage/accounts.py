"""Staff accounts as stored: one row per account in the SQL database, beside feedback and
audit, so a deployment has one database to back up. Staff are not anonymous; young people
never appear here.

The store keeps rows and nothing else: names, roles, scopes and passwords are checked, and
passwords hashed (Argon2id), by bot/staff/accounts.py before they reach it. Every
implementation passes ``tests/storage/test_account_stores.py`` (STYLE point 3).
"""

from __future__ import annotations

import abc
import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import Engine

from bot.storage.migrations import upgrade

__all__ = ["AccountRow", "AccountStore", "SqlAccountStore", "accounts_table", "metadata"]

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


@dataclass(frozen=True, slots=True)
class AccountRow:
    """One stored account. `name` is already lower-case; `role` and `scopes` were checked
    by the staff rules."""

    name: str
    role: str
    scopes: tuple[str, ...]
    password_hash: str
    disabled: bool = False


class AccountStore(abc.ABC):
    """Rows of staff accounts, looked up by their (lower-case) name."""

    @abc.abstractmethod
    def insert(self, row: AccountRow) -> bool:
        """Add `row`; False (and nothing written) when the name is taken."""

    @abc.abstractmethod
    def get(self, name: str) -> AccountRow | None: ...

    @abc.abstractmethod
    def all(self) -> list[AccountRow]:
        """Every account, ordered by name."""

    @abc.abstractmethod
    def update(
        self, name: str, *, password_hash: str | None = None, disabled: bool | None = None
    ) -> bool:
        """Change what is given (and the row's change time); False when there is no
        account called `name`."""


class SqlAccountStore(AccountStore):
    """The ``staff_accounts`` table on SQLite or PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create_schema(self) -> None:
        """Bring the whole schema up to date (bot/storage/migrations.py)."""
        upgrade(self.engine)

    def insert(self, row: AccountRow) -> bool:
        values = {
            "name": row.name,
            "role": row.role,
            "scopes": ",".join(row.scopes),
            "password_hash": row.password_hash,
            "disabled": row.disabled,
            "changed_at": dt.datetime.now(dt.UTC),
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(accounts_table.insert().values(**values))
        except exc.IntegrityError:
            return False
        return True

    def get(self, name: str) -> AccountRow | None:
        query = sa.select(accounts_table).where(accounts_table.c.name == name)
        with self.engine.connect() as conn:
            found = conn.execute(query).mappings().first()
        return _row(found) if found else None

    def all(self) -> list[AccountRow]:
        query = sa.select(accounts_table).order_by(accounts_table.c.name)
        with self.engine.connect() as conn:
            return [_row(found) for found in conn.execute(query).mappings()]

    def update(
        self, name: str, *, password_hash: str | None = None, disabled: bool | None = None
    ) -> bool:
        values: dict[str, object] = {"changed_at": dt.datetime.now(dt.UTC)}
        if password_hash is not None:
            values["password_hash"] = password_hash
        if disabled is not None:
            values["disabled"] = disabled
        query = accounts_table.update().where(accounts_table.c.name == name).values(**values)
        with self.engine.begin() as conn:
            return bool(conn.execute(query).rowcount)


def _row(found: sa.RowMapping) -> AccountRow:
    scopes = tuple(s for s in str(found["scopes"]).split(",") if s)
    return AccountRow(
        str(found["name"]), str(found["role"]), scopes, str(found["password_hash"]),
        bool(found["disabled"]),
    )  # fmt: skip
