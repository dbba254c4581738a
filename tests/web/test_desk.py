"""The worker desk on the web, with the web chat on the other side.

HTTP and websocket tests run against the app in process (aiohttp's test server); the
browser tests drive a young person's chat page and a worker's desk page in real Chromium.
Everything the staff side receives (pages, websocket frames) is checked for the visitor's
cookie id and everything derived from it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App
from bot.services.cases import RATING_FLOW
from bot.web import Web, create_app
from bot.web.chat_visit import HEADER, user_of, visit_of
from tests.web.conftest import PASSWORDS, LiveServer, login, make_state, second_code
from tests.web.test_browser import PREFER

Client = TestClient[web.Request, web.Application]
DANGER = "they took my passport and I am not safe"


class Visitor:
    """A young person on the web chat, with their own visit token (and cookie jar)."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.token = ""
        self.after = 0

    async def open(self) -> None:
        page = await self.session.get(self.client.make_url("/chat"))
        assert page.status == 200
        state = await (await self.session.get(self.client.make_url("/chat/state"))).json()
        self.token = state["visit"]
        asked = await self.turn("start", "")
        for choice in ("en", "13-15"):  # a language, then an age band
            asked = await self.turn("button", choice, asked["messages"][-1]["step"])

    @property
    def visit(self) -> str:
        """The visit token as the page keeps it."""
        return self.token

    async def turn(self, kind: str, value: str, step: str | None = None) -> dict[str, Any]:
        response = await self.session.post(
            self.client.make_url("/chat/turn"),
            json={"kind": kind, "value": value, "step": step, "lang": "en"},
            headers={HEADER: self.token},
        )
        assert response.status == 200, await response.text()
        data: dict[str, Any] = await response.json()
        return data

    async def poll(self) -> list[dict[str, Any]]:
        response = await self.session.get(
            self.client.make_url(f"/chat/events?after={self.after}"),
            headers={HEADER: self.token},
        )
        assert response.status == 200
        data = await response.json()
        self.after = data["next"]
        return [m for batch in data["batches"] for m in batch["messages"]]

    async def close(self) -> None:
        await self.session.close()


@pytest.fixture
async def visitor(client: Client) -> Any:
    person = Visitor(client)
    await person.open()
    yield person
    await person.close()


async def _ws(client: Client, csrf: str, case: str = "") -> aiohttp.ClientWebSocketResponse:
    origin = str(client.make_url("/")).rstrip("/")
    query = f"?csrf={csrf}" + (f"&case={case}" if case else "")
    return await client.ws_connect(f"/desk/ws{query}", origin=origin)


async def _frames(ws: aiohttp.ClientWebSocketResponse, until: str, seen: list[str]) -> Any:
    """Read frames (keeping their raw text in `seen`) until one of type `until`."""
    while True:
        message = await asyncio.wait_for(ws.receive(), 5)
        assert message.type == aiohttp.WSMsgType.TEXT, message
        seen.append(message.data)
        frame = json.loads(message.data)
        if frame["type"] == until:
            return frame


def _secrets_of(state: Web, token: str) -> list[str]:
    visit = visit_of(state.secret, token)
    assert visit is not None
    user = user_of(state.secret, visit)
    return [token, visit, user, state.conversation.key("web", user)]


def _label(frame: dict[str, Any]) -> str:
    cases = frame["cases"]
    assert cases, frame
    return str(cases[0]["id"])


