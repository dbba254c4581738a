"""Engine events turned into plain data and plain text, ready for any channel to send.

Rendering is kept apart from sending (STYLE point 9): the console, the scripted test
chat and the web preview all print the same `Message`, so a golden transcript shows
exactly what a young person would see in a terminal, minus the terminal's bidi marks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.engine.events import Event, Say
from bot.flows.steps.base import fold
from bot.i18n.rtl import isolate, visual_order
from bot.inputs import number_of

__all__ = ["Button", "Message", "choose", "last_question", "lines", "render"]

# Right-to-left isolate / pop directional isolate: a terminal that does bidi shows the
# Arabic text right to left without reordering the numbers and brackets around it.
_RLI, _PDI = "\u2067", "\u2069"
SKIP_WORDS = ("s", "skip")
DONE_WORDS = ("d", "done")


@dataclass(frozen=True)
class Button:
    """One button. `number` is what a person types for it; skip and done have none."""

    label: str
    value: str
    step: str | None
    number: int | None = None
    selected: bool = False


@dataclass(frozen=True)
class Message:
    text: str
    lang: str
    rtl: bool = False
    step: str | None = None
    options: tuple[Button, ...] = ()
    skip: Button | None = None
    done: Button | None = None

    @property
    def asks(self) -> bool:
        """True when this message waits for an answer (it has a step)."""
        return self.step is not None

    @property
    def buttons(self) -> tuple[Button, ...]:
        extra = tuple(b for b in (self.done, self.skip) if b is not None)
        return self.options + extra


def _message(say: Say) -> Message:
    options = tuple(
        Button(o.label, o.value, say.step, number, o.value in say.selected)
        for number, o in enumerate(say.options, start=1)
    )
    skip = Button(say.skip.label, say.skip.value, say.step) if say.skip else None
    done = Button(say.done.label, say.done.value, say.step) if say.done else None
    return Message(say.text, say.lang, say.rtl, say.step, options, skip, done)


def render(events: Iterable[Event]) -> list[Message]:
    """The messages among `events`, in order; other events are for services, not people."""
    return [_message(event) for event in events if isinstance(event, Say)]


def lines(message: Message, *, terminal: bool = False, visual: bool = False) -> list[str]:
    """`BOT: text`, then `  [1] Option` per option and `  [Skip]` / `  [Done]`.

    With `terminal`, right-to-left text is wrapped in bidi isolates and the skip and
    done buttons show the letter that presses them. With `visual` as well, right-to-left
    text is reordered for terminals without bidi support instead (bot.i18n.rtl).
    """

    def mark(text: str) -> str:
        if not (terminal and message.rtl):
            return text
        if visual:
            return visual_order(text)
        # Inside, numbers and /commands keep their order (see bot.i18n.rtl).
        return _RLI + isolate(text, True) + _PDI

    out = [f"BOT: {mark(message.text)}"]
    for button in message.options:
        tick = "✓ " if button.selected else ""
        out.append(f"  [{button.number}] {tick}{mark(button.label)}")
    for extra, letter in ((message.done, "d"), (message.skip, "s")):
        if extra is not None:
            out.append(f"  [{letter}] {mark(extra.label)}" if terminal else f"  [{extra.label}]")
    return out


def choose(message: Message, typed: str) -> Button | None:
    """The button `typed` names: its number, its value, its label, or s/skip and d/done.

    None means the words are an answer in their own right (free text, "1, 3" for several
    options), and go to the engine as typed.
    """
    wanted = fold(typed).strip(" .)[]")
    if not wanted:
        return None
    if message.skip and wanted in (*SKIP_WORDS, fold(message.skip.label)):
        return message.skip
    if message.done and wanted in (*DONE_WORDS, fold(message.done.label)):
        return message.done
    number = number_of(wanted)  # any script's digits: ٣ and ３ are 3; ² is no number
    for button in message.options:
        by_number = number is not None and number == button.number
        if by_number or wanted in (button.value, fold(button.label)):
            return button
    return None


def last_question(messages: Sequence[Message]) -> Message | None:
    return next((m for m in reversed(messages) if m.asks), None)
