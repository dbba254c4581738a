"""Flow triggers on the web chat: `/chat?start=<name>` starts the flow with that
`deep_link` after language and age band; a worker ending the chat offers the band's
`case_closed` survey, started only after a yes."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.services.handoff_texts import RATING_STEP, SURVEY_STEP
from bot.web import Web
from bot.web.chat_visit import HEADER
from tests.web.test_chat import _ask, _open, _turn

Client = TestClient[web.Request, web.Application]
SURVEY = "Did the chat help you?"
OFFER = "Would you tell us how the chat went? It is anonymous."


def _texts(data: dict[str, Any]) -> list[str]:
    return [m["text"] for m in data["messages"]]


async def _choose(client: Client, token: str, data: dict[str, Any]) -> dict[str, Any]:
    for choice in ("en", "13-15"):
        data = await _turn(client, token, kind="button", value=choice, step=_ask(data)["step"])
    return data


async def test_the_page_passes_on_only_a_well_formed_deep_link(client: Client) -> None:
    page = await (await client.get("/chat?start=chat_feedback")).text()
    assert 'data-start="chat_feedback"' in page
    for bad in ("two%20words", "x" * 65, "%3Cscript%3E"):
        assert "data-start" not in await (await client.get(f"/chat?start={bad}")).text()


async def test_a_deep_link_starts_its_flow_after_language_and_age_band(client: Client) -> None:
    token = await _open(client, "?start=chat_feedback")
    data = await _turn(client, token, kind="start", start="chat_feedback")
    assert _ask(data)["step"] == "pick_language"
    data = await _choose(client, token, data)
    assert _texts(data)[-1] == SURVEY
    assert not any("What would you like to do?" in text for text in _texts(data))


async def test_an_unknown_deep_link_is_the_normal_start(client: Client) -> None:
    token = await _open(client)
    data = await _choose(client, token, await _turn(client, token, kind="start", start="nope"))
    assert "What would you like to do?" in _texts(data)[-1]
    assert not any("went wrong" in text for text in _texts(data))


async def _closed_by_a_worker(state: Web, client: Client) -> tuple[str, dict[str, Any]]:
    token = await _open(client)
    await _choose(client, token, await _turn(client, token, kind="start"))
    data = await _turn(client, token, kind="command", value="person")
    assert data["case"] is True
    [case] = await state.cases.queue()
    await state.cases.claim(case.label, "web:ana", "Ana")
    await state.cases.close(case.label, "web:ana")
    events = await (await client.get("/chat/events?after=0", headers={HEADER: token})).json()
    told = json.dumps(events, ensure_ascii=False)
    assert "Ana has ended the chat" in told
    assert OFFER not in told  # one question at a time: the rating first
    [face] = [o["value"] for o in _asks(events, RATING_STEP) for o in o["options"]][2:3]
    data = await _turn(client, token, kind="button", value=face, step=RATING_STEP)
    assert _texts(data)[-2:] == ["Thank you for telling us.", OFFER]
    return token, {"label": case.label}


def _asks(node: Any, step: str) -> list[dict[str, Any]]:
    """Every message in a JSON answer that asks the question `step`."""
    if isinstance(node, dict):
        found = [node] if node.get("step") == step and "options" in node else []
        return found + [m for value in node.values() for m in _asks(value, step)]
    if isinstance(node, list):
        return [m for value in node for m in _asks(value, step)]
    return []


async def test_yes_after_a_closed_chat_starts_the_survey(state: Web, client: Client) -> None:
    token, case = await _closed_by_a_worker(state, client)
    data = await _turn(client, token, kind="button", value="yes", step=SURVEY_STEP)
    assert _texts(data)[-1] == SURVEY
    for _ in range(3):
        ask = _ask(data)
        if ask["step"] not in ("helped", "listened"):
            break
        data = await _turn(client, token, kind="button", value=ask["options"][0]["value"],
                           step=ask["step"])  # fmt: skip
    [record] = [r for r in state.store.iter_records() if r.flow_id == "chat_feedback"]
    stored = json.dumps([str(a) for a in record.answers] + [str(record)])
    assert case["label"] not in stored
    assert "Ana" not in stored


async def test_no_after_a_closed_chat_starts_nothing(state: Web, client: Client) -> None:
    token, _ = await _closed_by_a_worker(state, client)
    data = await _turn(client, token, kind="button", value="no", step=SURVEY_STEP)
    assert SURVEY not in _texts(data)
    assert not [r for r in state.store.iter_records() if r.flow_id == "chat_feedback"]
