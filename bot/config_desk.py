"""`[desk]` of config.toml: the worker tools (approved replies, case categories and
outcomes, blocking, who is on duty). Read by `bot.config.Config`; see docs/config.md."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["Desk", "Reply"]

_ID = re.compile(r"^[a-z0-9_]{1,40}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reply(_Strict):
    """An approved reply: a title for staff, the text in each language the young people
    speak. The worker picks it, may change it, and sends it as their own message."""

    title: str = Field(min_length=1, max_length=80)
    text: dict[str, str]

    @field_validator("text")
    @classmethod
    def _has_text(cls, value: dict[str, str]) -> dict[str, str]:
        if not any(words.strip() for words in value.values()):
            msg = 'give the reply a text, e.g. text = { en = "I am here to listen." }'
            raise ValueError(msg)
        if any(len(words) > 4000 for words in value.values()):
            msg = "a reply can have at most 4000 characters (one message)"
            raise ValueError(msg)
        return value


def _ids(value: dict[str, str], what: str) -> dict[str, str]:
    for key, label in value.items():
        if not _ID.match(key):
            msg = f"{what} {key!r}: use lower-case letters, digits and _ (at most 40)"
            raise ValueError(msg)
        if not label.strip():
            msg = f"{what} {key!r} needs a label staff can read"
            raise ValueError(msg)
    return value


class Desk(_Strict):
    # "hours": workers are taken to be there whenever the office hours say so.
    # "workers": also at least one worker must have said "I am on duty" on a desk, or
    # nobody is promised an answer soon (they get the helplines and "as soon as they can").
    on_duty: Literal["hours", "workers"] = "hours"
    duty_hours: int = Field(default=8, ge=1, le=24)  # how long "I am on duty" lasts
    # The lengths a worker may block an abusive sender for, in hours.
    block_hours: tuple[int, ...] = Field(default=(1, 24, 168), min_length=1)
    replies: dict[str, Reply] = Field(default_factory=dict)
    # Chosen when a case is closed; counted on the dashboard like feedback (with the same
    # small-group suppression). Keys are stored, labels shown.
    categories: dict[str, str] = Field(default_factory=dict)
    outcomes: dict[str, str] = Field(default_factory=dict)

    @field_validator("block_hours")
    @classmethod
    def _hours(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(not 1 <= hours <= 24 * 90 for hours in value):
            msg = "each block length is 1 to 2160 hours (90 days)"
            raise ValueError(msg)
        return tuple(sorted(set(value)))

    @field_validator("replies")
    @classmethod
    def _reply_ids(cls, value: dict[str, Reply]) -> dict[str, Reply]:
        _ids({key: reply.title for key, reply in value.items()}, "reply")
        return value

    @model_validator(mode="after")
    def _labels(self) -> Desk:
        _ids(self.categories, "category")
        _ids(self.outcomes, "outcome")
        return self

    def reply_text(self, reply_id: str, lang: str, source: str) -> tuple[str, str] | None:
        """The reply in `lang` (or the source language): (language used, text)."""
        reply = self.replies.get(reply_id)
        if reply is None:
            return None
        for chosen in (lang, source):
            if reply.text.get(chosen, "").strip():
                return chosen, reply.text[chosen]
        chosen, text = next((k, v) for k, v in reply.text.items() if v.strip())
        return chosen, text
