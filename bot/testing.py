"""`ScriptedChat`: a whole conversation in a test, through the real service and stores.

    chat = ScriptedChat.from_config("config.toml")
    await chat.start("en", band="13-15")
    await chat.click("Give feedback")
    await chat.send("I liked the food")
    await chat.command("privacy")
    print("\\n".join(chat.transcript))
    chat.records   # what landed in the (in-memory SQLite) feedback store

Only the edges are replaced (STYLE point 9): sessions in memory (through JSON, like
Redis), feedback in SQLite, handoffs on a memory desk. The engine, the conversation
service and the stores are the ones production runs. The clock (`today`) and record
ids are fixed, so a transcript is the same on every run and every machine.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from types import TracebackType

from bot.app import App, load_app
from bot.channels.console import start_preset
from bot.channels.render import Message, choose, last_question, lines, render
from bot.engine.events import (
    DataDeletionRequested,
    Event,
    FeedbackSubmitted,
    HandoffRequested,
    LanguageChanged,
)
from bot.engine.inputs import Input
from bot.errors import SafeVoiceError
from bot.runtime import Fixed, build_runtime
from bot.services.feedback import FeedbackService
from bot.storage.cases import Case
from bot.storage.feedback import FeedbackStore
from bot.storage.records import FeedbackRecord

__all__ = ["DEFAULT_TODAY", "ScriptError", "ScriptedChat", "describe_feedback"]

# A Wednesday: ISO week 2026-W03, well inside one year, so no week-53 surprises.
DEFAULT_TODAY = dt.date(2026, 1, 14)
_SECRET = b"scripted-chat-not-a-real-secret"
CHANNEL = "scripted"


class ScriptError(SafeVoiceError):
    """The script asked for something the chat cannot do, like a button that is not there."""


class _NumberedFeedback(FeedbackService):
    """Record ids 000…001, 000…002, … instead of random ones, for stable transcripts."""

    def __init__(self, store: FeedbackStore, today: dt.date) -> None:
        super().__init__(store, today=lambda: today)
        self.issued = 0

    def record(self, event: FeedbackSubmitted, record_id: str | None = None) -> FeedbackRecord:
        self.issued += 1
        return replace(super().record(event), id=f"{self.issued:032x}")


def describe_feedback(event: FeedbackSubmitted) -> str:
    """One line for a transcript: where the record came from and what it holds."""
    answers = []
    for key, kind, value in event.answers:
        shown = json.dumps(value, ensure_ascii=False) if kind == "text" else value
        answers.append(f"{key}={shown}")
    where = ", ".join(
        [f"{event.flow_id} v{event.flow_version}", event.age_band, event.language]
        + ([event.service] if event.service else [])
    )
    return f"  (feedback recorded: {where}: {'; '.join(answers) or 'no answers'})"


def _visible(text: str) -> str:
    """Typed text with control and format characters spelled out, so a transcript that
    tests a bidi override does not itself display reversed in a reviewer's diff."""
    return "".join(
        f"\\u{ord(ch):04x}" if unicodedata.category(ch) in ("Cc", "Cf", "Cs") else ch for ch in text
    )