async def test_a_web_chat_visitor_and_a_web_worker_talk(
    state: Web, client: Client, visitor: Visitor
) -> None:
    csrf = await login(client, "worker")
    seen: list[str] = []
    queue_ws = await _ws(client, csrf)
    assert (await _frames(queue_ws, "queue", seen))["cases"] == []
    await visitor.turn("command", "person")
    label = _label(await _frames(queue_ws, "queue", seen))
    case_ws = await _ws(client, csrf, label)
    assert (await _frames(case_ws, "case", seen))["case"]["status"] == "waiting"

    form = {"csrf": csrf, "display_name": "Ana"}
    claimed = await client.post(f"/desk/case/{label}/claim", data=form)
    assert claimed.status == 200  # redirected back to the case page
    assert (await _frames(case_ws, "case", seen))["case"]["worker_name"] == "Ana"
    told = await visitor.poll()
    assert any("Ana from our team is here now" in m["text"] for m in told)

    sent = await client.post(
        f"/desk/case/{label}/send", data={"csrf": csrf, "text": "Hello, I am here."},
        headers={"Accept": "application/json"},
    )  # fmt: skip
    assert (await sent.json()) == {"ok": True}
    assert [m["text"] for m in await visitor.poll()] == ["Ana: Hello, I am here."]

    reply = await visitor.turn("text", "Thank you, I need help with my room")
    assert reply["relayed"] is True
    assert reply["messages"] == []
    message = await _frames(case_ws, "message", seen)
    while message["message"]["sender"] != "young_person":
        message = await _frames(case_ws, "message", seen)
    assert message["message"]["text"] == "Thank you, I need help with my room"

    noted = await client.post(
        f"/desk/case/{label}/note", data={"csrf": csrf, "text": "Private: call the shelter"},
        headers={"Accept": "application/json"},
    )  # fmt: skip
    assert (await noted.json())["note"]["text"] == "Private: call the shelter"
    page = await (await client.get(f"/desk/case/{label}")).text()
    assert "Private: call the shelter" in page
    assert "Thank you, I need help with my room" in page

    closed = await client.post(
        f"/desk/case/{label}/close", data={"csrf": csrf}, headers={"Accept": "application/json"}
    )
    assert closed.status == 200
    bye = await visitor.poll()
    assert all("Private" not in m["text"] for m in bye)
    rating = next(m for m in bye if m["options"])
    before = state.store.count()
    thanks = await visitor.turn("button", rating["options"][2]["value"], rating["step"])
    assert "Thank you for telling us." in [m["text"] for m in thanks["messages"]]
    records = list(state.store.iter_records())
    assert state.store.count() == before + 1
    assert records[-1].flow_id == RATING_FLOW
    record_text = repr(records[-1])
    for secret in _secrets_of(state, visitor.visit):
        assert secret not in record_text

    seen.append(page)
    seen.append(await (await client.get("/desk")).text())
    everything = "\n".join(seen)
    for secret in _secrets_of(state, visitor.visit):
        assert secret not in everything
    assert "Private: call the shelter" not in json.dumps(bye)
    await queue_ws.close()
    await case_ws.close()


async def test_not_feeling_safe_at_a_service_puts_the_case_before_ordinary_ones(
    state: Web, client: Client, visitor: Visitor
) -> None:
    first = Visitor(client)
    await first.open()
    await first.turn("command", "person")
    await first.close()
    csrf = await login(client, "worker")
    seen: list[str] = []
    ws = await _ws(client, csrf)
    assert len((await _frames(ws, "queue", seen))["cases"]) == 1
    for value, step in (
        ("feedback", "choose"),
        ("shelter", "which_service"),
        ("1", "overall"),
        ("no", "felt_safe"),
        ("yes_person", "talk_now"),
    ):
        await visitor.turn("button", value, step)
    event = await _frames(ws, "event", seen)
    assert (event["kind"], event["case"]["priority"]) == ("opened", True)
    cases = (await _frames(ws, "queue", seen))["cases"]
    assert [(c["reason"], c["priority"]) for c in cases] == [("unsafe", True), ("asked", False)]
    page = await (await client.get("/desk")).text()
    first_row = page.index('<tr class="case')
    assert page[first_row:].startswith('<tr class="case priority"')
    assert '<strong class="badge priority">Priority</strong>' in page
    label = cases[0]["id"]
    case_page = await (await client.get(f"/desk/case/{label}")).text()
    assert '<p id="priority-flag" class="badge priority">Priority</p>' in case_page
    assert '<p id="urgent-flag" class="badge" hidden>Urgent</p>' in case_page
    for secret in _secrets_of(state, visitor.visit):
        assert secret not in page + case_page
        assert secret not in "".join(seen)
    await ws.close()


async def test_a_danger_phrase_puts_the_case_first_marked_urgent(
    state: Web, client: Client, visitor: Visitor
) -> None:
    first = Visitor(client)
    await first.open()
    await first.turn("command", "person")
    await first.close()
    csrf = await login(client, "worker")
    seen: list[str] = []
    ws = await _ws(client, csrf)
    assert len((await _frames(ws, "queue", seen))["cases"]) == 1
    await visitor.turn("text", DANGER)
    event = await _frames(ws, "event", seen)
    assert event["kind"] == "urgent"
    cases = (await _frames(ws, "queue", seen))["cases"]
    assert [c["urgent"] for c in cases] == [True, False]
    page = await (await client.get("/desk")).text()
    first_row = page.index('<tr class="case')
    assert page[first_row:].startswith('<tr class="case urgent"')
    assert 'aria-live="assertive"' in page
    for secret in _secrets_of(state, visitor.visit):
        assert secret not in page
        assert secret not in "".join(seen)
    await ws.close()


