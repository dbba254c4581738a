"""Regression tests: Telegram updates and webhook bodies that crashed or lost words.
Each test is named after the defect it reproduces; both adapters run every test."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App, load_app
from bot.channels.telegram.transport import TransportError
from bot.channels.telegram.webhook import SECRET_HEADER, webhook_app
from tests.telegram.in_process import Edge, open_edge, text_update

ROOT = Path(__file__).resolve().parents[2]
SECRET = "webhook-secret-for-tests"
TOO_LONG = "That message is longer than I can take (2,000 characters)."
_IDS = itertools.count(1)
Client = TestClient[web.Request, web.Application]


@pytest.fixture(scope="module")
def app() -> App:
    return load_app(ROOT / "config.toml")


@pytest.fixture(params=["aiogram", "ptb"])
async def edge(request: pytest.FixtureRequest, app: App) -> AsyncIterator[Edge]:
    opened = open_edge(app, str(request.param))
    yield opened
    await opened.close()


@pytest.fixture
async def hook(edge: Edge) -> AsyncIterator[Client]:
    application = webhook_app(edge.api, edge.channel, SECRET)  # type: ignore[arg-type]
    async with TestClient(TestServer(application, host="127.0.0.1")) as client:
        yield client


async def _say(edge: Edge, chat: int, text: str) -> list[str]:
    before = len(edge.texts(chat))
    update = edge.api.parse(text_update(next(_IDS), chat, text))
    assert update is not None
    await edge.channel.handle(update)
    await edge.sender.flush(chat, 5.0)
    return edge.texts(chat)[before:]


async def _at_menu(edge: Edge, chat: int) -> None:
    await edge.runtime.conversation.open_at("tg", chat, "en", "13-15", "menu")


async def _post(client: Client, body: bytes) -> tuple[int, str]:
    response = await client.post(
        "/telegram", data=body, headers={SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    )
    return response.status, await response.text()


@pytest.mark.parametrize("depth", [40, 1000, 100_000])
async def test_deeply_nested_webhook_body_raised_recursion_error(hook: Client, depth: int) -> None:
    body = b'{"update_id": 1, "message": ' + b"[" * depth + b"]" * depth + b"}"
    status, text = await _post(hook, body)
    assert status == 400
    assert "nested too deeply" in text


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b"{", "not valid JSON"),
        (b"\xff{}", "UTF-8"),
        (b'{"update_id": 1' + b"0" * 5000 + b"}", "not valid JSON"),
        (b'{"update_id": Infinity}', "not valid JSON"),
    ],
)
async def test_a_webhook_body_that_is_not_json_is_a_400_in_plain_words(
    hook: Client, body: bytes, said: str
) -> None:
    status, text = await _post(hook, body)
    assert status == 400
    assert said in text


async def test_a_webhook_body_that_is_not_an_object_is_a_400(hook: Client) -> None:
    for body in (b"[1, 2]", b'"update"', b"null", b"3"):
        status, _ = await _post(hook, body)
        assert status == 400


@pytest.mark.parametrize("typed", ["²", "፩", "፲፬", "①"])
async def test_superscript_or_ethiopic_number_on_telegram_crashed(edge: Edge, typed: str) -> None:
    chat = 7710000001
    await _at_menu(edge, chat)
    said = await _say(edge, chat, typed)
    assert "Please choose one of the buttons, or type its number." in said[0]


async def test_arabic_indic_digit_on_telegram_picks_that_button(edge: Edge) -> None:
    chat = 7710000002
    await _at_menu(edge, chat)
    by_digit = await _say(edge, chat, "١")
    await _at_menu(edge, chat)
    assert by_digit == await _say(edge, chat, "1")


async def test_a_5000_character_message_was_cut_to_2000_without_a_word(edge: Edge) -> None:
    chat = 7710000003
    await _at_menu(edge, chat)
    said = await _say(edge, chat, "x" * 4096)  # Telegram's own limit for one message
    assert said[0].startswith(TOO_LONG)


async def test_a_direction_mark_before_a_command_hid_it(edge: Edge) -> None:
    chat = 7710000004
    await _at_menu(edge, chat)
    marked = await _say(edge, chat, "\u200f/privacy")
    await _at_menu(edge, chat)
    assert marked == await _say(edge, chat, "/privacy")


def test_the_adapters_read_typed_text_alike(edge: Edge) -> None:
    update = edge.api.parse(text_update(1, 5, "e\u0301\u202e\u0000 /x"))
    assert update is not None
    assert (update.kind, update.text) == ("text", "é /x")
    command = edge.api.parse(text_update(2, 5, "\ufeff/start@SafeVoiceBot sh1"))
    assert command is not None
    assert (command.kind, command.text) == ("command", "/start@SafeVoiceBot sh1")


@pytest.mark.parametrize(
    ("path", "wrong"),
    [("from.language_code", 1), ("from.language_code", ["ro"]), ("text", ["hi"]),
     ("text", {"a": 1}), ("chat.id", "77"), ("chat.type", 5), ("message_id", "1")],
)  # fmt: skip
async def test_a_number_as_language_code_crashed_the_ptb_channel(
    edge: Edge, hook: Client, path: str, wrong: object
) -> None:
    """PTB's de_json keeps `"language_code": 1` an int; `.split("-")` then raised
    AttributeError in the channel. An update with a field of the wrong type is refused as
    unreadable (or read, when the library converts it), and the webhook answers without
    a 500."""
    update = text_update(next(_IDS), 7710000005, "hello")
    *parents, last = path.split(".")
    target = update["message"]
    for name in parents:
        target = target[name]
    target[last] = wrong
    try:
        incoming = edge.api.parse(update)
    except TransportError:
        incoming = None  # refused as unreadable: set aside, never a crash
    if incoming is not None:  # aiogram reads "77" as 77: then it is handled like any other
        await edge.channel.handle(incoming)
    status, _ = await _post(hook, json.dumps(update).encode())
    assert status < 500
