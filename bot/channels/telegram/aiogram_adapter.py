"""The aiogram 3 adapter: aiogram's Bot and HTTP session do the Bot API calls; its
types are reduced to `Incoming` at once. Polling is ours (see polling.py) because
aiogram's dispatcher confirms an update before its handler has saved anything, and
getUpdates returns raw JSON, parsed update by update: aiogram's own method validates
the batch as a whole, so one update it cannot read would fail them all, forever."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import Any, TypeVar

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import GetUpdates
from aiogram.types import (
    BotCommand,
    BotCommandScopeDefault,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from aiohttp import ClientConnectorError

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

__all__ = ["ALLOWED_UPDATES", "AiogramTransport", "from_update"]

T = TypeVar("T")
ALLOWED_UPDATES = ["message", "callback_query"]


class _RawGetUpdates(GetUpdates):
    """getUpdates answered as plain JSON (a list of dicts), not validated as one batch."""

    __returning__ = list[dict[str, Any]]


async def _call(awaitable: Awaitable[T]) -> T:
    """aiogram's errors as the sender's three kinds; class names only, no descriptions."""
    try:
        return await awaitable
    except TelegramRetryAfter as exc:
        raise Flood(float(exc.retry_after)) from None
    except TelegramServerError as exc:
        raise Transient(type(exc).__name__) from None
    except (TelegramNetworkError, ClientDecodeError) as exc:
        # A refused connection sent nothing; any other failure may have been performed.
        unknown = not isinstance(exc.__cause__, ClientConnectorError)
        raise Transient(type(exc).__name__, unknown=unknown) from None
    except TelegramAPIError as exc:
        raise Permanent(type(exc).__name__) from None


def _markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    if not keyboard:
        return None
    # Buttons as plain dicts in a markup built without validation: labels and signed data
    # are ours, already checked (render.py, callbacks.py); the session writes the same
    # JSON. A validated button cost 8 us and `model_construct` 30 us (it resolves every
    # default field by field); a dict costs nothing.
    rows: Any = [[{"text": b.label, "callback_data": b.data} for b in r] for r in keyboard]
    return InlineKeyboardMarkup.model_construct(inline_keyboard=rows)


def _message(update_id: int, message: Message) -> Incoming:
    chat = message.chat
    if chat.type != "private":
        # Young people talk to the bot one to one; a group can only be the staff desk,
        # which the channel routes by chat id (and ignores everywhere else).
        return _group(update_id, message)
    lang = message.from_user.language_code if message.from_user else None
    common: dict[str, Any] = {
        "chat_id": chat.id,
        "chat_type": chat.type,
        "message_id": message.message_id,
        "language_code": lang,
    }
    if message.text is not None:
        return typed(update_id, message.text, common)
    # Only which kind it is: the content (a file, a phone number, a place) is never read.
    other = next((k for k in OTHER_KINDS if getattr(message, k, None) is not None), "other")
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
    other = next((k for k in OTHER_KINDS if getattr(message, k, None) is not None), None)
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
            tuple(Button(b.text, b.callback_data or "") for b in row)
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


class AiogramTransport(SharedCalls):
    call = staticmethod(_call)
    markup = staticmethod(_markup)

    def __init__(self, token: str, api_base: str = "https://api.telegram.org") -> None:
        # TelegramAPIServer.from_base: a self-hosted Bot API server works the same way.
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_base))
        self.bot = Bot(token, session=session)

    async def start(self) -> None:
        await _call(self.bot.get_me())

    async def get_updates(self, offset: int | None, timeout: int) -> list[dict[str, Any]]:
        method = _RawGetUpdates(offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES)
        updates = await _call(self.bot(method, request_timeout=timeout + 10))
        return [u for u in updates if isinstance(u, dict)]

    def parse(self, update: dict[str, Any]) -> Incoming:
        plain = read_plain(update)  # a typed text or a press, read without the models
        if plain is not None:
            return plain
        try:
            return from_update(Update.model_validate(update, context={"bot": self.bot}))
        except Exception as exc:  # whatever the library raises: the update is unreadable
            raise Unreadable(update_kind(update), type(exc).__name__) from None

    async def edit_message(
        self, chat_id: int, message_id: int, text: str, keyboard: Keyboard
    ) -> None:
        await _call(
            self.bot.edit_message_text(
                text=text, chat_id=chat_id, message_id=message_id, reply_markup=_markup(keyboard)
            )
        )

    async def delete_messages(self, chat_id: int, message_ids: Sequence[int]) -> None:
        await _call(self.bot.delete_messages(chat_id, list(message_ids)))

    async def answer_callback(self, callback_id: str, text: str | None) -> None:
        await _call(self.bot.answer_callback_query(callback_id, text=text))

    async def send_typing(self, chat_id: int) -> None:
        await _call(self.bot.send_chat_action(chat_id, "typing"))

    async def set_commands(
        self, commands: Sequence[tuple[str, str]], language_code: str | None
    ) -> None:
        menu = [BotCommand(command=name, description=text) for name, text in commands]
        await _call(
            self.bot.set_my_commands(
                menu, scope=BotCommandScopeDefault(), language_code=language_code
            )
        )

    async def set_webhook(self, url: str, secret_token: str) -> None:
        await _call(
            self.bot.set_webhook(url, secret_token=secret_token, allowed_updates=ALLOWED_UPDATES)
        )

    async def delete_webhook(self) -> None:
        await _call(self.bot.delete_webhook(drop_pending_updates=False))

    async def close(self) -> None:
        await self.bot.session.close()
