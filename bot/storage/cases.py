"""Cases for the worker desks: the model, the store and the live-update hub interfaces.

A `Case` is everything staff may know about a request for a person: a random label, the
age band, language, service, reason, how soon it needs an answer (`urgent`, `priority`)
and state. Who the young person is lives only in the
`Mapping` (label -> HMAC session key, channel and delivery address), which a store keeps
apart, never returns to a desk, and lets expire with the case plus a grace period.

Every implementation passes ``tests/storage/test_case_stores.py`` (STYLE point 3).
Stores never log labels, keys, addresses or text.
"""

from __future__ import annotations

import abc
import contextlib
import datetime as dt
import json
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

from bot.errors import SafeVoiceError, StorageError

__all__ = [
    "Case",
    "CaseHub",
    "CaseMessage",
    "CaseNote",
    "CaseStatus",
    "CaseStore",
    "CaseUpdate",
    "LabelTakenError",
    "Mapping",
    "UpdateKind",
]

CaseStatus = Literal["waiting", "claimed", "closed"]
UpdateKind = Literal[
    "opened", "urgent", "priority", "claimed", "transferred", "message", "worker_message",
    "no_answer", "closed", "overdue",
]  # fmt: skip
Log = Literal["messages", "notes"]


class LabelTakenError(SafeVoiceError):
    """The label belongs to another live case; the service draws a new one."""


