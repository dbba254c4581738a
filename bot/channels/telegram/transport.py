"""What an adapter (aiogram, python-telegram-bot) provides: a few Bot API calls and a
parser. Errors are turned into three kinds so the sender decides once, for both."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from bot.channels.telegram.incoming import Incoming
from bot.channels.telegram.render import Keyboard
from bot.errors import SafeVoiceError

__all__ = ["Flood", "Permanent", "Transient", "Transport", "TransportError", "markup"]


class TransportError(SafeVoiceError):
    """A Bot API call failed. Messages name the method only, never chat data."""


class Flood(TransportError):
    """429: wait `retry_after` seconds before calling again."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"Telegram asks us to wait {retry_after:g} s")
        self.retry_after = retry_after


class Transient(TransportError):
    """5xx or a network error: worth trying again after a pause."""


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

    async def get_updates(self, offset: int | None, timeout: int) -> list[Incoming]:
        """Updates from `offset` on, parsed. Confirms (drops) those below `offset`."""

    def parse(self, update: dict[str, Any]) -> Incoming | None:
        """A webhook update's JSON, parsed; None when it is not an update at all."""

    async def send_message(
        self, chat_id: int, text: str, keyboard: Keyboard, thread_id: int | None = None
    ) -> int:
        """The new message's id. `thread_id`: a forum topic of a supergroup."""

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
