"""The two kinds of update nearly every young person's turn is, read straight from the
Bot API JSON: a text message in a private chat, and a press on one of our buttons there.

Validating a whole update with the library's models costs more than the rest of a turn's
parsing; these two are read here with every field they carry checked for its type.
Anything else, or anything not exactly as the Bot API documents it (a field we do not
know, a value of another type, a message Telegram no longer gives: date 0), returns None
and the adapter's library parses it as before, refusals included. So a plain reading
never accepts what the library would refuse, and gives the same `Incoming` it would
(tests/telegram/test_plain_updates.py holds both to that).
"""

from __future__ import annotations

from typing import Any

from bot.channels.telegram.incoming import Button, Incoming, typed

__all__ = ["read_plain"]

_USER = {"id", "is_bot", "first_name", "last_name", "username", "language_code"}
_CHAT = {"id", "type", "first_name", "last_name", "username"}
_MESSAGE = {"message_id", "date", "chat", "from", "text", "entities"}
_SHOWN = {"message_id", "date", "chat", "from", "text", "reply_markup", "edit_date"}
_QUERY = {"id", "from", "chat_instance", "data", "message"}
_ENTITY = {"type", "offset", "length"}
# Dates the library reads as seconds (later ones it takes for milliseconds).
_LATEST = 2**31


def _int(value: object) -> bool:
    return type(value) is int


def _str(value: object) -> bool:
    return type(value) is str


def _user(user: object) -> bool:
    return (
        type(user) is dict
        and user.keys() <= _USER
        and _int(user.get("id"))
        and type(user.get("is_bot")) is bool
        and _str(user.get("first_name"))
        and all(_str(user[k]) for k in ("last_name", "username", "language_code") if k in user)
    )


def _private_chat(chat: object) -> bool:
    return (
        type(chat) is dict
        and chat.keys() <= _CHAT
        and _int(chat.get("id"))
        and chat.get("type") == "private"
        and all(_str(chat[k]) for k in ("first_name", "last_name", "username") if k in chat)
    )


def _message_head(message: dict[str, Any]) -> bool:
    date = message.get("date")
    return (
        _int(message.get("message_id"))
        and isinstance(date, int)
        and not isinstance(date, bool)
        and 0 < date < _LATEST
        and _private_chat(message.get("chat"))
        and ("from" not in message or _user(message["from"]))
    )


def _entities(entities: object) -> bool:
    return type(entities) is list and all(
        type(e) is dict
        and e.keys() == _ENTITY
        and _str(e["type"])
        and _int(e["offset"])
        and _int(e["length"])
        for e in entities
    )


def _keyboard(markup: object) -> tuple[tuple[Button, ...], ...] | None:
    if type(markup) is not dict or markup.keys() != {"inline_keyboard"}:
        return None
    rows = markup["inline_keyboard"]
    if type(rows) is not list or not all(type(row) is list for row in rows):
        return None
    out: list[tuple[Button, ...]] = []
    for row in rows:
        buttons = []
        for b in row:
            if type(b) is not dict or b.keys() != {"text", "callback_data"}:
                return None
            if not (_str(b["text"]) and _str(b["callback_data"])):
                return None
            buttons.append(Button(b["text"], b["callback_data"]))
        out.append(tuple(buttons))
    return tuple(out)


def _text_message(update_id: int, message: object) -> Incoming | None:
    if type(message) is not dict or not message.keys() <= _MESSAGE:
        return None
    if not _message_head(message) or not _str(message.get("text")):
        return None
    if "entities" in message and not _entities(message["entities"]):
        return None
    sender = message.get("from")
    common = {
        "chat_id": message["chat"]["id"],
        "chat_type": "private",
        "message_id": message["message_id"],
        "language_code": sender.get("language_code") if sender else None,
    }
    return typed(update_id, message["text"], common)


def _press(update_id: int, query: object) -> Incoming | None:
    if type(query) is not dict or not query.keys() <= _QUERY:
        return None
    if not (_str(query.get("id")) and _str(query.get("chat_instance"))):
        return None
    if not _user(query.get("from")) or not _str(query.get("data", "")):
        return None
    shown = query.get("message")
    if type(shown) is not dict or not shown.keys() <= _SHOWN or not _message_head(shown):
        return None
    if not _str(shown.get("text", "")):
        return None
    if "edit_date" in shown and not _int(shown["edit_date"]):
        return None
    rows: tuple[tuple[Button, ...], ...] = ()
    if "reply_markup" in shown:
        read = _keyboard(shown["reply_markup"])
        if read is None:
            return None
        rows = read
    return Incoming(
        update_id,
        "button",
        chat_id=shown["chat"]["id"],
        chat_type="private",
        message_id=shown["message_id"],
        language_code=query["from"].get("language_code"),
        callback_id=query["id"],
        data=query.get("data", ""),
        shown_text=shown.get("text", ""),
        shown_buttons=rows,
    )


def read_plain(update: dict[str, Any]) -> Incoming | None:
    """The update as `Incoming`, or None: let the library parse it."""
    update_id = update.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool) or len(update) != 2:
        return None
    if "message" in update:
        return _text_message(update_id, update["message"])
    if "callback_query" in update:
        return _press(update_id, update["callback_query"])
    return None
