"""Migration 5: room for sealed authenticator keys in ``staff_mfa`` (ASVS 2.8.2).

A sealed TOTP key ("sv1$<key id>$<base64>", bot/staff/keys.py) is about 100 characters,
past the 64 that ``secret`` and ``pending`` had. The keys themselves are sealed by the
application at its next start (it holds SAFEVOICE_SECRET_KEY; a migration does not), so
this changes column types only and touches no value. Frozen like schema_v1.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

__all__ = ["create", "metadata"]

metadata = sa.MetaData()

staff_mfa = sa.Table(
    "staff_mfa",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("secret", sa.Text, nullable=True),
    sa.Column("pending", sa.Text, nullable=True),
    sa.Column("last_step", sa.BigInteger, nullable=True),
    sa.Column("recovery", sa.Text, nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
)
_COLUMNS = "name, secret, pending, last_step, recovery, changed_at"


def create(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(
            sa.text(
                "ALTER TABLE staff_mfa ALTER COLUMN secret TYPE TEXT, "
                "ALTER COLUMN pending TYPE TEXT"
            )
        )
        return
    # SQLite cannot change a column's type: build the new table and copy the rows over.
    conn.execute(sa.text("ALTER TABLE staff_mfa RENAME TO staff_mfa_v3"))
    staff_mfa.create(conn)
    conn.execute(sa.text(f"INSERT INTO staff_mfa ({_COLUMNS}) SELECT {_COLUMNS} FROM staff_mfa_v3"))  # noqa: S608 - fixed column names
    conn.execute(sa.text("DROP TABLE staff_mfa_v3"))
