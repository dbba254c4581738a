"""Stores: sessions, locks, dedupe and cases (memory, Redis); feedback and audit (SQL)."""

from bot.storage.feedback import DEFAULT_DATABASE_URL, FeedbackStore, database_url
from bot.storage.records import (
    ANSWER_KINDS,
    Answer,
    AuditEntry,
    FeedbackFilters,
    FeedbackRecord,
    QuestionCount,
    TextAnswer,
    ValueCount,
    WeekCount,
    checked_record,
    iso_week,
    week_start,
)

__all__ = [
    "ANSWER_KINDS",
    "DEFAULT_DATABASE_URL",
    "Answer",
    "AuditEntry",
    "FeedbackFilters",
    "FeedbackRecord",
    "FeedbackStore",
    "QuestionCount",
    "TextAnswer",
    "ValueCount",
    "WeekCount",
    "checked_record",
    "database_url",
    "iso_week",
    "week_start",
]

# Conversation state (sessions, per-chat locks, update dedupe). Appended here rather than
# sorted into the block above, which another module's author owns.
from bot.storage.memory import MemorySessionStore
from bot.storage.redis_sessions import RedisSessionStore
from bot.storage.sessions import (
    LockLostError,
    LockTimeoutError,
    SessionStore,
    Turn,
    TurnScope,
)

__all__ += [
    "LockLostError",
    "LockTimeoutError",
    "MemorySessionStore",
    "RedisSessionStore",
    "SessionStore",
    "Turn",
    "TurnScope",
]
