"""Staff accounts' second factor as stored: one row per account that has one (or is
enrolling one), in the SQL database beside ``staff_accounts``.

The rules (codes, steps, recovery hashes) live in bot/staff/mfa.py; this keeps rows, and
does the updates that must hold across web processes in one statement each: a TOTP step
is used at most once, a recovery code at most once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.engine import Engine, RowMapping

__all__ = ["MfaRow", "SqlMfaStore", "metadata", "mfa_table"]

metadata = sa.MetaData()
mfa_table = sa.Table(
    "staff_mfa",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    # Sealed TOTP keys ("sv1$<key id>$<base64>", about 100 characters; schema_v5.py).
    sa.Column("secret", sa.Text, nullable=True),
    sa.Column("pending", sa.Text, nullable=True),
    sa.Column("last_step", sa.BigInteger, nullable=True),
    sa.Column("recovery", sa.Text, nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True, slots=True)
class MfaRow:
    """`secret` the enrolled TOTP secret, `pending` one shown on the enrolment page and
    not yet confirmed, both as stored (sealed: bot/staff/keys.py; plain base32 in rows
    from earlier releases until sealed); `recovery` the digests of the unused recovery
    codes."""

    name: str
    secret: str | None = None
    pending: str | None = None
    last_step: int | None = None
    recovery: tuple[str, ...] = ()


class SqlMfaStore:
    """The ``staff_mfa`` table on SQLite or PostgreSQL (its schema comes with migrations)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, name: str) -> MfaRow | None:
        query = sa.select(mfa_table).where(mfa_table.c.name == name)
        with self.engine.connect() as conn:
            found = conn.execute(query).mappings().first()
        return None if found is None else _row(found)

    def all(self) -> list[MfaRow]:
        with self.engine.connect() as conn:
            return [_row(found) for found in conn.execute(sa.select(mfa_table)).mappings()]

    def reseal(self, name: str, column: Literal["secret", "pending"], old: str, new: str) -> bool:
        """Replace a stored key by the same key sealed anew, only if it is still `old`
        (another process may have enrolled a new one meanwhile)."""
        t = mfa_table.c
        query = mfa_table.update().where(t.name == name, t[column] == old).values({column: new})
        with self.engine.begin() as conn:
            return bool(conn.execute(query).rowcount)

    def put(self, row: MfaRow) -> None:
        """Replace the account's row."""
        values = {
            "name": row.name, "secret": row.secret, "pending": row.pending,
            "last_step": row.last_step, "recovery": ",".join(row.recovery),
            "changed_at": dt.datetime.now(dt.UTC),
        }  # fmt: skip
        with self.engine.begin() as conn:
            conn.execute(mfa_table.delete().where(mfa_table.c.name == row.name))
            conn.execute(mfa_table.insert().values(**values))

    def delete(self, name: str) -> bool:
        with self.engine.begin() as conn:
            return bool(conn.execute(mfa_table.delete().where(mfa_table.c.name == name)).rowcount)

    def use_step(self, name: str, step: int) -> bool:
        """Record `step` as used; False when it (or a later one) already was, by any
        process: the check and the write are one statement."""
        t = mfa_table.c
        query = (
            mfa_table.update()
            .where(t.name == name, sa.or_(t.last_step.is_(None), t.last_step < step))
            .values(last_step=step, changed_at=dt.datetime.now(dt.UTC))
        )
        with self.engine.begin() as conn:
            return bool(conn.execute(query).rowcount)

    def swap_recovery(self, name: str, old: tuple[str, ...], new: tuple[str, ...]) -> bool:
        """Replace the recovery digests only if they are still `old`: of two logins with
        the same code at once, one wins."""
        t = mfa_table.c
        query = (
            mfa_table.update()
            .where(t.name == name, t.recovery == ",".join(old))
            .values(recovery=",".join(new), changed_at=dt.datetime.now(dt.UTC))
        )
        with self.engine.begin() as conn:
            return bool(conn.execute(query).rowcount)


def _row(found: RowMapping) -> MfaRow:
    recovery = tuple(h for h in str(found["recovery"]).split(",") if h)
    last = found["last_step"]
    return MfaRow(
        str(found["name"]), found["secret"], found["pending"],
        None if last is None else int(last), recovery,
    )  # fmt: skip