async def test_a_viewer_cannot_open_the_desk_or_its_socket(client: Client) -> None:
    csrf = await login(client, "viewer")
    assert (await client.get("/desk")).status == 403
    assert (await client.get("/desk/case/K7QX")).status == 403
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await _ws(client, csrf)
    assert refused.value.status == 403
    posted = await client.post("/desk/case/K7QX/claim", data={"csrf": csrf, "display_name": "X"})
    assert posted.status == 403


async def test_the_socket_needs_the_csrf_token_and_this_sites_origin(client: Client) -> None:
    csrf = await login(client, "worker")
    with pytest.raises(aiohttp.WSServerHandshakeError) as no_token:
        await _ws(client, "wrong")
    assert no_token.value.status == 403
    with pytest.raises(aiohttp.WSServerHandshakeError) as elsewhere:
        await client.ws_connect(f"/desk/ws?csrf={csrf}", origin="https://evil.example")
    assert elsewhere.value.status == 403
    with pytest.raises(aiohttp.WSServerHandshakeError) as no_origin:
        await client.ws_connect(f"/desk/ws?csrf={csrf}")
    assert no_origin.value.status == 403


async def test_logging_out_closes_the_socket(state: Web, client: Client) -> None:
    csrf = await login(client, "worker")
    ws = await _ws(client, csrf)
    await _frames(ws, "queue", [])
    await client.post("/logout", data={"csrf": csrf})
    visitor = Visitor(client)
    await visitor.open()
    await visitor.turn("command", "person")  # an update makes the socket look at the session
    message = await asyncio.wait_for(ws.receive(), 5)
    while message.type == aiohttp.WSMsgType.TEXT:
        message = await asyncio.wait_for(ws.receive(), 5)
    assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    assert ws.close_code == 4401
    await visitor.close()


async def test_display_name_is_remembered_and_transfer_and_conflicts(
    state: Web, client: Client, visitor: Visitor
) -> None:
    _with_staff_group(state)
    csrf = await login(client, "worker")
    await visitor.turn("command", "person")
    label = (await state.cases.queue())[0].label.lstrip("#")
    await client.post(f"/desk/case/{label}/claim", data={"csrf": csrf, "display_name": " Mira "})
    moved = await client.post(f"/desk/case/{label}/transfer",
                              data={"csrf": csrf, "to": "desk:telegram"})  # fmt: skip
    assert moved.status == 200
    case = await state.cases.get(f"#{label}")
    assert case is not None
    assert (case.status, case.desk) == ("waiting", "telegram")
    page = await (await client.get(f"/desk/case/{label}")).text()
    assert 'name="display_name" maxlength="40" required value="Mira"' in page
    # Only listed targets; another worker's claim cannot be taken over.
    bad = await client.post(f"/desk/case/{label}/transfer", data={"csrf": csrf, "to": "tg:1"})
    assert bad.status == 409
    await state.cases.claim(f"#{label}", "tg:77", "Dan")
    taken = await client.post(
        f"/desk/case/{label}/claim", data={"csrf": csrf, "display_name": "Mira"},
        headers={"Accept": "application/json"},
    )  # fmt: skip
    assert taken.status == 409
    assert "already answered by Dan" in (await taken.json())["error"]
    assert "tg:77" not in await (await client.get(f"/desk/case/{label}")).text()
    actions = [e.action for e in state.store.audit_entries()]
    assert {"case.claim", "case.transfer"} <= set(actions)


def _with_staff_group(state: Web, chat: int = -1001234567890) -> None:
    """This service as if `[telegram] staff_chat_id` were set: a group takes every case."""
    config = state.cases.config
    telegram = config.telegram.model_copy(update={"staff_chat_id": chat})
    state.cases.config = config.model_copy(update={"telegram": telegram})