def _time(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value is not None else None


def _parse(value: object) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else None


_TIMES = ("created", "updated", "waiting_since", "helplines_at", "overdue_at")


@dataclass(frozen=True, slots=True)
class Case:
    """A request for a person as staff see it. Nothing here identifies the young person."""

    label: str
    status: CaseStatus
    urgent: bool
    age_band: str | None
    language: str
    service: str | None
    reason: str
    created: dt.datetime
    updated: dt.datetime
    waiting_since: dt.datetime
    worker: str | None = None  # the claiming worker's id on their desk
    worker_name: str | None = None  # the name the worker chose; all the young person sees
    desk: str | None = None  # "telegram" / "web" after a transfer to a desk
    offered_to: str | None = None  # a worker a transfer named
    helplines_at: dt.datetime | None = None
    closed_by: Literal["worker", "young_person", "deleted"] | None = None
    # Before ordinary cases, after urgent ones: the flow's handoff step said so (e.g. the
    # young person does not feel safe at a service). Nothing more about them than `reason`.
    priority: bool = False
    # The organisation whose desk answers it (`Config.desk_for`): only its staff see it.
    organisation: str | None = None
    # When the desks were told this case waits too long (once per wait: a transfer starts
    # a new one, so an alert older than `waiting_since` is for an earlier wait).
    overdue_at: dt.datetime | None = None
    rev: int = 0  # bumped by every change; stores refuse a change made on an older rev

    @property
    def open(self) -> bool:
        return self.status != "closed"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for name in _TIMES:
            data[name] = _time(data[name])
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Case:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for name in _TIMES:
            values[name] = _parse(values.get(name))
        return cls(**values)

    def encode(self) -> str:
        return json.dumps(self.to_json(), separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def decode(cls, raw: str | bytes) -> Case:
        data = json.loads(raw)
        if not isinstance(data, dict):
            msg = "a stored case is not a JSON object"
            raise StorageError(msg)
        return cls.from_json(data)

    def changed(self, now: dt.datetime, **values: Any) -> Case:
        """A copy with `values`, the next rev and `updated` = now."""
        return replace(self, **values, updated=now, rev=self.rev + 1)

    @property
    def rank(self) -> int:
        """0 urgent, 1 priority, 2 every other case."""
        return 0 if self.urgent else 1 if self.priority else 2

    @property
    def sort_key(self) -> tuple[int, float]:
        """Urgent first, then priority, then the others; within each, the longest waiting."""
        return (self.rank, self.waiting_since.timestamp())


@dataclass(frozen=True, slots=True)
class Mapping:
    """Who is behind a label. Only the service reads it, only to deliver a message."""

    key: str  # the HMAC session key
    channel: str
    address: str  # e.g. the Telegram chat id, as text

    def encode(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def decode(cls, raw: str | bytes) -> Mapping:
        data = json.loads(raw)
        return cls(str(data["key"]), str(data["channel"]), str(data["address"]))


@dataclass(frozen=True, slots=True)
class CaseMessage:
    """One relayed message; kept only while the case (plus grace) lives."""

    seq: int
    at: dt.datetime
    sender: Literal["young_person", "worker"]
    name: str | None  # the worker's display name; None for the young person
    text: str


@dataclass(frozen=True, slots=True)
class CaseNote:
    """An internal note: never relayed, kept only while the case (plus grace) lives."""

    at: dt.datetime
    worker: str
    text: str


@dataclass(frozen=True, slots=True)
class CaseUpdate:
    """What desks hear live: the kind, the case, and for "message" its transcript index."""

    kind: UpdateKind
    case: Case
    seq: int | None = None

    def encode(self) -> str:
        data = {"kind": self.kind, "case": self.case.to_json(), "seq": self.seq}
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def decode(cls, raw: str | bytes) -> CaseUpdate:
        data = json.loads(raw)
        return cls(data["kind"], Case.from_json(data["case"]), data.get("seq"))


class CaseStore(abc.ABC):
    """Cases, their mappings, transcripts and notes, and one-time rating tokens.

    `ttl` and `grace` are seconds. Every key a store writes expires: an open case after
    `ttl` without a change, a closed one `grace` after closing.
    """

    @abc.abstractmethod
    async def open(self, case: Case, mapping: Mapping, ttl: float) -> tuple[Case, bool]:
        """Store a new case, or return the person's open case: (case, True if new).

        Raises LabelTakenError when `case.label` belongs to another live case.
        """

    @abc.abstractmethod
    async def get(self, label: str) -> Case | None: ...

    @abc.abstractmethod
    async def find(self, key: str) -> Case | None:
        """The open case of the person behind session key `key`, if any."""

    @abc.abstractmethod
    async def mapping(self, label: str) -> Mapping | None: ...

    @abc.abstractmethod
    async def replace(self, case: Case, ttl: float) -> bool:
        """Save `case` if the stored one has rev `case.rev - 1`; refresh every TTL.

        False (nothing written) when the case changed meanwhile or is gone.
        A case saved as closed leaves the queue and its person's index, and everything
        of it then expires after `ttl` (pass the grace period).
        """

    @abc.abstractmethod
    async def open_cases(self) -> list[Case]:
        """Waiting and claimed cases, urgent first, then priority, then the others; within
        each, the longest waiting."""

    @abc.abstractmethod
    async def append(self, label: str, log: Log, item: dict[str, Any]) -> int | None:
        """Add to the case's message or note log; its index, or None if the case is gone.

        The log expires with the case.
        """

    @abc.abstractmethod
    async def read(self, label: str, log: Log, start: int = 0) -> list[dict[str, Any]]: ...

    @abc.abstractmethod
    async def purge(self, label: str) -> None:
        """Delete the case, its mapping, index and logs at once ("delete my data")."""

    @abc.abstractmethod
    async def put_token(self, token: str, data: dict[str, str], ttl: float) -> None:
        """Keep a one-time token (the rating button); `data` must not identify anyone."""

    @abc.abstractmethod
    async def take_token(self, token: str) -> dict[str, str] | None:
        """Return and delete a token's data; None if unknown, used or expired."""

    @abc.abstractmethod
    async def close(self) -> None: ...


class CaseHub(abc.ABC):
    """Live updates for the desks: every subscriber hears every published update."""

    @abc.abstractmethod
    async def publish(self, update: CaseUpdate) -> None: ...

    @abc.abstractmethod
    def subscribe(self) -> contextlib.AbstractAsyncContextManager[AsyncIterator[CaseUpdate]]:
        """``async with hub.subscribe() as updates: async for update in updates: ...``"""
