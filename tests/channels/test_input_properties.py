"""Every channel's input parsing, over inputs that break software: the console's line
parser, both Telegram adapters' update parsers and the web chat's body reader, then the
engine through the real ConversationService; and JSON nested far deeper than any limit.
Nothing raises but the deliberate BodyError (a 400) or an adapter's own refusal, and
typed text reaches the engine cleaned alike on every channel, never cut.

Each test counts its cases and checks there were at least 10,000 of them."""

from __future__ import annotations

import itertools
import json
import unicodedata
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.console import ConsoleChat, parse
from bot.channels.render import Button, Message
from bot.channels.telegram.runtime import make_transport
from bot.channels.telegram.transport import Transport, TransportError
from bot.channels.telegram.webhook import WEBHOOK_JSON
from bot.engine.inputs import Input
from bot.inputs import BodyError, clean_text, loads_limited, nesting_depth
from bot.web.chat import _input as web_input
from bot.web.chat_requests import TURN_JSON, parse_turn
from tests.drive import Service, openings, service_for
from tests.engine.conftest import check_says, shared_app
from tests.naughty import (
    BLNS,
    DECIMAL_DIGITS,
    NOT_DECIMAL,
    json_texts,
    settings_for,
    typed,
)

CASES = 10_000
SORRY = "something went wrong"
TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"
ASKED = Message(
    "Which one?",
    "en",
    step="choose",
    options=(Button("The food", "food", "choose", 1), Button("The people", "people", "choose", 2)),
    skip=Button("Skip", "skip", "choose"),
)
_ADAPTERS: dict[str, Transport] = {}


def _adapter(library: str) -> Transport:
    if library not in _ADAPTERS:
        _ADAPTERS[library] = make_transport(library, TOKEN, "http://127.0.0.1:9")
    return _ADAPTERS[library]


def _update(update_id: int, text: str) -> dict[str, object]:
    chat = {"id": 77, "type": "private", "first_name": "Zenobia"}
    person = {"id": 77, "is_bot": False, "first_name": "Zenobia", "language_code": "ro"}
    message = {"message_id": 5, "date": 1700000000, "chat": chat, "from": person, "text": text}
    return {"update_id": update_id, "message": message}


def _check_text(inp: Input | None, expected: str) -> None:
    """Typed text reaches the engine cleaned and never cut (or it named a command or a
    button)."""
    if inp is not None and inp.kind == "text":
        assert inp.value == expected


def every_parser(raw: str, update_id: int) -> Input | None:
    """`raw` typed on every channel; returns what the web chat makes of it."""
    line = clean_text(raw.rstrip("\r\n"))
    _check_text(parse(raw, ASKED), line)
    _check_text(parse(raw, None), line)
    for library in ("aiogram", "ptb"):
        try:
            update = _adapter(library).parse(_update(update_id, raw))
        except TransportError:
            continue  # the adapter refused the update (a lone surrogate, say): not a crash
        if update is not None:
            assert update.kind in ("text", "command")
            assert update.text == clean_text(raw)
    inp = web_input(parse_turn(json.dumps({"kind": "text", "value": raw}).encode()))
    _check_text(inp, clean_text(raw))
    return inp


_ids = itertools.count(1)
_arbitrary = itertools.count()
APP = shared_app()
OPENINGS = openings(APP)
# Questions about the language run a language detector on typed text (~25 ms a text,
# more than everything else here together): every naughty string meets one in
# tests/engine/test_input_properties.py, and the engine's own property tests go there too.
ASKS_LANGUAGE = ("start", "language")
OTHER_OPENINGS = [opening for opening in OPENINGS if opening[1] not in ASKS_LANGUAGE]


@pytest.fixture(scope="module")
def service() -> Iterator[Service]:
    with service_for(APP) as driven:
        yield driven


