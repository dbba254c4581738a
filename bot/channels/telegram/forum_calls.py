"""Bot API calls that aiogram and python-telegram-bot spell the same way in Python.

Each adapter keeps its own error translation (`call`) and keyboard type (`markup`);
the calls themselves are written once here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.channels.telegram.render import Keyboard


class SharedCalls:
    """Mixin for a transport with `bot` (the library's Bot), `call` and `markup`."""

    bot: Any
    call: Callable[[Awaitable[Any]], Awaitable[Any]]
    markup: Callable[[Keyboard], Any]

    async def send_message(
        self, chat_id: int, text: str, keyboard: Keyboard, thread_id: int | None = None
    ) -> int:
        sent = await self.call(
            self.bot.send_message(
                chat_id, text, message_thread_id=thread_id, reply_markup=self.markup(keyboard)
            )
        )
        return int(sent.message_id)

    async def copy_message(
        self, chat_id: int, from_chat_id: int, message_id: int, thread_id: int | None = None
    ) -> None:
        # protect_content: workers cannot forward or save what a young person sent.
        await self.call(
            self.bot.copy_message(
                chat_id, from_chat_id, message_id, message_thread_id=thread_id,
                protect_content=True,
            )
        )  # fmt: skip

    async def create_topic(self, chat_id: int, name: str) -> int:
        topic = await self.call(self.bot.create_forum_topic(chat_id, name))
        return int(topic.message_thread_id)

    async def edit_topic(self, chat_id: int, thread_id: int, name: str) -> None:
        await self.call(self.bot.edit_forum_topic(chat_id, thread_id, name=name))

    async def close_topic(self, chat_id: int, thread_id: int) -> None:
        await self.call(self.bot.close_forum_topic(chat_id, thread_id))

    async def delete_topic(self, chat_id: int, thread_id: int) -> None:
        await self.call(self.bot.delete_forum_topic(chat_id, thread_id))

    async def member_status(self, chat_id: int, user_id: int) -> tuple[str, bool]:
        member = await self.call(self.bot.get_chat_member(chat_id, user_id))
        # aiogram gives an enum, PTB a plain string (or a str enum): compare by value.
        status = str(getattr(member.status, "value", member.status))
        return status, bool(getattr(member, "is_member", status != "left"))