async def test_transfer_offered_the_telegram_group_where_no_group_takes_the_case(
    state: Web, client: Client, visitor: Visitor
) -> None:
    """With no Telegram staff group for the case's organisation, "the Telegram staff
    group" was still offered, and a transfer there left the case where nobody sees it.
    Now it is not offered, and a stale form is refused kindly, the case unchanged."""
    csrf = await login(client, "worker")
    await visitor.turn("command", "person")
    label = (await state.cases.queue())[0].label.lstrip("#")
    await client.post(f"/desk/case/{label}/claim", data={"csrf": csrf, "display_name": "Mira"})
    page = await (await client.get(f"/desk/case/{label}")).text()
    assert 'value="desk:web"' in page
    assert 'value="desk:telegram"' not in page
    stale = await client.post(
        f"/desk/case/{label}/transfer", data={"csrf": csrf, "to": "desk:telegram"},
        headers={"Accept": "application/json"},
    )  # fmt: skip
    assert stale.status == 409
    assert "nobody would see this case on the Telegram staff group" in (await stale.json())["error"]
    case = await state.cases.get(f"#{label}")
    assert case is not None
    assert (case.status, case.desk, case.worker_name) == ("claimed", None, "Mira")
    _with_staff_group(state)
    page = await (await client.get(f"/desk/case/{label}")).text()
    assert 'value="desk:telegram"' in page


async def test_visitor_events_need_the_visit_and_its_token(client: Client) -> None:
    assert (await client.get("/chat/events")).status == 403
    visitor = Visitor(client)
    await visitor.open()
    wrong = await visitor.session.get(client.make_url("/chat/events"), headers={HEADER: "nope"})
    assert wrong.status == 403
    await visitor.close()


async def test_a_quiet_poll_returns_empty_after_the_timeout(state: Web, client: Client) -> None:
    state.settings = replace(state.settings, poll_timeout=0.2)
    visitor = Visitor(client)
    await visitor.open()
    assert await visitor.poll() == []
    await visitor.close()


async def test_unanswered_cases_get_helplines_from_the_periodic_job(
    safevoice_app: App, tmp_path: Path
) -> None:
    # A Monday at 10:00 in Bucharest: in office hours, so no helplines at first.
    now = [dt.datetime(2025, 3, 3, 8, 0, tzinfo=dt.UTC)]
    state = make_state(safevoice_app, f"sqlite:///{tmp_path}/feedback.db",
                       helplines_every=0.05, poll_timeout=2.0)  # fmt: skip
    state.cases.clock = lambda: now[0]
    async with TestClient(TestServer(create_app(state), host="127.0.0.1")) as client:
        visitor = Visitor(client)
        await visitor.open()
        opened = await visitor.turn("command", "person")
        assert not any("116 111" in m["text"] for m in opened["messages"])
        now[0] += dt.timedelta(minutes=31)  # nobody answered within answer_within_minutes
        told = await visitor.poll()
        assert any("116 111" in m["text"] for m in told)
        case = (await state.cases.queue())[0]
        assert case.helplines_at == now[0]
        await visitor.close()


# -- in Chromium -----------------------------------------------------------------------------
def _wait(page: Any) -> None:
    page.locator("body[data-busy='0']").wait_for(state="attached")


def _open_chat(live: LiveServer, page: Any) -> None:
    """The chat page, with a language and an age band chosen."""
    page.goto(f"{live.url}/chat")
    _wait(page)
    for choice in ("en", "13-15"):
        page.click(f'#choices button[data-value="{choice}"]')
        _wait(page)


def _ask_for_a_person(page: Any) -> None:
    page.click(".menu summary")
    page.click('button.command[data-command="person"]')
    _wait(page)


def _desk_login(live: LiveServer, page: Any, name: str) -> None:
    page.goto(f"{live.url}/desk")
    page.fill("#name", name)
    page.fill("#password", PASSWORDS[name])
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/(desk|login/code.*)$"))
    if "/login/code" in page.url:  # admins log in with a second step
        page.fill("#code", second_code(live.state, name))
        page.click("form.login button[type=submit]")
        page.wait_for_url(re.compile(r".*/desk$"))


def _record_frames(page: Any) -> list[str]:
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))
    return frames


