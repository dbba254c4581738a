"""One Telegram update, reduced to what SafeVoice needs, whatever library parsed it.

Both adapters (aiogram, python-telegram-bot) build an `Incoming` from their own types,
so everything after parsing is shared. What is deliberately left out: names, usernames,
phone numbers, locations, file ids (of staff too: a worker's Telegram name is never
read). A contact or a location becomes only the kind "contact" / "location"; its
content is never read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: str


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
