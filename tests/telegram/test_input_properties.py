"""Raw Bot API updates through both adapters' parsers (`from_update`) and
`TelegramChannel.handle`, on a "test" runtime with the Bot API answered in process:
every naughty string and every decimal digit as a young person's message, and
arbitrary update dicts (a list or an object where a text belongs, numbers as strings,
missing fields). Nothing raises but an adapter's own refusal of an unreadable update,
and every message gets an answer.

The 10,000-case runs over the parsers are in tests/channels/test_input_properties.py."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.telegram.transport import TransportError
from tests.engine.conftest import shared_app
from tests.naughty import BLNS, DECIMAL_DIGITS, NOT_DECIMAL, settings_for, unicode_text
from tests.telegram.in_process import Edge, open_edge, text_update

APP = shared_app()
SORRY = "something went wrong"
_ids = itertools.count(1)


class Driven:
    """An in-process edge and a loop of its own (Hypothesis runs synchronous tests)."""

    def __init__(self, library: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.edge: Edge = self.loop.run_until_complete(self._open(library))

    @staticmethod
    async def _open(library: str) -> Edge:
        return open_edge(APP, library)

    def handle(self, update: dict[str, Any]) -> bool:
        """Parse and handle one raw update; False when the adapter refused it."""
        try:
            incoming = self.edge.api.parse(update)
        except TransportError:
            return False
        if incoming is None:
            return False
        self.loop.run_until_complete(self.edge.channel.handle(incoming))
        return True

    def close(self) -> None:
        self.loop.run_until_complete(self.edge.close())
        self.loop.close()


@pytest.fixture(scope="module", params=["aiogram", "ptb"])
def driven(request: pytest.FixtureRequest) -> Iterator[Driven]:
    edge = Driven(str(request.param))
    yield edge
    edge.close()


def _at_menu(driven: Driven, chat: int, band: str) -> None:
    conversation = driven.edge.runtime.conversation
    driven.loop.run_until_complete(conversation.open_at("tg", chat, "en", band, "menu"))


def test_every_naughty_string_and_digit_as_a_message(driven: Driven) -> None:
    chat = 7720000000 + len(driven.edge.api.messages)
    for band in ("8-12", "16-17"):
        _at_menu(driven, chat, band)
        for raw in (*BLNS, *DECIMAL_DIGITS, *NOT_DECIMAL[::6]):
            before = len(driven.edge.api.messages)
            assert driven.handle(text_update(next(_ids), chat, raw))
            driven.loop.run_until_complete(driven.edge.sender.flush(chat, 5.0))
            said = [text for _, text, _ in driven.edge.api.messages[before:]]
            assert said, raw
            assert not any(SORRY in text for text in said), raw


# Updates shaped like the Bot API's, with any JSON put where one or two fields go (or a
# field taken away): a list or an object where a text belongs, a number as a text...
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | unicode_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(unicode_text, inner, max_size=3),
    max_leaves=6,
)
_MESSAGE_FIELDS = ("message_id", "date", "chat", "from", "text", "chat.id", "chat.type",
                   "from.id", "from.is_bot", "from.language_code", "reply_markup")  # fmt: skip
_QUERY_FIELDS = ("id", "from", "data", "chat_instance", "message", "from.language_code",
                 "message.chat.id", "message.text", "message.reply_markup")  # fmt: skip
_GONE = object()


def _put(update: dict[str, Any], path: str, value: object) -> None:
    *parents, last = path.split(".")
    for name in parents:
        inner = update.get(name)
        if not isinstance(inner, dict):
            return
        update = inner
    if value is _GONE:
        update.pop(last, None)
    else:
        update[last] = value


@st.composite
def updates(draw: st.DrawFn) -> dict[str, Any]:
    chat = draw(st.sampled_from([7730000001, 7730000002, -100123]))
    update = text_update(next(_ids), chat, draw(unicode_text))
    root, fields = ("message", _MESSAGE_FIELDS)
    if draw(st.booleans()):
        message = update.pop("message")
        markup = {"inline_keyboard": [[{"text": "Yes", "callback_data": "x|y|z"}]]}
        message["reply_markup"] = markup
        update["callback_query"] = {"id": "q1", "from": dict(message["from"]),
                                    "data": draw(unicode_text), "chat_instance": "c",
                                    "message": message}  # fmt: skip
        root, fields = ("callback_query", _QUERY_FIELDS)
    for path in draw(st.lists(st.sampled_from(fields), min_size=1, max_size=2)):
        _put(update[root], path, draw(st.just(_GONE) | _json))
    if draw(st.integers(0, 9)) == 0:
        _put(update, draw(st.sampled_from(["update_id", root])), draw(_json))
    return update


_cases = itertools.count()


@settings_for(500)
@given(update=updates())
def test_arbitrary_updates_are_handled_or_refused_never_crash(
    driven: Driven, update: dict[str, Any]
) -> None:
    next(_cases)
    driven.handle(update)


def test_arbitrary_updates_ran() -> None:
    assert next(_cases) >= 2 * 500