@pytest.mark.browser
def test_in_the_browser_a_young_person_and_a_worker_talk(live: LiveServer, browser: Any) -> None:
    young = browser.new_context(locale="en-GB").new_page()
    staff_context = browser.new_context(locale="en-GB")
    desk = staff_context.new_page()
    for page in (young, desk):
        page.set_default_timeout(15_000)
    frames = _record_frames(desk)
    try:
        _desk_login(live, desk, "worker")
        desk.locator("#desk[data-live='1']").wait_for(state="attached")
        assert desk.locator("#queue-empty").is_visible()

        _open_chat(live, young)
        _ask_for_a_person(young)
        row = desk.locator("#queue-rows tr.case")
        row.wait_for()
        label = row.get_attribute("data-label")
        assert label
        desk.click(f'#queue-rows a[href="/desk/case/{label}"]')
        desk.locator("#desk[data-live='1']").wait_for(state="attached")
        desk.fill("#display-name", "Ana")
        desk.click("#claim-form button")
        desk.locator("#send-form:not([hidden])").wait_for()
        young.locator("#log p.bot", has_text="Ana from our team is here now").wait_for()

        desk.fill("#send-text", "Hello, I am Ana. How can I help?")
        desk.click("#send-form button")
        young.locator("#log p.bot", has_text="Ana: Hello, I am Ana.").wait_for()
        desk.locator("#transcript li.worker", has_text="How can I help?").wait_for()

        young.fill("#text", "I want to change my room")
        young.click("#send")
        young.locator("#log p.me[data-sent='1']", has_text="I want to change my room").wait_for()
        desk.locator("#transcript li.young_person", has_text="change my room").wait_for()

        desk.fill("#note-text", "Staff only: speak to the shelter manager")
        desk.click("#note-form button")
        desk.locator("#notes li", has_text="speak to the shelter manager").wait_for()

        desk.click("#close-form button")
        desk.locator("#desk[data-status='closed']").wait_for(state="attached")
        faces = young.locator("#choices button")
        faces.first.wait_for()
        assert faces.count() == 3
        before = live.state.store.count()
        faces.nth(2).click()
        young.locator("#log p.bot", has_text="Thank you for telling us.").wait_for()
        records = list(live.state.store.iter_records())
        assert live.state.store.count() == before + 1
        assert records[-1].flow_id == RATING_FLOW
        assert "shelter manager" not in young.content()

        visit = young.evaluate("sessionStorage.getItem('safevoice-visit')")
        staff_side = desk.content() + "\n".join(frames)
        desk.goto(f"{live.url}/desk")
        staff_side += desk.content()
        assert frames  # the desk did receive frames
        for secret in _secrets_of(live.state, visit):
            assert secret not in staff_side
    finally:
        young.context.close()
        staff_context.close()


@pytest.mark.browser
def test_in_the_browser_an_urgent_case_is_announced_at_the_top(
    live: LiveServer, browser: Any
) -> None:
    staff_context = browser.new_context(locale="en-GB")
    desk = staff_context.new_page()
    desk.set_default_timeout(15_000)
    frames = _record_frames(desk)
    calm = browser.new_context(locale="en-GB").new_page()
    young = browser.new_context(locale="en-GB").new_page()
    try:
        _desk_login(live, desk, "admin")
        desk.locator("#desk[data-live='1']").wait_for(state="attached")
        _open_chat(live, calm)
        _ask_for_a_person(calm)
        desk.locator("#queue-rows tr.case").wait_for()

        _open_chat(live, young)
        # Into the feedback conversation until it asks for words: danger is heard there.
        for _ in range(20):
            if young.locator("#typed").is_visible():
                break
            values = young.eval_on_selector_all(
                "#choices button", "bs => bs.map(b => b.dataset.value)"
            )
            pressed = young.locator("#choices button[aria-pressed=true]").count()
            wanted = "done" if "done" in values and pressed else None
            wanted = wanted or next((v for v in PREFER if v in values and v != "done"), None)
            young.click(f'#choices button[data-value="{wanted or values[0]}"]')
            _wait(young)
        young.fill("#text", DANGER)
        young.click("#send")
        _wait(young)
        announce = desk.locator("#announce")
        announce.filter(has_text="Urgent").wait_for()
        assert announce.get_attribute("aria-live") == "assertive"
        first = desk.locator("#queue-rows tr.case").first
        first.filter(has_text="Urgent").wait_for()
        assert "urgent" in (first.get_attribute("class") or "")
        assert desk.locator("#queue-rows tr.case").count() == 2
        background = first.evaluate("r => getComputedStyle(r).backgroundColor")
        second = desk.locator("#queue-rows tr.case").nth(1)
        assert background != second.evaluate("r => getComputedStyle(r).backgroundColor")
        visit = young.evaluate("sessionStorage.getItem('safevoice-visit')")
        for secret in _secrets_of(live.state, visit):
            assert secret not in desk.content() + "\n".join(frames)
    finally:
        calm.context.close()
        young.context.close()
        staff_context.close()


@pytest.mark.browser
def test_in_the_browser_a_viewer_gets_403_on_the_desk(live: LiveServer, page: Any) -> None:
    page.goto(f"{live.url}/login")
    page.fill("#name", "viewer")
    page.fill("#password", PASSWORDS["viewer"])
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/dashboard"))
    assert page.goto(f"{live.url}/desk").status == 403
