"""One Telegram update, reduced to what SafeVoice needs, whatever library parsed it.

Both adapters (aiogram, python-telegram-bot) build an `Incoming` from their own types,
so everything after parsing is shared. What is deliberately left out: names, usernames,
phone numbers, locations, file ids (of staff too: a worker's Telegram name is never
read). A contact or a location becomes only the kind "contact" / "location"; its
content is never read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from bot.inputs import clean_text

Kind = Literal["text", "command", "button", "other", "ignored"]

# Kinds of message we answer with a friendly "I can only read words" (never downloaded).
OTHER_KINDS = (
    "sticker",
    "photo",
    "voice",
    "audio",
    "video",
    "video_note",
    "animation",
    "document",
    "location",
    "venue",
    "contact",
    "poll",
    "dice",
)


class WrongField(TypeError):
    """A parsed update holds a value of the wrong type. PTB's `de_json` does not check
    types (`"language_code": 1` stays an int), so both adapters' results are checked
    here, once. The message names the fields, never their values."""


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@cache
def _fields(spec: str) -> tuple[str, ...]:
    return tuple(spec.split())


def _check(
    obj: object, ints: str = "", texts: str = "", maybe_ints: str = "", maybe_texts: str = ""
) -> None:
    """Raise WrongField unless the named fields (space-separated) have their types."""
    wrong = [n for n in _fields(ints) if not _is_int(getattr(obj, n))]
    wrong += [n for n in _fields(texts) if not isinstance(getattr(obj, n), str)]
    wrong += [n for n in _fields(maybe_ints) if not _maybe_int(getattr(obj, n))]
    wrong += [n for n in _fields(maybe_texts) if not isinstance(getattr(obj, n), str | None)]
    if wrong:
        msg = f"an update's {', '.join(wrong)} have the wrong type"
        raise WrongField(msg)


def _maybe_int(value: object) -> bool:
    return value is None or _is_int(value)


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: str

    def __post_init__(self) -> None:
        # Checked directly: a pressed keyboard of 18 languages makes 18 of these per update.
        if not (isinstance(self.label, str) and isinstance(self.data, str)):
            _check(self, texts="label data")


@dataclass(frozen=True, slots=True)
class Incoming:
    update_id: int
    kind: Kind
    chat_id: int = 0
    # "private", "group", "supergroup", "channel": clearing a chat only in private ones.
    chat_type: str = "private"
    # The message this update is about (the young person's, or the bot's for a button).
    message_id: int | None = None
    text: str = ""
    language_code: str | None = None
    # Buttons: the query id to answer, the pressed data, and the question message as shown.
    callback_id: str | None = None
    data: str = ""
    shown_text: str = ""
    shown_buttons: tuple[tuple[Button, ...], ...] = ()
    # For kind "other": which kind of thing was sent (never its content).
    other: str = ""
    # Group chats only (the staff desk): the sender's user id (0 when the message was sent
    # on behalf of a chat, e.g. by an anonymous admin), and the forum topic it was posted
    # in. Private chats leave both unset: a young person's id is the chat id, nothing more.
    user_id: int = 0
    thread_id: int | None = None

    def __post_init__(self) -> None:
        _check(
            self,
            ints="update_id chat_id user_id",
            texts="kind chat_type text data shown_text other",
            maybe_ints="message_id thread_id",
            maybe_texts="language_code callback_id",
        )
        if not all(isinstance(row, tuple) for row in self.shown_buttons):
            msg = "an update's buttons have the wrong type"
            raise WrongField(msg)

    def pressed_label(self) -> str | None:
        for row in self.shown_buttons:
            for button in row:
                if button.data == self.data:
                    return button.label
        return None


def split_command(text: str) -> tuple[str, str] | None:
    """`/start@SafeVoiceBot sh1` -> ("start", "sh1"); None when the text is not a command."""
    if not text.startswith("/") or len(text) < 2:
        return None
    head, _, rest = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    if not name.replace("_", "").isalnum():
        return None
    return name, rest.strip()


def typed(update_id: int, text: str, common: Mapping[str, Any]) -> Incoming:
    """A text message, read like typed text on every channel (`bot.inputs.clean_text`):
    NFC, without control or bidi-override characters. It is a command when it starts
    with "/", also when a keyboard put an invisible direction mark before the slash."""
    if not isinstance(text, str):
        msg = "an update's text has the wrong type"
        raise WrongField(msg)
    cleaned = clean_text(text)
    kind: Kind = "command" if cleaned.startswith("/") else "text"
    return Incoming(update_id, kind, text=cleaned, **common)
