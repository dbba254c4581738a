"""The anonymous feedback record: what one completed feedback flow leaves behind.

By design it holds no user id, name, session key or time finer than the ISO week
(DESIGN.md, privacy model), so a record cannot be linked to a person or to another
record of the same person.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from bot.errors import StorageError
from bot.privacy.keys import new_record_id
from bot.privacy.scrub import scrub

__all__ = [
    "ANSWER_KINDS",
    "Answer",
    "AtomCounts",
    "AtomKey",
    "AuditEntry",
    "FeedbackFilters",
    "FeedbackRecord",
    "QuestionCount",
    "TextAnswer",
    "ValueCount",
    "WeekCount",
    "checked_record",
    "iso_week",
    "week_start",
]

# 'multi' answers are stored as one Answer per chosen option, all with the same key.
ANSWER_KINDS = frozenset({"choice", "multi", "scale", "yes_no", "text"})

_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_RECORD_ID = re.compile(r"^[0-9a-f]{32}$")  # also refuses a 64-digit session key by mistake
_SCALE = re.compile(r"^-?\d{1,4}$")
_MAX_CHOICE = 200


def iso_week(day: dt.date) -> str:
    """``2024-W07`` for any day of that ISO week."""
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def week_start(week: str) -> dt.date:
    """The Monday of an ISO week written as ``YYYY-Www``; ValueError if it is not one."""
    match = _ISO_WEEK.match(week)
    if match is None:
        msg = f"not an ISO week (expected YYYY-Www): {week!r}"
        raise ValueError(msg)
    return dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)


@dataclass(frozen=True, slots=True)
class Answer:
    key: str  # the question's key in the flow
    kind: str  # one of ANSWER_KINDS
    value: str  # choice value, 'yes'/'no', scale on the common scale, or scrubbed text


@dataclass(frozen=True, slots=True)
class FeedbackRecord:
    flow_id: str
    flow_version: int
    age_band: str
    language: str
    service: str | None
    answers: tuple[Answer, ...]
    iso_week: str
    id: str

    @property
    def week_start(self) -> dt.date:
        return week_start(self.iso_week)

    @classmethod
    def build(
        cls,
        *,
        flow_id: str,
        flow_version: int,
        age_band: str,
        language: str,
        service: str | None,
        answers: Iterable[Answer],
        today: dt.date,
        id: str | None = None,
    ) -> FeedbackRecord:
        """A new record with a random id (or the random `id` given), dated only by the ISO
        week of ``today``."""
        return cls(
            flow_id=flow_id,
            flow_version=flow_version,
            age_band=age_band,
            language=language,
            service=service,
            answers=tuple(answers),
            iso_week=iso_week(today),
            id=id or new_record_id(),
        )


class AtomKey(NamedTuple):
    """The finest group any filter can select: every record lies in exactly one."""

    service: str | None
    flow_id: str
    age_band: str
    language: str
    iso_week: str

    def matches(self, filters: FeedbackFilters) -> bool:
        """Whether a query with ``filters`` (``exclude`` aside) reads this group's records."""
        return (
            (not filters.services or self.service in filters.services)
            and filters.age_band in (None, self.age_band)
            and filters.language in (None, self.language)
            and filters.flow_id in (None, self.flow_id)
            and (filters.week_from is None or self.iso_week >= filters.week_from)
            and (filters.week_to is None or self.iso_week <= filters.week_to)
        )


class AtomCounts(NamedTuple):
    """Every count of the rollup, per group (``AtomKey``), for the services asked for."""

    records: dict[AtomKey, int]
    respondents: dict[tuple[AtomKey, str, str], int]  # (group, question, kind)
    values: dict[tuple[AtomKey, str, str, str], int]  # (group, question, kind, value)


@dataclass(frozen=True, slots=True)
class FeedbackFilters:
    """Which records a query covers; ``None`` (or empty) means no restriction.

    Weeks are ISO weeks (``YYYY-Www``), both ends included.
    """

    services: tuple[str, ...] = field(default=())
    age_band: str | None = None
    language: str | None = None
    flow_id: str | None = None
    week_from: str | None = None
    week_to: str | None = None
    # Groups to leave out whatever else matches: those whose counts a view may not show
    # (bot/services/disclosure.py), so their comments stay out of it too.
    exclude: tuple[AtomKey, ...] = field(default=())

    def __post_init__(self) -> None:
        # Fail early on a malformed week rather than deep inside a query.
        for week in (self.week_from, self.week_to):
            if week is not None:
                week_start(week)


def checked_record(record: FeedbackRecord) -> FeedbackRecord:
    """The record as it may be stored: free text scrubbed (again), empty text and repeated
    options dropped. Raises StorageError for anything a store must refuse."""
    if not _RECORD_ID.match(record.id):
        msg = "A feedback record id must be 32 random hex digits"
        raise StorageError(msg)
    try:
        week_start(record.iso_week)
    except ValueError as err:
        raise StorageError(str(err)) from None
    answers: dict[tuple[str, str, str], Answer] = {}
    for answer in record.answers:
        value, where = answer.value, f"(question {answer.key!r})"
        if answer.kind not in ANSWER_KINDS:
            msg = f"Unknown answer kind {answer.kind!r} {where}"
            raise StorageError(msg)
        if answer.kind == "text":
            value = scrub(value)
            if not value:
                continue
        elif answer.kind == "yes_no" and value not in ("yes", "no"):
            msg = f"A yes/no answer must be 'yes' or 'no' {where}"
            raise StorageError(msg)
        elif answer.kind == "scale" and not _SCALE.match(value):
            msg = f"A scale answer must be a whole number {where}"
            raise StorageError(msg)
        elif not value or len(value) > _MAX_CHOICE:
            msg = f"A choice value must be 1 to {_MAX_CHOICE} characters {where}"
            raise StorageError(msg)
        answers[(answer.key, answer.kind, value)] = Answer(answer.key, answer.kind, value)
    return replace(record, answers=tuple(answers.values()))


# Query results. ``iso_week`` is None unless the query was asked to split by week.


class ValueCount(NamedTuple):
    """How many records gave ``value`` to a question (never used for free text)."""

    service: str | None
    iso_week: str | None
    question_key: str
    kind: str
    value: str
    records: int


class QuestionCount(NamedTuple):
    """How many records answered a question at all: the total of its distribution."""

    service: str | None
    iso_week: str | None
    question_key: str
    kind: str
    respondents: int


class WeekCount(NamedTuple):
    service: str | None
    iso_week: str
    records: int


class TextAnswer(NamedTuple):
    service: str | None
    question_key: str
    value: str


class AuditEntry(NamedTuple):
    """A staff action. Staff are not anonymous; young people's data never goes here."""

    at: dt.datetime
    actor: str
    action: str
    detail: str
