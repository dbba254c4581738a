"""What a young person did: typed text, pressed a button, or used a command."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# Commands reachable from every step (DESIGN: person, language, privacy, delete my data, stop).
COMMANDS = ("start", "menu", "person", "language", "privacy", "forget", "stop", "skip", "help")


@dataclass(frozen=True)
class Input:
    kind: Literal["text", "button", "command"]
    value: str
    # For buttons: the step that showed the button, so an old button is recognised.
    step: str | None = None

    @classmethod
    def text(cls, value: str) -> Input:
        return cls("text", value)

    @classmethod
    def button(cls, value: str, step: str | None = None) -> Input:
        return cls("button", value, step)

    @classmethod
    def command(cls, name: str) -> Input:
        return cls("command", name)
