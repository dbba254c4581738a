"""The web chat's visits over HTTP: the server mints the visit token, a reload resumes,
typed commands, "delete my data", and the open-case flag the page keeps its text box by."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient

from bot.storage.visitors import MemoryVisitorBoxes
from bot.web import Web
from bot.web.chat_visit import HEADER
from tests.web.test_chat import _ask, _open, _turn

Client = TestClient[web.Request, web.Application]


async def _state(client: Client, token: str | None = None) -> dict[str, Any]:
    response = await client.get("/chat/state", headers={HEADER: token} if token else {})
    assert response.status == 200
    data: dict[str, Any] = await response.json()
    return data


async def _poll(client: Client, token: str) -> ClientResponse:
    return await client.get("/chat/events?after=0", headers={HEADER: token})


async def _at_the_menu(client: Client) -> str:
    token = await _open(client)
    data = await _turn(client, token, kind="start")
    for choice in ("en", "13-15"):
        data = await _turn(client, token, kind="button", value=choice, step=_ask(data)["step"])
    return token


async def test_the_chat_page_sets_no_cookie_and_names_no_visit(client: Client) -> None:
    page = await client.get("/chat")
    assert "Set-Cookie" not in page.headers
    assert "data-csrf" not in await page.text()


async def test_a_visitor_cannot_choose_its_own_id(state: Web, client: Client) -> None:
    """Regression: the visit id was whatever the visitor's cookie said, and every forged
    id grew the in-memory mailboxes by one box."""
    for forged in ("my-own-chosen-id", "a" * 43, "x.y"):
        data = await _turn(client, forged, kind="start")
        assert data["visit"] != forged
        assert (await _state(client, forged))["visit"] != forged
        assert (await _poll(client, forged)).status == 403
    state.settings = replace(state.settings, poll_timeout=0.01)
    for _ in range(20):
        fresh = (await _state(client))["visit"]
        assert (await _poll(client, fresh)).status == 200
    assert isinstance(state.visitors, MemoryVisitorBoxes)
    assert len(state.visitors) == 0  # polling makes no box: only a worker's words do


async def test_a_turn_needs_a_visit_token(client: Client) -> None:
    assert (await client.post("/chat/turn", json={"kind": "start"})).status == 403
    assert (await client.get("/chat/events")).status == 403


async def test_an_unknown_token_starts_afresh_kindly(client: Client) -> None:
    data = await _turn(client, "forged.token", kind="button", value="13-15", step="pick_age")
    assert data["visit"] != "forged.token"
    # A button of a conversation we do not know: "let's start again", then the welcome.
    assert any(m["text"].startswith("Hi! This is SafeVoice") for m in data["messages"])
    assert _ask(data)["step"] == "pick_language"  # the first question, with its buttons
    assert data["ask"] == _ask(data)


async def test_a_reload_resumes_at_the_question_on_screen(client: Client) -> None:
    token = await _at_the_menu(client)
    data = await _state(client, token)
    assert data["resumed"] is True
    assert data["visit"] == token
    assert data["ask"]["options"]
    assert {o["value"] for o in data["ask"]["options"]} >= {"feedback"}
    assert data["messages"] == [data["ask"]]
    assert data["case"] is False
    fresh = await _state(client)
    assert fresh["resumed"] is False
    assert fresh["visit"] != token


async def test_turns_and_events_say_when_a_case_is_open(state: Web, client: Client) -> None:
    token = await _at_the_menu(client)
    opened = await _turn(client, token, kind="command", value="person")
    assert opened["case"] is True
    assert (await _state(client, token))["case"] is True
    label = (await state.cases.queue())[0].label
    await state.cases.claim(label, "web:w", "Ana")
    events = await (await _poll(client, token)).json()
    assert events["case"] is True
    assert events["batches"]
    stopped = await _turn(client, token, kind="text", value="/stop")
    assert stopped["case"] is False
    assert stopped["relayed"] is False


async def test_typed_commands_work_as_on_telegram(state: Web, client: Client) -> None:
    """Regression: the web chat took "/stop", "/forget", ... as words."""
    token = await _at_the_menu(client)
    said = {
        "/privacy": "They are saved without your name",
        "/HELP": "What would you like to do?",
        "/forget": "Do you want me to delete our conversation now?",
        "/person please": "I am asking someone from our team",
        "/stop": "Your request to talk to a person is cancelled.",
        "/start": "Which language",
    }
    for typed, expected in said.items():
        data = await _turn(client, token, kind="text", value=typed)
        texts = " ".join(m["text"] for m in data["messages"])
        assert expected in texts, (typed, texts)
    token = await _at_the_menu(client)  # a new visit, at the menu again
    words = await _turn(client, token, kind="text", value="/notacommand and/or words")
    assert "Which language" not in " ".join(m["text"] for m in words["messages"])


async def test_delete_my_data_clears_the_site_data_and_mints_a_new_visit(
    state: Web, client: Client
) -> None:
    token = await _at_the_menu(client)
    await _turn(client, token, kind="command", value="person")
    asked = await _turn(client, token, kind="command", value="forget")
    response = await client.post(
        "/chat/turn",
        json={"kind": "button", "value": "delete", "step": _ask(asked)["step"]},
        headers={HEADER: token},
    )
    assert response.status == 200
    assert "storage" in response.headers["Clear-Site-Data"]
    data = await response.json()
    assert data["deleted"] is True
    assert data["case"] is False
    assert data["visit"] != token
    assert await state.cases.queue() == []
    assert (await _state(client, token))["resumed"] is False


async def test_leaving_with_the_token_forgets_the_visit(state: Web, client: Client) -> None:
    token = await _at_the_menu(client)
    await _turn(client, token, kind="command", value="person")
    response = await client.post("/chat/leave", data={"visit": token}, allow_redirects=False)
    assert response.status == 303
    assert "storage" in response.headers["Clear-Site-Data"]
    assert await state.cases.queue() == []
    assert (await _state(client, token))["resumed"] is False
