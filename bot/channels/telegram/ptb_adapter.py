"""The python-telegram-bot adapter (`[telegram] library = "ptb"`): PTB's Bot does the
Bot API calls, its types are reduced to `Incoming`. Everything after that is shared
with the aiogram adapter; PTB's Application and ConversationHandler are not used.
getUpdates returns raw JSON, parsed update by update (PTB's own method parses the batch
as a whole, and logs its full content when one update fails)."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Sequence
from typing import Any, TypeVar

import httpx
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatAction
from telegram.error import NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.request import HTTPXRequest

from bot.channels.telegram.forum_calls import SharedCalls
from bot.channels.telegram.incoming import OTHER_KINDS, Button, Incoming, typed
from bot.channels.telegram.plain_updates import read_plain
from bot.channels.telegram.render import Keyboard
from bot.channels.telegram.transport import (
    Flood,
    Permanent,
    Transient,
    Unreadable,
    update_kind,
)

__all__ = ["PtbTransport", "from_update"]

T = TypeVar("T")
ALLOWED_UPDATES = ["message", "callback_query"]
SEND_CONNECTIONS = 100
# PTB's 4xx errors (BadRequest, Forbidden, ...) subclass NetworkError: test those first.
_PERMANENT_NAMES = ("BadRequest", "Forbidden", "InvalidToken", "Conflict", "ChatMigrated")


async def _call(awaitable: Awaitable[T]) -> T:
    try:
        return await awaitable
    except RetryAfter as exc:
        # The private timedelta: the public property warns about int/timedelta in v22.
        raise Flood(exc._retry_after.total_seconds()) from None
    except TelegramError as exc:
        name = type(exc).__name__
        if isinstance(exc, NetworkError) and name not in _PERMANENT_NAMES:
            raise Transient(name, unknown=_maybe_performed(exc)) from None
        raise Permanent(name) from None


def _maybe_performed(exc: NetworkError) -> bool:
    """Whether the request may have been performed though no answer came: not when
    Telegram answered (5xx), nor when the connection or a pooled one was never had."""
    cause = exc.__cause__
    if isinstance(exc, TimedOut):
        return not isinstance(cause, httpx.PoolTimeout | httpx.ConnectTimeout)
    if isinstance(cause, httpx.HTTPError):
        return not isinstance(cause, httpx.ConnectError)
    return False  # an HTTP status from the server: it answered


def _markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    if not keyboard:
        return None
    rows = [[InlineKeyboardButton(b.label, callback_data=b.data) for b in r] for r in keyboard]
    return InlineKeyboardMarkup(rows)


def _message(update_id: int, message: Message) -> Incoming:
    chat = message.chat
    if chat.type != "private":
        # A group can only be the staff desk; the channel routes it by chat id.
        return _group(update_id, message)
    common: dict[str, Any] = {
        "chat_id": chat.id,
        "chat_type": chat.type,
        "message_id": message.message_id,
        "language_code": message.from_user.language_code if message.from_user else None,
    }
    if message.text is not None:
        return typed(update_id, message.text, common)
    # Which kind only; `photo` is an empty tuple on PTB when absent, hence the truth test.
    other = next((k for k in OTHER_KINDS if getattr(message, k, None)), "other")
    return Incoming(update_id, "other", other=other, **common)


def _group(update_id: int, message: Message) -> Incoming:
    """A message in a group: the sender's id and the topic, never the sender's name.
    Service messages (topic created, member joined) and posts on behalf of a chat (an
    anonymous admin, a linked channel: nobody to check) carry no user id."""
    sender = message.from_user
    person = sender is not None and not sender.is_bot and message.sender_chat is None
    common: dict[str, Any] = {
        "chat_id": message.chat.id,
        "chat_type": message.chat.type,
        "message_id": message.message_id,
        "user_id": sender.id if person and sender is not None else 0,
        "thread_id": message.message_thread_id if message.is_topic_message else None,
    }
    if message.text is not None:
        return typed(update_id, message.text, common)
    other = next((k for k in OTHER_KINDS if getattr(message, k, None)), None)
    if other is None:
        return Incoming(update_id, "ignored", **common)
    return Incoming(update_id, "other", other=other, **common)


def from_update(update: Update) -> Incoming:
    if update.message is not None:
        return _message(update.update_id, update.message)
    query = update.callback_query
    if query is None or query.message is None or query.message.chat.type != "private":
        return Incoming(update.update_id, "ignored")
    shown = query.message if isinstance(query.message, Message) else None
    rows: tuple[tuple[Button, ...], ...] = ()
    if shown is not None and shown.reply_markup is not None:
        rows = tuple(
            tuple(Button(b.text, str(b.callback_data or "")) for b in row)
            for row in shown.reply_markup.inline_keyboard
        )
    return Incoming(
        update.update_id,
        "button",
        chat_id=query.message.chat.id,
        chat_type=query.message.chat.type,
        message_id=query.message.message_id,
        language_code=query.from_user.language_code,
        callback_id=query.id,
        data=query.data or "",
        shown_text=(shown.text or "") if shown else "",
        shown_buttons=rows,
    )


class PtbTransport(SharedCalls):
    call = staticmethod(_call)
    markup = staticmethod(_markup)

    def __init__(self, token: str, api_base: str = "https://api.telegram.org") -> None:
        # Opt in to PTB's coming timedelta periods: otherwise PTB itself warns on every 429.
        os.environ.setdefault("PTB_TIMEDELTA", "1")
        base = api_base.rstrip("/")
        # PTB's default is one connection for every call but getUpdates: one slow answer
        # would hold every chat's replies back, and the bot under 30/s whenever the round
        # trip to Telegram is over 33 ms. aiogram's session allows 100.
        request = HTTPXRequest(connection_pool_size=SEND_CONNECTIONS)
        self.bot = Bot(token, base_url=f"{base}/bot", base_file_url=f"{base}/file/bot",
                       request=request)  # fmt: skip

    async def start(self) -> None:
        await _call(self.bot.initialize())

    async def get_updates(self, offset: int | None, timeout: int) -> list[dict[str, Any]]:
        data = {"offset": offset, "timeout": timeout, "allowed_updates": ALLOWED_UPDATES}
        # `_post` is Bot.get_updates without its parsing (PTB has no public raw call for
        # getUpdates: do_api_request warns that the method exists).
        updates = await _call(self.bot._post("getUpdates", data, read_timeout=timeout + 10))
        return [u for u in updates if isinstance(u, dict)] if isinstance(updates, list) else []

    def parse(self, update: dict[str, Any]) -> Incoming:
        plain = read_plain(update)  # a typed text or a press, read without the models
        if plain is not None:
            return plain
        try:
            return from_update(Update.de_json(update, self.bot))
        except Exception as exc:  # whatever the library raises: the update is unreadable
            raise Unreadable(update_kind(update), type(exc).__name__) from None

    async def edit_message(
        self, chat_id: int, message_id: int, text: str, keyboard: Keyboard
    ) -> None:
        await _call(
            self.bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, reply_markup=_markup(keyboard)
            )
        )

    async def delete_messages(self, chat_id: int, message_ids: Sequence[int]) -> None:
        await _call(self.bot.delete_messages(chat_id, list(message_ids)))

    async def answer_callback(self, callback_id: str, text: str | None) -> None:
        await _call(self.bot.answer_callback_query(callback_id, text=text))

    async def send_typing(self, chat_id: int) -> None:
        await _call(self.bot.send_chat_action(chat_id, ChatAction.TYPING))

    async def set_commands(
        self, commands: Sequence[tuple[str, str]], language_code: str | None
    ) -> None:
        menu = [BotCommand(name, text) for name, text in commands]
        await _call(self.bot.set_my_commands(menu, language_code=language_code))

    async def set_webhook(self, url: str, secret_token: str) -> None:
        await _call(
            self.bot.set_webhook(url, secret_token=secret_token, allowed_updates=ALLOWED_UPDATES)
        )

    async def delete_webhook(self) -> None:
        await _call(self.bot.delete_webhook(drop_pending_updates=False))

    async def close(self) -> None:
        await self.bot.shutdown()
