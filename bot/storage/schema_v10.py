"""Migration 10: who has seen a "you said, we did" update, counted once per young person,
and which texts a machine drafted.

A copy on purpose, not the live tables of bot/storage/updates.py (see schema_v1.py for
why).

- ``update_viewers``: one row per update and chat that was shown it. ``viewer`` is an HMAC
  of the update id and the chat's pseudonymous key, made with the secret key: it differs
  per update, so rows of two updates cannot be matched to one chat, and it holds nothing
  a feedback record has. The dashboard counts rows (hidden below k); "delete my data"
  removes the chat's rows.
- ``service_update_texts.machine``: the text is a machine's draft that no person has edited
  (still needs review before young people see it).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

__all__ = ["create", "metadata"]

metadata = sa.MetaData()

sa.Table(
    "update_viewers",
    metadata,
    sa.Column("update_id", sa.String(32), primary_key=True),
    sa.Column("viewer", sa.String(32), primary_key=True),
)


def create(conn: Connection) -> None:
    metadata.create_all(conn, checkfirst=True)
    false = "false" if conn.dialect.name == "postgresql" else "0"
    conn.execute(
        sa.text(
            f"ALTER TABLE service_update_texts ADD COLUMN machine BOOLEAN NOT NULL DEFAULT {false}"
        )
    )
