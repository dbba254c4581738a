"""What the engine asks the edges to do. Plain frozen data: channels render, services store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

InputKind = Literal["none", "choice", "multi", "scale", "yes_no", "text"]


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Say:
    """A message to show. `options` are buttons; `skip` adds the skip button."""

    text: str
    lang: str
    rtl: bool = False
    step: str | None = None
    input: InputKind = "none"
    options: tuple[Option, ...] = ()
    skip: Option | None = None
    done: Option | None = None
    selected: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnswerRecorded:
    key: str
    kind: str
    value: str | None


@dataclass(frozen=True)
class FeedbackSubmitted:
    """One anonymous record: no ids, no names, no times. Services scrub and store it."""

    flow_id: str
    flow_version: int
    age_band: str
    language: str
    service: str | None
    answers: tuple[tuple[str, str, str], ...] = field(default=())


@dataclass(frozen=True)
class HandoffRequested:
    reason: str
    age_band: str | None
    language: str
    service: str | None
    urgent: bool = False  # danger right now: the top of the workers' list
    # Before ordinary requests, after urgent ones: e.g. not feeling safe at a service.
    priority: bool = False
    # For a danger signal: the category and the phrase file and line that matched, for
    # the audit (a safeguarding lead can see why); never the young person's words.
    rule: str | None = None


@dataclass(frozen=True)
class LanguageChanged:
    language: str


@dataclass(frozen=True)
class DataDeletionRequested:
    """Delete the session, open cases and mappings. Submitted feedback cannot be found."""


@dataclass(frozen=True)
class UpdatesRequested:
    """Show the published "you said, we did" updates of `service` (the edge reads them)."""

    service: str | None
    age_band: str | None


@dataclass(frozen=True)
class SubscribeRequested:
    """The young person asked to hear about new updates of `service`. The edge keeps only
    the chat's pseudonymous key with it, never a link to anything they answered."""

    service: str | None
    age_band: str | None


@dataclass(frozen=True)
class Ended:
    submitted: bool


Event = (
    Say
    | AnswerRecorded
    | FeedbackSubmitted
    | HandoffRequested
    | LanguageChanged
    | (DataDeletionRequested | Ended)
    | (UpdatesRequested | SubscribeRequested)
)
