"""The plain reading of typed text and button presses (plain_updates.py) gives what each
library's parser gives, and never accepts an update a library refuses."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from aiogram import Bot
from aiogram.types import Update as AiogramUpdate
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import Bot as PtbBot
from telegram import Update as PtbUpdate

from bot.channels.telegram import aiogram_adapter, ptb_adapter
from bot.channels.telegram.plain_updates import read_plain

TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"
USER = {"id": 77, "is_bot": False, "first_name": "Y", "language_code": "ro"}
CHAT = {"id": 77, "type": "private", "first_name": "Y"}
TEXT = {
    "update_id": 10,
    "message": {"message_id": 5, "date": 1_700_000_000, "chat": CHAT, "from": USER,
                "text": "/start sh1", "entities": [{"type": "bot_command", "offset": 0,
                                                    "length": 6}]},
}  # fmt: skip
PRESS = {
    "update_id": 11,
    "callback_query": {
        "id": "991", "from": USER, "chat_instance": "77", "data": "q|4|sig",
        "message": {"message_id": 6, "date": 1_700_000_001, "chat": CHAT,
                    "from": {"id": 1, "is_bot": True, "first_name": "SafeVoice"},
                    "text": "How was it?",
                    "reply_markup": {"inline_keyboard": [[{"text": "4", "callback_data":
                                                           "q|4|sig"}]]}},
    },
}  # fmt: skip


def by_aiogram(update: dict[str, Any]) -> Any:
    bot = Bot(TOKEN)
    return aiogram_adapter.from_update(AiogramUpdate.model_validate(update, context={"bot": bot}))


def by_ptb(update: dict[str, Any]) -> Any:
    return ptb_adapter.from_update(PtbUpdate.de_json(update, PtbBot(TOKEN)))


def test_typed_text_and_a_press_are_read_plainly_like_both_libraries() -> None:
    for update in (TEXT, PRESS):
        plain = read_plain(copy.deepcopy(update))
        assert plain is not None
        assert plain == by_aiogram(copy.deepcopy(update)) == by_ptb(copy.deepcopy(update))


def test_what_plain_reading_does_not_know_goes_to_the_library() -> None:
    sticker = copy.deepcopy(TEXT)
    del sticker["message"]["text"]
    sticker["message"]["sticker"] = {"file_id": "x"}
    group = copy.deepcopy(TEXT)
    group["message"]["chat"] = {"id": -5, "type": "supergroup", "title": "staff"}
    gone = copy.deepcopy(PRESS)
    gone["callback_query"]["message"]["date"] = 0  # an inaccessible message
    for update in (sticker, group, gone, {"update_id": 3, "edited_message": TEXT["message"]}):
        assert read_plain(update) is None


ODD = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.text(max_size=5),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(),
                                                         max_size=2),
)  # fmt: skip


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    update = copy.deepcopy(draw(st.sampled_from([TEXT, PRESS])))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(update)))
        parent = update
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "is_premium", "caption", "photo"]))] = draw(ODD)
        else:
            parent[path[-1]] = draw(ODD)
        if not _paths(update):
            break
    return update


def _or_refused(parse: Any, update: dict[str, Any]) -> Any:
    try:
        return parse(copy.deepcopy(update))
    except Exception:
        return "refused"


@pytest.mark.parametrize("library", [by_aiogram, by_ptb])
@settings(max_examples=400, deadline=None)
@given(update=mutated())
def test_plain_reading_agrees_with_the_library_or_leaves_it_to_it(
    library: Any, update: dict[str, Any]
) -> None:
    try:
        plain = read_plain(copy.deepcopy(update))
    except Exception as exc:
        pytest.fail(f"the plain reading raised {type(exc).__name__}")
    if plain is not None:
        assert _or_refused(library, update) == plain