class ScriptedChat:
    """A young person's chat, driven by a script; `transcript` holds what both sides said."""

    def __init__(
        self,
        app: App,
        *,
        today: dt.date = DEFAULT_TODAY,
        database_url: str = "sqlite://",
        user_id: str = "young-person-1",
    ) -> None:
        self.app = app
        self.user_id = user_id
        # The real services on memory stores (the runtime's "test" mode), with the clock,
        # case labels and record ids pinned so transcripts repeat exactly.
        self.runtime = build_runtime(
            app.with_secret(_SECRET),
            "test",
            database_url=database_url,
            fixed=Fixed(
                clock=lambda: dt.datetime.combine(today, dt.time(10, 0), dt.UTC),
                rng=random.Random(0),  # noqa: S311 - labels in transcripts, not secrets
                feedback=lambda store: _NumberedFeedback(store, today),
            ),
        )
        self.store = self.runtime.store
        self.sessions = self.runtime.sessions
        self.cases = self.runtime.cases
        self.conversation = self.runtime.conversation
        self.transcript: list[str] = []
        # What the last turn showed, and every question asked so far (oldest first).
        self.messages: list[Message] = []
        self.questions: list[Message] = []

    @classmethod
    def from_config(
        cls, config_path: str | Path | None = None, *, today: dt.date = DEFAULT_TODAY
    ) -> ScriptedChat:
        return cls(load_app(config_path), today=today)

    # -- what the young person does ---------------------------------------------------------
    async def start(self, lang: str | None = None, band: str | None = None) -> list[Message]:
        """Begin. With `band`, the language and age band are chosen already (like
        `safevoice chat`) and the chat opens at the band's welcome; without it, the
        start flow asks for both."""
        lang = lang or self.app.config.languages.source
        if band is None:
            return await self.command("start")
        self.transcript.append(f"(start: language {lang}, age band {band})")
        events = await start_preset(self.conversation, CHANNEL, self.user_id, lang, band)
        return self._show(events)

    async def send(self, text: str) -> list[Message]:
        """Type `text` and send it."""
        self.transcript.append(f"YOU: {_visible(text)}")
        return await self._turn(Input.text(text))

    async def click(self, label: str, *, earlier: int = 0) -> list[Message]:
        """Press a button by its label, value or number, as a channel would: signed with
        the step that showed it. `earlier=1` presses one on the question before the last
        (an old message still on screen)."""
        if earlier < 0 or earlier >= len(self.questions):
            msg = f"there is no question {earlier} back to click on"
            raise ScriptError(msg)
        asked = self.questions[-1 - earlier]
        button = choose(asked, label)
        if button is None:
            shown = ", ".join(repr(b.label) for b in asked.buttons) or "none"
            msg = f"no button {label!r} on {asked.text!r}; its buttons: {shown}"
            raise ScriptError(msg)
        note = f" (on an earlier question: {asked.text})" if earlier else ""
        self.transcript.append(f"YOU: [{button.label}]{note}")
        return await self._turn(Input.button(button.value, button.step))

    async def command(self, name: str) -> list[Message]:
        """Use a command such as `privacy`, `person`, `forget` or `stop` (no slash)."""
        name = name.removeprefix("/")
        self.transcript.append(f"YOU: /{name}")
        return await self._turn(Input.command(name))

    # -- what the test looks at -------------------------------------------------------------
    @property
    def question(self) -> Message | None:
        """The question waiting for an answer, if the last turn asked one."""
        return last_question(self.messages)

    @property
    def records(self) -> list[FeedbackRecord]:
        """Every stored feedback record, in the order they were submitted."""
        return list(self.store.iter_records())

    async def handoffs(self) -> list[Case]:
        """Open requests for a person, as the worker desks see them."""
        return await self.cases.queue()

    def text(self) -> str:
        return "\n".join(self.transcript) + "\n"

    def close(self) -> None:
        self.store.close()

    async def __aenter__(self) -> ScriptedChat:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.runtime.close()

    # -- inside ------------------------------------------------------------------------------
    async def _turn(self, inp: Input) -> list[Message]:
        reply = await self.conversation.handle(CHANNEL, self.user_id, inp)
        if reply.relayed:
            self.transcript.append("  (sent to the worker on the open case)")
        return self._show(reply.events)

    def _show(self, events: Sequence[Event]) -> list[Message]:
        for event in events:
            if isinstance(event, FeedbackSubmitted):
                self.transcript.append(describe_feedback(event))
            elif isinstance(event, HandoffRequested):
                how = ", urgent" if event.urgent else ", priority" if event.priority else ""
                self.transcript.append(f"  (person requested: {event.reason}{how})")
            elif isinstance(event, DataDeletionRequested):
                self.transcript.append("  (data deleted)")
            elif isinstance(event, LanguageChanged):
                self.transcript.append(f"  (language: {event.language})")
            else:
                for message in render([event]):
                    self.transcript.extend(lines(message))
                    if message.asks:
                        self.questions.append(message)
        self.messages = render(events)
        return self.messages
