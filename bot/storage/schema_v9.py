"""Migration 9: advisors' comments on flow steps can be edited and resolved, frozen as added.

Three columns on ``flow_comments`` (migration 8): when its author last edited it, and
when and by whom (a staff account's name) it was marked resolved; a comment reopened has
them empty again. Added with ``ALTER TABLE ... ADD COLUMN``, which SQLite and PostgreSQL
both do in place: every comment keeps its words. Frozen like schema_v1.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

__all__ = ["COLUMNS", "create", "metadata"]

metadata = sa.MetaData()  # no new table

COLUMNS: tuple[tuple[str, sa.types.TypeEngine[Any]], ...] = (
    ("edited_at", sa.DateTime(timezone=True)),
    ("resolved_at", sa.DateTime(timezone=True)),
    ("resolved_by", sa.String(64)),
)


def create(conn: Connection) -> None:
    for name, kind in COLUMNS:
        ddl = kind.compile(dialect=conn.dialect)  # DATETIME on SQLite, TIMESTAMP WITH TIME ZONE…
        conn.execute(sa.text(f"ALTER TABLE flow_comments ADD COLUMN {name} {ddl}"))
