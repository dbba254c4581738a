"""Migration 1: the tables of SafeVoice 0.1.0, frozen here as they were.

A copy on purpose, not the live tables of rollup.py, feedback.py, accounts.py and
desk_names.py: those follow the code to the newest schema, and migration 1 must build
exactly what migration 2 expects to find, whatever the code looks like by then. Never
change this file; write the next migration instead (bot/storage/migrations.py).

``create`` makes whatever is missing and leaves what exists, so it both builds a fresh
database and completes one that 0.1.0 made (each 0.1.0 command created only the tables
it used, and the comment index came late in 0.1.0's development).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

__all__ = ["create", "metadata"]

metadata = sa.MetaData()

sa.Table(
    "feedback_records",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("flow_id", sa.String(100), nullable=False),
    sa.Column("flow_version", sa.Integer, nullable=False),
    sa.Column("age_band", sa.String(32), nullable=False),
    sa.Column("language", sa.String(16), nullable=False),
    sa.Column("service", sa.String(100), nullable=True),
    sa.Column("iso_week", sa.String(8), nullable=False),
    sa.Column("created_week_start", sa.Date, nullable=False),
    sa.Index("ix_feedback_records_service_week", "service", "created_week_start"),
    sa.Index("ix_feedback_records_week", "created_week_start"),
    sa.Index("ix_feedback_records_band_lang", "age_band", "language"),
)
_answers = sa.Table(
    "feedback_answers",
    metadata,
    sa.Column(
        "record_id",
        sa.String(32),
        sa.ForeignKey("feedback_records.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("question_key", sa.String(100), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.CheckConstraint(
        "kind IN ('choice', 'multi', 'scale', 'yes_no', 'text')", name="ck_feedback_answers_kind"
    ),
    sa.Index(
        "ix_feedback_answers_question_value",
        "question_key",
        "value",
        postgresql_where=sa.text("kind <> 'text'"),
        sqlite_where=sa.text("kind <> 'text'"),
    ),
    sa.Index("ix_feedback_answers_record", "record_id"),
)
sa.Index(
    "ix_feedback_answers_text",
    _answers.c.record_id,
    _answers.c.question_key,
    postgresql_where=sa.text("kind = 'text'"),
    sqlite_where=sa.text("kind = 'text'"),
)


def _group_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("created_week_start", sa.Date, primary_key=True),
        sa.Column("service", sa.String(100), primary_key=True),
        sa.Column("flow_id", sa.String(100), primary_key=True),
        sa.Column("age_band", sa.String(32), primary_key=True),
        sa.Column("language", sa.String(16), primary_key=True),
    ]


sa.Table(
    "feedback_week_counts",
    metadata,
    *_group_columns(),
    sa.Column("iso_week", sa.String(8), nullable=False),
    sa.Column("n", sa.BigInteger, nullable=False),
)
sa.Table(
    "feedback_question_counts",
    metadata,
    *_group_columns(),
    sa.Column("question_key", sa.String(100), primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("iso_week", sa.String(8), nullable=False),
    sa.Column("n", sa.BigInteger, nullable=False),
)
sa.Table(
    "feedback_counts",
    metadata,
    *_group_columns(),
    sa.Column("question_key", sa.String(100), primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("value", sa.Text, primary_key=True),
    sa.Column("iso_week", sa.String(8), nullable=False),
    sa.Column("n", sa.BigInteger, nullable=False),
)
sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(100), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
)
sa.Table(
    "staff_accounts",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("scopes", sa.Text, nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
)
sa.Table(
    "desk_display_names",
    metadata,
    sa.Column("account", sa.String(64), primary_key=True),
    sa.Column("display_name", sa.String(64), nullable=False),
)


def create(conn: Connection) -> None:
    """Create the missing tables, then the missing indexes of tables that already existed
    (``create_all`` makes a table's indexes only together with the table)."""
    metadata.create_all(conn, checkfirst=True)
    for table in metadata.sorted_tables:
        for index in table.indexes:
            index.create(conn, checkfirst=True)
