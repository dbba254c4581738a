"""What an adapter (aiogram, python-telegram-bot) provides: a few Bot API calls and a
parser. Errors are turned into three kinds so the sender decides once, for both."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from bot.channels.telegram.incoming import Incoming
from bot.channels.telegram.render import Keyboard
from bot.errors import SafeVoiceError

__all__ = [
    "Flood",
    "Permanent",
    "Transient",
    "Transport",
    "TransportError",
    "Unreadable",
    "markup",
    "update_kind",
]


class TransportError(SafeVoiceError):
    """A Bot API call failed. Messages name the method only, never chat data."""


class Flood(TransportError):
    """429: wait `retry_after` seconds before calling again."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"Telegram asks us to wait {retry_after:g} s")
        self.retry_after = retry_after


class Transient(TransportError):
    """5xx or a network error: worth trying again after a pause.

    `unknown` is True when the request may have been performed all the same: it left,
    but no answer came (the connection dropped, a read timed out). A message sent again
    after that may arrive twice; a 5xx answer or a refused connection means it was not
    performed."""

    def __init__(self, name: str, *, unknown: bool = False) -> None:
        super().__init__(name)
        self.unknown = unknown


class Unreadable(TransportError):
    """An update the library could not parse. Names only: its kind, the error class."""

    def __init__(self, kind: str, error: str) -> None:
        super().__init__(f"an update ({kind}) could not be read ({error})")
        self.kind, self.error = kind, error


def update_kind(update: object) -> str:
    """Which kind of update a raw one is ("message", "callback_query"...): its first
    field besides the id. Never anything inside it."""
    if not isinstance(update, dict):
        return "unknown"
    kind = next((str(k) for k in update if k != "update_id"), "unknown")
    return kind if kind.isascii() and kind.replace("_", "").isalnum() else "unknown"


class Permanent(TransportError):
    """4xx other than 429 (blocked by the user, message gone, bad request): do not retry."""


def markup(keyboard: Keyboard) -> dict[str, Any] | None:
    """The Bot API's InlineKeyboardMarkup as JSON."""
    if not keyboard:
        return None
    rows = [[{"text": b.label, "callback_data": b.data} for b in row] for row in keyboard]
    return {"inline_keyboard": rows}


class Transport(Protocol):
    async def start(self) -> None:
        """Check the token with getMe (Permanent if Telegram refuses it)."""

    async def get_updates(self, offset: int | None, timeout: int) -> list[dict[str, Any]]:
        """Updates from `offset` on, as raw JSON: `parse()` reads them one by one, so one
        the library cannot read does not fail the batch. Confirms those below `offset`."""

    def parse(self, update: dict[str, Any]) -> Incoming:
        """One update's JSON, parsed; Unreadable when the library cannot read it."""

    async def send_message(
        self, chat_id: int, text: str, keyboard: Keyboard, thread_id: int | None = None
    ) -> int:
        """The new message's id. `thread_id`: a forum topic of a supergroup."""

    async def copy_message(
        self, chat_id: int, from_chat_id: int, message_id: int, thread_id: int | None = None
    ) -> None:
        """copyMessage, protected from forwarding and saving: Telegram copies the message
        (a photo, a place) from one chat to another; nothing is downloaded."""

    # -- the staff desk (a forum supergroup) ----------------------------------------------
    async def create_topic(self, chat_id: int, name: str) -> int:
        """createForumTopic: the new topic's message_thread_id."""

    async def edit_topic(self, chat_id: int, thread_id: int, name: str) -> None: ...

    async def close_topic(self, chat_id: int, thread_id: int) -> None: ...

    async def delete_topic(self, chat_id: int, thread_id: int) -> None: ...

    async def member_status(self, chat_id: int, user_id: int) -> tuple[str, bool]:
        """getChatMember: (status, is_member). Never the member's name."""

    async def edit_message(
        self, chat_id: int, message_id: int, text: str, keyboard: Keyboard
    ) -> None: ...

    async def delete_messages(self, chat_id: int, message_ids: Sequence[int]) -> None: ...

    async def answer_callback(self, callback_id: str, text: str | None) -> None: ...

    async def send_typing(self, chat_id: int) -> None: ...

    async def set_commands(
        self, commands: Sequence[tuple[str, str]], language_code: str | None
    ) -> None: ...

    async def set_webhook(self, url: str, secret_token: str) -> None: ...

    async def delete_webhook(self) -> None: ...

    async def close(self) -> None: ...
