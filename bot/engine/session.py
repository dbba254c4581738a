"""The conversation state: small, plain JSON, versioned, resumable after any step."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from bot.errors import SafeVoiceError

SESSION_VERSION = 1

AnswerValue = str | list[str] | None


class SessionError(SafeVoiceError):
    """A stored session cannot be read; the caller starts a fresh one."""


def _fresh(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: list(v) if isinstance(v, list) else v for k, v in value.items()}
    if isinstance(value, list):
        return list(value)
    return value


@dataclass
class Session:
    lang: str
    band: str | None = None
    flow: str | None = None
    step: str | None = None
    # The flow set a step belongs to: an age band id, or "common".
    scope: str | None = None
    answers: dict[str, AnswerValue] = field(default_factory=dict)
    # Keys whose answers go into the feedback record, with their kind.
    kept: dict[str, str] = field(default_factory=dict)
    # Multiple choice in progress, and where an interruption (privacy, language) returns to.
    picked: list[str] = field(default_factory=list)
    back: list[str] | None = None
    service: str | None = None
    # A deep link's name (`?start=<name>`), kept until the age band is known.
    link: str | None = None
    turn: int = 0
    v: int = SESSION_VERSION

    @property
    def idle(self) -> bool:
        return self.step is None

    def to_json(self) -> dict[str, Any]:
        # Fresh containers, one level deep (answers may hold lists): callers may change
        # the result freely. Cheaper than dataclasses.asdict, which runs on every turn.
        data = {f.name: _fresh(getattr(self, f.name)) for f in fields(self)}
        # Leave out empty values: a session in Redis should stay well under 1 KB.
        return {k: v for k, v in data.items() if v not in (None, [], {}) or k in ("lang", "v")}

    @classmethod
    def from_json(cls, data: Any) -> Session:
        if not isinstance(data, dict) or data.get("v") != SESSION_VERSION:
            msg = "the saved conversation is from another version"
            raise SessionError(msg)
        known = {f for f in cls.__dataclass_fields__}
        try:
            session = cls(**{k: v for k, v in data.items() if k in known})
        except TypeError as exc:
            msg = "the saved conversation is incomplete"
            raise SessionError(msg) from exc
        if not isinstance(session.lang, str) or not isinstance(session.answers, dict):
            msg = "the saved conversation is damaged"
            raise SessionError(msg)
        return session
