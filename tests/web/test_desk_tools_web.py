"""The worker tools on the web desk, with a web chat visitor on the other side: on duty,
approved replies, the outcome form on close, blocking a sender without learning who it
is, and the overdue alert (page and websocket); in Chromium, picking a reply."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.services.desk_tools import OUTCOME_FLOW
from bot.web import Web
from tests.web.conftest import LiveServer, login
from tests.web.test_desk import (
    Visitor,
    _ask_for_a_person,
    _desk_login,
    _frames,
    _open_chat,
    _secrets_of,
    _ws,
)
from tests.web.test_desk_defects import _axe

Client = TestClient[web.Request, web.Application]
JSON = {"Accept": "application/json"}


async def _case(state: Web, client: Client) -> tuple[Visitor, str]:
    person = Visitor(client)
    await person.open()
    await person.turn("command", "person")
    [case] = await state.cases.queue()
    return person, case.label.lstrip("#")


async def test_a_worker_says_they_are_on_duty_and_ends_it(state: Web, client: Client) -> None:
    csrf = await login(client, "worker")
    page = await (await client.get("/desk")).text()
    assert "On duty now: 0 workers." in page
    started = await client.post("/desk/duty", data={"csrf": csrf, "duty": "start"})
    assert started.status == 200  # back on the queue
    assert await state.cases.on_duty() == ["web:worker"]
    page = await started.text()
    assert "On duty now: 1 worker, you among them." in page
    assert "End my duty" in page
    await client.post("/desk/duty", data={"csrf": csrf, "duty": "end"})
    assert await state.cases.on_duty() == []
    refused = await client.post("/desk/duty", data={"duty": "start"})  # no CSRF token
    assert refused.status == 403


async def test_approved_replies_are_offered_in_the_case_language(
    state: Web, client: Client
) -> None:
    person, label = await _case(state, client)
    csrf = await login(client, "worker")
    page = await (await client.get(f"/desk/case/{label}")).text()
    assert re.search(r'<details id="replies" class="replies" hidden>', page)  # not claimed
    await client.post(f"/desk/case/{label}/claim", data={"csrf": csrf, "display_name": "Ana"})
    page = await (await client.get(f"/desk/case/{label}")).text()
    assert '<details id="replies" class="replies">' in page
    assert "I am here to listen." in page
    await person.close()


async def test_closing_with_the_outcome_form_counts_it_anonymously(
    state: Web, client: Client
) -> None:
    person, label = await _case(state, client)
    csrf = await login(client, "worker")
    await client.post(f"/desk/case/{label}/claim", data={"csrf": csrf, "display_name": "Ana"})
    page = await (await client.get(f"/desk/case/{label}")).text()
    assert 'name="outcome" value="referred"' in page
    assert 'name="category" value="housing"' in page
    closed = await client.post(
        f"/desk/case/{label}/close",
        data=[("csrf", csrf), ("outcome", "referred"), ("category", "housing"),
              ("category", "legal")],
        headers=JSON,
    )  # fmt: skip
    assert closed.status == 200, await closed.text()
    [record] = [r for r in state.store.iter_records() if r.flow_id == OUTCOME_FLOW]
    assert sorted(a.value for a in record.answers) == ["housing", "legal", "referred"]
    for secret in [label, "Ana", *_secrets_of(state, person.visit)]:
        assert secret not in repr(record)
    await person.close()


async def test_blocking_a_sender_from_the_desk(state: Web, client: Client) -> None:
    person, label = await _case(state, client)
    csrf = await login(client, "worker")
    await client.post(f"/desk/case/{label}/claim", data={"csrf": csrf, "display_name": "Ana"})
    await person.poll()
    page = await (await client.get(f"/desk/case/{label}")).text()
    assert '<select id="block-hours" name="hours">' in page
    bad = await client.post(
        f"/desk/case/{label}/block", data={"csrf": csrf, "hours": "7"}, headers=JSON
    )
    assert bad.status == 409
    assert "choose how long" in (await bad.json())["error"]
    done = await client.post(
        f"/desk/case/{label}/block", data={"csrf": csrf, "hours": "24"}, headers=JSON
    )
    assert (await done.json()) == {"ok": True}
    told = " ".join(m["text"] for m in await person.poll())
    assert "This chat with our team has ended for now" in told
    again = await person.turn("command", "person")
    assert any("You cannot talk to a person here right now" in m["text"]
               for m in again["messages"])  # fmt: skip
    assert await state.cases.queue() == []
    audit = state.store.audit_entries(20)
    assert any(e.action == "case.block" and e.detail == f"#{label} hours=24" for e in audit)
    everything = page + " ".join(f"{e.actor} {e.detail}" for e in audit)
    for secret in _secrets_of(state, person.visit):
        assert secret not in everything
    await person.close()


async def test_a_case_past_its_time_is_marked_and_announced(state: Web, client: Client) -> None:
    now = [dt.datetime(2025, 3, 3, 8, 0, tzinfo=dt.UTC)]  # a Monday, 10:00 in Bucharest
    state.cases.clock = lambda: now[0]
    person, label = await _case(state, client)
    csrf = await login(client, "worker")
    seen: list[str] = []
    ws = await _ws(client, csrf)
    first = await _frames(ws, "queue", seen)
    assert first["cases"][0]["overdue"] is False
    now[0] += dt.timedelta(minutes=31)
    await state.cases.due_for_alert()
    event = await _frames(ws, "event", seen)
    while event["kind"] != "overdue":
        event = await _frames(ws, "event", seen)
    assert event["case"]["id"] == label
    queue = await _frames(ws, "queue", seen)
    assert queue["cases"][0]["overdue"] is True
    page = await (await client.get("/desk")).text()
    assert "Overdue</strong>" in page
    await ws.close()
    await person.close()


@pytest.mark.browser
def test_in_the_browser_a_worker_picks_an_approved_reply_and_changes_it(
    live: LiveServer, browser: Any
) -> None:
    staff, young = browser.new_context(locale="en-GB"), browser.new_context(locale="en-GB")
    try:
        desk, chat = staff.new_page(), young.new_page()
        desk.set_default_timeout(15_000)
        chat.set_default_timeout(15_000)
        _desk_login(live, desk, "worker")
        _open_chat(live, chat)
        _ask_for_a_person(chat)
        desk.locator("#queue-rows tr.case").wait_for()
        label = desk.locator("#queue-rows tr.case").first.get_attribute("data-label")
        desk.goto(f"{live.url}/desk/case/{label}")
        desk.locator("#desk[data-live='1']").wait_for(state="attached")
        desk.fill("#display-name", "Ana")
        desk.click("#claim-form button")
        desk.locator("#replies:not([hidden])").wait_for()
        desk.click("#replies summary")
        serious = [v for v in _axe(desk) if v["impact"] in ("serious", "critical")]
        assert serious == []  # with the tools open: replies, outcome form, block form
        desk.locator("button.reply-pick", has_text="Take your time").click()
        assert desk.input_value("#send-text").startswith("Take your time.")
        desk.fill("#send-text", desk.input_value("#send-text") + " I am Ana.")
        desk.click("#send-form button")
        chat.locator("#log p.bot", has_text="Ana: Take your time.").wait_for()
        assert "I am Ana." in chat.locator("#log p.bot", has_text="Ana: Take").inner_text()
    finally:
        staff.close()
        young.close()


@pytest.mark.browser
def test_in_the_browser_an_overdue_case_is_announced(live: LiveServer, browser: Any) -> None:
    now = [dt.datetime(2025, 3, 3, 8, 0, tzinfo=dt.UTC)]  # a Monday, 10:00 in Bucharest
    live.state.cases.clock = lambda: now[0]
    staff, young = browser.new_context(locale="en-GB"), browser.new_context(locale="en-GB")
    try:
        desk, chat = staff.new_page(), young.new_page()
        desk.set_default_timeout(15_000)
        chat.set_default_timeout(15_000)
        _desk_login(live, desk, "worker")
        desk.locator("#desk[data-live='1']").wait_for(state="attached")
        _open_chat(live, chat)
        _ask_for_a_person(chat)
        desk.locator("#queue-rows tr.case").wait_for()
        assert desk.locator("#queue-rows .badge.overdue").count() == 0
        now[0] += dt.timedelta(minutes=31)
        assert len(live.call(live.state.cases.due_for_alert())) == 1
        desk.locator("#announce", has_text="has waited longer than it should").wait_for()
        desk.locator("#queue-rows .badge.overdue").wait_for()
        assert desk.title().startswith("(!) ")
    finally:
        staff.close()
        young.close()
