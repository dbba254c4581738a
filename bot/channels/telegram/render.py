"""Engine events -> what to do on Telegram, as plain data (STYLE point 9).

`render()` is pure: no network, no clock. The sender carries its result out, and tests
assert on it directly. Statements before a question are joined to it, so a turn costs
one or two messages instead of five (kinder to Telegram's per-chat limit, and easier to
read on a small phone).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.channels.telegram.incoming import Button
from bot.engine.events import DataDeletionRequested, Event, Say

__all__ = [
    "MAX_TEXT",
    "AnswerCallback",
    "ClearChat",
    "Context",
    "CopyMessage",
    "EditMessage",
    "Outgoing",
    "OutgoingMessage",
    "Pressed",
    "Typing",
    "render",
    "split_text",
]

MAX_TEXT = 4096
CHECK = "✓ "
Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    chat_id: int
    text: str
    keyboard: Keyboard = ()
    thread_id: int | None = None  # a forum topic (the staff desk); None: the main chat


@dataclass(frozen=True, slots=True)
class EditMessage:
    chat_id: int
    message_id: int
    text: str
    keyboard: Keyboard = ()


@dataclass(frozen=True, slots=True)
class ClearChat:
    """Delete messages `first_id`.. up to the newest the bot knows of (deleteMessages)."""

    chat_id: int
    first_id: int
    last_id: int


@dataclass(frozen=True, slots=True)
class CopyMessage:
    """copyMessage: a message the young person chose to send, copied from their chat to
    the staff desk's topic by Telegram itself (SafeVoice never downloads the file)."""

    chat_id: int  # where it goes: the staff group
    from_chat_id: int
    message_id: int
    thread_id: int | None = None


@dataclass(frozen=True, slots=True)
class AnswerCallback:
    callback_id: str
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Typing:
    chat_id: int


Outgoing = OutgoingMessage | EditMessage | ClearChat | CopyMessage | AnswerCallback | Typing


@dataclass(frozen=True, slots=True)
class Pressed:
    """The question message whose button was pressed, as the young person saw it."""

    message_id: int
    shown_text: str
    label: str | None
    step: str | None
    # The button belonged to an earlier question (the engine re-asks the current one).
    stale: bool = False


@dataclass(frozen=True, slots=True)
class Context:
    chat_id: int
    # (step, value) -> callback data; signing needs the secret, so it is handed in.
    sign: Callable[[str | None, str], str]
    pressed: Pressed | None = None
    # (first, last) message ids to delete when the young person asks to clear the chat.
    clear: tuple[int, int] | None = None


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Pieces of at most `limit` characters, cut at a line break or space where possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit + 1)
        if cut <= limit // 2:
            cut = text.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit  # one very long word: cut it, Telegram would refuse it whole
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text or not pieces:
        pieces.append(text)
    return pieces


# A choice with more short options than this is laid out two a row (the language list).
LONG_LIST = 6


def keyboard(say: Say, sign: Callable[[str | None, str], str]) -> Keyboard:
    rows: list[tuple[Button, ...]] = []
    buttons = [
        Button((CHECK if o.value in say.selected else "") + o.label, sign(say.step, o.value))
        for o in say.options
    ]
    short = all(len(o.label) <= 12 for o in say.options)
    if say.input == "scale" or (say.input == "yes_no" and short):
        rows.append(tuple(buttons))  # faces and numbers read best side by side
    elif say.input == "choice" and len(buttons) > LONG_LIST and short:
        # Eighteen languages one per row would fill three phone screens; two a row fit
        # "Norsk bokmål" whole on a narrow phone, where three would cut it short.
        rows.extend(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
    else:
        rows.extend((button,) for button in buttons)
    extra = [o for o in (say.done, say.skip) if o is not None]
    if extra:
        rows.append(tuple(Button(o.label, sign(say.step, o.value)) for o in extra))
    return tuple(rows)


def _messages(says: Sequence[Say], ctx: Context) -> list[tuple[str, Keyboard, Say]]:
    """Join statements to the question that follows them; each question ends a message."""
    out: list[tuple[str, Keyboard, Say]] = []
    pending: list[str] = []
    for say in says:
        pending.append(say.text)
        joined = "\n\n".join(pending)
        if say.options:
            if len(joined) > MAX_TEXT and len(pending) > 1:
                out.append(("\n\n".join(pending[:-1]), (), say))
                joined = say.text
            out.append((joined, keyboard(say, ctx.sign), say))
            pending = []
    if pending:
        out.append(("\n\n".join(pending), (), says[-1]))
    return out


def render(events: Sequence[Event], ctx: Context) -> list[Outgoing]:
    """What to send for one turn, in order."""
    actions: list[Outgoing] = []
    says = [event for event in events if isinstance(event, Say)]
    messages = _messages(says, ctx)
    clearing = ctx.clear is not None and any(
        isinstance(event, DataDeletionRequested) for event in events
    )
    if clearing and ctx.clear is not None:
        # The question message goes too, so it is not edited first.
        actions.append(ClearChat(ctx.chat_id, *ctx.clear))
    elif ctx.pressed is not None:
        pressed = ctx.pressed
        first = messages[0][2] if messages else None
        toggled = (
            not pressed.stale
            and first is not None
            and first.input == "multi"
            and first.step == pressed.step
            and len(says) == 1
        )
        if toggled:
            # A multiple choice in progress: tick the button in place, no new message.
            text, keys, _ = messages.pop(0)
            actions.append(EditMessage(ctx.chat_id, pressed.message_id, text, keys))
        elif pressed.stale or pressed.label is None:
            actions.append(EditMessage(ctx.chat_id, pressed.message_id, pressed.shown_text))
        else:
            shown = f"{pressed.shown_text}\n\n{CHECK}{pressed.label.removeprefix(CHECK)}"
            actions.append(EditMessage(ctx.chat_id, pressed.message_id, shown[:MAX_TEXT]))
    for text, keys, _ in messages:
        pieces = split_text(text)
        for piece in pieces[:-1]:
            actions.append(OutgoingMessage(ctx.chat_id, piece))
        actions.append(OutgoingMessage(ctx.chat_id, pieces[-1], keys))
    return actions
