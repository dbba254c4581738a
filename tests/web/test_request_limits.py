"""Regression tests: what the web chat and the dashboard were sent that crashed them.
Each test is named after the defect it reproduces."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App
from bot.web import create_app
from bot.web.chat_visit import HEADER
from tests.web.conftest import login, make_state

Client = TestClient[web.Request, web.Application]


async def _token(client: Client) -> str:
    assert (await client.get("/chat")).status == 200
    token: str = (await (await client.get("/chat/state")).json())["visit"]
    return token


async def _post(client: Client, token: str, body: str | bytes) -> tuple[int, str]:
    response = await client.post(
        "/chat/turn", data=body, headers={HEADER: token, "Content-Type": "application/json"}
    )
    return response.status, await response.text()


@pytest.fixture
async def quick(safevoice_app: App, tmp_path: Path) -> AsyncIterator[Client]:
    """The web app with a long poll that returns at once."""
    state = make_state(safevoice_app, f"sqlite:///{tmp_path}/feedback.db", poll_timeout=0.01)
    async with TestClient(TestServer(create_app(state), host="127.0.0.1")) as test_client:
        yield test_client
    state.store.close()


@pytest.mark.parametrize("after", ["²", "፩", "¹²", "①", "٣", "1" * 40, "-1", ""])
async def test_events_after_a_superscript_crashed(quick: Client, after: str) -> None:
    """`?after=²`: "²".isdigit() is true, int("²") raised ValueError (a 500)."""
    client = quick
    token = await _token(client)
    response = await client.get("/chat/events", params={"after": after}, headers={HEADER: token})
    assert response.status == 200, await response.text()
    assert "next" in await response.json()


@pytest.mark.parametrize("period", ["²", "፩", "፲", "①", "٤", "４", "1" * 5000])
async def test_dashboard_period_of_a_superscript_crashed(client: Client, period: str) -> None:
    await login(client, "admin")
    response = await client.get("/dashboard", params={"period": period})
    assert response.status == 200, await response.text()


@pytest.mark.parametrize("depth", [5, 100, 5000, 15000])
async def test_deeply_nested_json_in_a_turn_raised_recursion_error(
    client: Client, depth: int
) -> None:
    token = await _token(client)
    status, text = await _post(
        client, token, '{"kind": "text", "value": ' + "[" * depth + "]" * depth + "}"
    )
    assert status == 400
    assert "nested too deeply" in text
    assert "Traceback" not in text


@pytest.mark.parametrize(
    ("field", "value"),
    [("band", []), ("band", {}), ("lang", ["en"]), ("flow", {"a": 1}), ("value", [1]),
     ("kind", ["text"]), ("step", {}), ("preview", "yes"), ("value", 3)],
)  # fmt: skip
async def test_a_list_where_a_string_belongs_raised_unhashable_type_error(
    client: Client, field: str, value: Any
) -> None:
    token = await _token(client)
    payload: dict[str, Any] = {"kind": "start", "flow": "service_feedback", "band": "13-15"}
    response = await client.post("/chat/turn", json=payload | {field: value},
                                  headers={HEADER: token})  # fmt: skip
    assert response.status == 400
    text = await response.text()
    assert f"The field `{field}` must be" in text


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b"[1, 2]", "must be a JSON object"),
        (b'"text"', "must be a JSON object"),
        (b"{", "not valid JSON"),
        (b'{"kind": NaN}', "not valid JSON"),
        (b'{"kind": 1' + b"0" * 5000 + b"}", "not valid JSON"),
        (b"\xff\xfe{}", "UTF-8"),
        (b'{"value": "' + b"a" * 40_000 + b'"}', "too large"),
        (b" " * 300_000, "too large"),  # past aiohttp's own 64 KB limit too: still a 400
    ],
)
async def test_a_body_that_is_not_a_turn_is_a_400_in_plain_words(
    client: Client, body: bytes, said: str
) -> None:
    token = await _token(client)
    status, text = await _post(client, token, body)
    assert status == 400
    assert said in text


async def test_a_5000_character_paste_was_cut_to_2000_without_a_word(client: Client) -> None:
    token = await _token(client)
    headers = {HEADER: token}
    await client.post("/chat/turn", json={"kind": "start"}, headers=headers)
    for value in ("en", "13-15"):
        step = "pick_language" if value == "en" else "pick_age"
        await client.post("/chat/turn", json={"kind": "button", "value": value, "step": step},
                          headers=headers)  # fmt: skip
    response = await client.post("/chat/turn", json={"kind": "text", "value": "x" * 5000},
                                 headers=headers)  # fmt: skip
    assert response.status == 200
    data = await response.json()
    texts = [m["text"] for m in data["messages"]]
    assert texts[0] == (
        "That message is longer than I can take (2,000 characters). "
        "Could you send it in shorter parts?"
    )
    assert any(m["input"] != "none" for m in data["messages"]), "asked again"


async def test_a_bidi_mark_before_a_typed_command_hid_it(client: Client) -> None:
    token = await _token(client)
    headers = {HEADER: token}
    await client.post("/chat/turn", json={"kind": "start"}, headers=headers)
    response = await client.post("/chat/turn", json={"kind": "text", "value": "\u200f/privacy"},
                                 headers=headers)  # fmt: skip
    plain = await client.post("/chat/turn", json={"kind": "text", "value": "/privacy"},
                              headers=headers)  # fmt: skip
    first = [m["text"] for m in (await response.json())["messages"]]
    second = [m["text"] for m in (await plain.json())["messages"]]
    assert first == second
