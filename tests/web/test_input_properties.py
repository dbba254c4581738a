"""The web chat and the dashboard over HTTP (aiohttp's TestClient), fed what breaks
software: every naughty string and every decimal digit as a typed turn, JSON bodies
nested far past the limit, lists where texts belong, and numbers without a decimal
value in query strings. Every answer is a 200 or a 400 in words: never a 500.

The 10,000-case runs are in tests/channels/test_input_properties.py (the body reader
and the service); here the same inputs go through the real HTTP stack."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App
from bot.web import create_app
from bot.web.chat_visit import HEADER
from tests.naughty import BLNS, DECIMAL_DIGITS, NOT_DECIMAL, json_case
from tests.web.conftest import login, make_state

Client = TestClient[web.Request, web.Application]
SORRY = "something went wrong"


@pytest.fixture
async def quick(safevoice_app: App, tmp_path: Path) -> AsyncIterator[Client]:
    """The web app with a long poll that returns at once."""
    state = make_state(safevoice_app, f"sqlite:///{tmp_path}/feedback.db", poll_timeout=0.001)
    async with TestClient(TestServer(create_app(state), host="127.0.0.1")) as test_client:
        yield test_client
    state.store.close()


class Visitor:
    """One visitor of the chat page, following the token the server hands back."""

    def __init__(self, client: Client) -> None:
        self.client, self.token = client, ""

    async def open(self) -> None:
        self.token = (await (await self.client.get("/chat/state")).json())["visit"]
        await self.send({"kind": "start"})

    async def send(self, payload: dict[str, Any] | bytes) -> tuple[int, dict[str, Any] | str]:
        headers = {HEADER: self.token, "Content-Type": "application/json"}
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        response = await self.client.post("/chat/turn", data=body, headers=headers)
        assert response.status in (200, 400), await response.text()
        if response.status == 400:
            return 400, await response.text()
        data: dict[str, Any] = await response.json()
        self.token = data.get("visit") or self.token
        return 200, data


async def test_every_naughty_string_and_digit_as_a_typed_turn(quick: Client) -> None:
    visitor = Visitor(quick)
    await visitor.open()
    for band in ("8-12", "18-24"):
        await visitor.send({"kind": "command", "value": "start"})
        await visitor.send({"kind": "button", "value": "en", "step": "pick_language"})
        await visitor.send({"kind": "button", "value": band, "step": "pick_age"})
        for raw in (*BLNS, *DECIMAL_DIGITS, *NOT_DECIMAL[::6]):
            status, data = await visitor.send({"kind": "text", "value": raw})
            assert status == 200, data
            assert isinstance(data, dict)
            assert data["messages"] or data["relayed"], raw
            assert not any(SORRY in m["text"] for m in data["messages"]), raw


async def test_deep_broken_and_mistyped_bodies_are_answered_400_in_words(quick: Client) -> None:
    visitor = Visitor(quick)
    await visitor.open()
    said = 0
    for seed in range(400):
        status, text = await visitor.send(json_case(seed).encode("utf-8", "surrogatepass"))
        if status == 400:
            assert isinstance(text, str)
            assert text.startswith("The "), text
            said += 1
    assert said > 200
    for field in ("kind", "value", "step", "lang", "flow", "band", "preview"):
        for wrong in ([], {}, ["x"], {"a": "b"}, 3, 2.5):
            status, text = await visitor.send({"kind": "text", "value": "hi", field: wrong})
            if field != "preview" or not isinstance(wrong, bool):
                assert status == 400, (field, wrong)
                assert f"`{field}`" in str(text)


async def test_numbers_without_a_decimal_value_in_query_strings(quick: Client) -> None:
    visitor = Visitor(quick)
    await visitor.open()
    for raw in (*NOT_DECIMAL[::10], *DECIMAL_DIGITS[::10], *BLNS[::10]):
        response = await quick.get(
            "/chat/events", params={"after": raw}, headers={HEADER: visitor.token}
        )
        assert response.status == 200, raw
    await login(quick, "admin")
    for raw in (*NOT_DECIMAL[::40], *DECIMAL_DIGITS[::40], *BLNS[::40]):
        response = await quick.get("/dashboard", params={"period": raw, "band": raw})
        assert response.status == 200, raw