@settings_for(CASES)
@given(
    raw=typed,
    opening=st.sampled_from(OTHER_OPENINGS),
    lang=st.sampled_from(APP.config.languages.shipped),
)
def test_arbitrary_unicode_through_every_channel_and_the_service(
    service: Service, raw: str, opening: tuple[str, str], lang: str
) -> None:
    next(_arbitrary)
    inp = every_parser(raw, next(_ids))
    assert inp is not None
    (reply,) = service.turns(opening, lang, [inp])
    assert reply.events or reply.relayed, "every input gets an answer"
    check_says(list(reply.events))


def test_arbitrary_unicode_ran_10000_cases() -> None:
    assert next(_arbitrary) >= CASES


def test_every_blns_line_and_every_digit_through_every_channels_parser() -> None:
    cases = 0
    for raw in (*BLNS, *DECIMAL_DIGITS, *NOT_DECIMAL):
        for variant in (raw, "\u200f" + raw, raw + "\u202e"):
            every_parser(variant, next(_ids))
            cases += 4  # the console, both Telegram adapters and the web chat
    assert cases >= CASES, cases


def test_every_naughty_string_and_digit_typed_in_safevoice_chat(service: Service) -> None:
    """The console channel end to end: `ConsoleChat` on the service, one line each."""
    shown: list[str] = []
    for band in ("8-12", "13-15"):
        chat = ConsoleChat(service.runtime.conversation, "en", band, shown.append)
        service.run(chat.start())
        for raw in (*BLNS, *DECIMAL_DIGITS, *NOT_DECIMAL[::6]):
            before = len(shown)
            service.run(chat.line(raw + "\n"))
            assert len(shown) > before, raw
            assert not any(SORRY in line for line in shown[before:]), raw


def test_every_decimal_digit_presses_its_button_on_the_console() -> None:
    for digit in DECIMAL_DIGITS:
        inp = parse(digit, ASKED)
        value = unicodedata.decimal(digit)
        if value in (1, 2):
            assert (inp.kind, inp.value) == ("button", ASKED.options[value - 1].value)
        else:
            assert inp.kind == "text"
    for char in NOT_DECIMAL:
        assert parse(char, ASKED).kind == "text", hex(ord(char))


# -- JSON bodies ------------------------------------------------------------------------

READERS: dict[str, Callable[[bytes], object]] = {
    "turn": parse_turn,
    "turn limits": lambda raw: loads_limited(raw, TURN_JSON),
    "webhook limits": lambda raw: loads_limited(raw, WEBHOOK_JSON),
}
_deep = itertools.count()


@settings_for(CASES)
@given(text=json_texts)
def test_deep_or_broken_json_is_refused_in_words_never_a_recursion_error(text: str) -> None:
    """Deep, broken or any JSON: read as json.loads reads it, or refused in words."""
    next(_deep)
    raw = text.encode("utf-8", "surrogatepass")
    for name, read in READERS.items():
        try:
            value = read(raw)
        except BodyError as exc:
            said = str(exc)
        else:
            limit = WEBHOOK_JSON.max_depth if name == "webhook limits" else TURN_JSON.max_depth
            assert nesting_depth(text) <= limit, name
            if name == "turn":
                assert isinstance(value, dict)
                assert all(isinstance(v, (str, bool)) or v is None for v in value.values())
            else:
                assert value == json.loads(text), name
            continue
        assert said.startswith("The "), (name, said)
        assert said.endswith("."), (name, said)


def test_deep_json_ran_10000_cases() -> None:
    assert next(_deep) >= CASES


@pytest.mark.parametrize("depth", [1, 4, 5, 8, 32, 33, 1000, 100_000])
def test_the_depth_limit_is_exact(depth: int) -> None:
    text = "[" * depth + "]" * depth
    assert nesting_depth(text) == depth
    for limits in (TURN_JSON, WEBHOOK_JSON):
        if depth <= limits.max_depth:
            assert loads_limited(text.encode(), limits) == json.loads(text)
        else:
            with pytest.raises(BodyError, match=r"nested too deeply|too large"):
                loads_limited(text.encode(), limits)


def test_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps({"a": "[[[[[[[[[[{{{{{{{{", "b": '\\"[[[[[[[["', "c": ["]]]]]"]})
    assert nesting_depth(text) == 2
    assert loads_limited(text.encode(), TURN_JSON) == json.loads(text)
