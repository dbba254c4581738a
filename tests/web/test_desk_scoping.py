"""Organisations on the web desk: a worker sees and acts on only the cases their
organisation's desk answers; a request about a service never reaches that service's own
staff; on a claimed case only its worker acts, and a supervisor who acts gives a reason
and is the name the young person hears.

The deployment here routes requests about legal aid to the health organisation's desk
(`[handoff.routes]`); every other request goes to the independent safeguarding desk.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import load_app
from bot.errors import ConfigError
from bot.storage.cases import Case
from bot.web import Web, create_app
from tests.web.conftest import ROOT, login, make_state
from tests.web.test_desk import Visitor

Client = TestClient[web.Request, web.Application]
PASSWORD = "organisation-password-123"
STAFF = {
    "health-w": ("worker", ("health",)),
    "shelter-w": ("worker", ("shelter",)),
    "guard": ("worker", ("safeguarding",)),
    "guard2": ("worker", ("safeguarding",)),
    "lead": ("supervisor", ("safeguarding",)),
    "health-lead": ("supervisor", ("health",)),
}
JSON = {"Accept": "application/json"}


def routed_config(tmp: Path, extra: str = '[handoff.routes]\nlegal_aid = "health"\n') -> Path:
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = text.replace('flows_dir = "flows"', f'flows_dir = "{ROOT / "flows"}"')
    text = text.replace('locales_dir = "locales"', f'locales_dir = "{ROOT / "locales"}"')
    # No office hours: workers answer around the clock, so no helplines come between.
    text = re.sub(r"\n\[handoff\.hours\]\n(?:[a-z]{3} = .*\n)*", "\n", text)
    assert "\n[handoff.hours]\n" not in text
    path = tmp / "config.toml"
    path.write_text(text + "\n" + extra, encoding="utf-8")
    return path


@pytest.fixture
def scoped(tmp_path: Path) -> Iterator[Web]:
    app = load_app(routed_config(tmp_path))
    # A short long-poll: some checks wait for the young person to be told nothing.
    state = make_state(app, f"sqlite:///{tmp_path}/feedback.db", poll_timeout=1.0)
    for name, (role, scopes) in STAFF.items():
        state.accounts.add(name, role, scopes, PASSWORD)
    yield state
    state.store.close()


async def _client(state: Web) -> AsyncIterator[Client]:
    async with TestClient(TestServer(create_app(state), host="127.0.0.1")) as client:
        yield client


@pytest.fixture
async def desk(scoped: Web) -> AsyncIterator[Client]:
    async for client in _client(scoped):
        yield client


async def as_staff(state: Web, name: str) -> tuple[Client, str]:
    """Another browser: its own client (cookie jar) on the same app state."""
    client: Client = TestClient(TestServer(create_app(state), host="127.0.0.1"))
    await client.start_server()
    csrf = await login(client, name, PASSWORD)
    return client, csrf


async def about(client: Client, service: str) -> Visitor:
    return (await asking(client, service))[0]


async def asking(client: Client, service: str) -> tuple[Visitor, list[str]]:
    """A young person gives feedback about `service`, does not feel safe there, and asks
    for a person; what they were told then."""
    visitor = Visitor(client)
    await visitor.open()
    for value, step in (("feedback", "choose"), (service, "which_service"), ("1", "overall"),
                        ("no", "felt_safe")):  # fmt: skip
        await visitor.turn("button", value, step)
    told = await visitor.turn("button", "yes_person", "talk_now")
    return visitor, [m["text"] for m in told["messages"]]


async def socket(client: Client, csrf: str, case: str = "") -> aiohttp.ClientWebSocketResponse:
    origin = str(client.make_url("/")).rstrip("/")
    query = f"?csrf={csrf}" + (f"&case={case}" if case else "")
    return await client.ws_connect(f"/desk/ws{query}", origin=origin)


async def frames_until(ws: aiohttp.ClientWebSocketResponse, label: str) -> list[str]:
    """Raw frames until one about case `label` arrives."""
    seen = []
    while True:
        message = await asyncio.wait_for(ws.receive(), 5)
        assert message.type == aiohttp.WSMsgType.TEXT, message
        seen.append(message.data)
        frame = json.loads(message.data)
        if frame["type"] == "event" and frame["case"]["label"] == label:
            return seen


async def labels(state: Web) -> dict[str, str]:
    """service -> label of the open cases."""
    return {c.service or "": c.label for c in await state.cases.queue()}


async def test_a_health_worker_cannot_see_open_receive_claim_or_write_to_a_shelter_case(
    scoped: Web, desk: Client
) -> None:
    """Regression (issue 12): a worker of the health organisation saw a shelter case in
    the queue, opened its transcript, received it over the websocket, claimed it and
    wrote to that young person."""
    shelter = await about(desk, "shelter")
    await shelter.turn("text", "the night staff shout at me")
    legal = await about(desk, "legal_aid")
    cases = await labels(scoped)
    shelter_id, legal_id = cases["shelter"].lstrip("#"), cases["legal_aid"].lstrip("#")
    assert {c.service: c.organisation for c in await scoped.cases.queue()} == {
        "shelter": "safeguarding", "legal_aid": "health",
    }  # fmt: skip

    client, csrf = await as_staff(scoped, "health-w")
    try:
        queue = await (await client.get("/desk")).text()
        assert legal_id in queue
        assert shelter_id not in queue
        # The case page (and so its transcript) answers as for a case that does not exist.
        page = await client.get(f"/desk/case/{shelter_id}")
        assert page.status == 404
        assert "night staff" not in await page.text()
        missing = await client.get("/desk/case/ZZZZ")
        assert (await missing.text()) == (await page.text())

        # The websocket: neither in the queue, nor as the watched case, nor as an event.
        ws = await socket(client, csrf, shelter_id)
        first = json.loads((await asyncio.wait_for(ws.receive(), 5)).data)
        assert first["type"] == "queue"
        assert [c["id"] for c in first["cases"]] == [legal_id]
        await shelter.turn("text", "are you there")
        await legal.turn("text", "hello")  # a case this worker may see: its event ends the wait
        seen = await frames_until(ws, cases["legal_aid"])
        assert all(shelter_id not in frame for frame in seen), seen
        assert all("night staff" not in frame and "are you there" not in frame for frame in seen)
        await ws.close()

        # Claim, write, note, transfer, close: all refused, as for a closed case.
        for action, form in (("claim", {"display_name": "Hana"}), ("send", {"text": "Hi"}),
                             ("note", {"text": "n"}), ("transfer", {"to": "desk:web"}),
                             ("close", {"display_name": "Hana"})):  # fmt: skip
            refused = await client.post(f"/desk/case/{shelter_id}/{action}",
                                        data={"csrf": csrf, **form}, headers=JSON)  # fmt: skip
            assert refused.status == 409, action
            assert "is not open" in (await refused.json())["error"], action
        case = await scoped.cases.get(cases["shelter"])
        assert case is not None
        assert (case.status, case.worker) == ("waiting", None)
        assert await scoped.cases.notes(cases["shelter"]) == []
        assert not any("Hana" in m["text"] or m["text"] == "Hi" for m in await shelter.poll())
    finally:
        await client.close()
        await shelter.close()
        await legal.close()


async def test_a_shelter_worker_cannot_answer_a_young_persons_complaint_about_that_same_shelter(
    scoped: Web, desk: Client
) -> None:
    """Regression (issue 12): a shelter worker could answer a young person's complaint
    about that same shelter. Now it goes to the independent desk, and the young person is
    told the person answering does not work there."""
    shelter, told = await asking(desk, "shelter")
    assert (
        "The worker who answers you does not work for the service you told us about "
        "(The shelter)." in told
    )
    label = (await labels(scoped))["shelter"]
    case_id = label.lstrip("#")
    insider, insider_csrf = await as_staff(scoped, "shelter-w")
    guard, guard_csrf = await as_staff(scoped, "guard")
    try:
        assert case_id not in await (await insider.get("/desk")).text()
        taken = await insider.post(f"/desk/case/{case_id}/claim", headers=JSON,
                                   data={"csrf": insider_csrf, "display_name": "Sam"})  # fmt: skip
        assert taken.status == 409
        # The safeguarding desk answers it.
        assert case_id in await (await guard.get("/desk")).text()
        claimed = await guard.post(f"/desk/case/{case_id}/claim", headers=JSON,
                                   data={"csrf": guard_csrf, "display_name": "Ana"})  # fmt: skip
        assert claimed.status == 200
        sent = await guard.post(f"/desk/case/{case_id}/send", headers=JSON,
                                data={"csrf": guard_csrf, "text": "I am here."})  # fmt: skip
        assert sent.status == 200
        heard = [m["text"] for m in await shelter.poll()]
        assert "Ana: I am here." in heard
        assert not any("Sam" in text for text in heard)
        # Transfers offer only workers who may see the case: never the shelter's own.
        page = await (await guard.get(f"/desk/case/{case_id}")).text()
        assert 'value="web:guard2"' in page
        assert 'value="web:shelter-w"' not in page
        assert 'value="web:health-w"' not in page
        moved = await guard.post(f"/desk/case/{case_id}/transfer", headers=JSON,
                                 data={"csrf": guard_csrf, "to": "web:shelter-w"})  # fmt: skip
        assert moved.status == 409
    finally:
        await insider.close()
        await guard.close()
        await shelter.close()


async def test_the_young_person_hears_it_in_their_band_and_language(scoped: Web) -> None:
    """The "does not work there" sentence: 8-12's words, and ro and ar translations."""
    texts = scoped.cases.texts

    def said(band: str, lang: str) -> str:
        now = scoped.cases.clock()
        probe = Case("#AB12", "waiting", False, band, lang, "shelter", "asked", now, now, now)
        [line] = texts.independent(probe)
        return line.text

    assert said("8-12", "en") == (
        "The helper who talks with you does not work at the place you told us about (The shelter)."
    )
    assert said("13-15", "ro") == (
        "Persoana care îți răspunde nu lucrează pentru serviciul despre care ne-ai spus "
        "(Centrul de găzduire)."
    )
    assert "دار الإيواء" in said("16-17", "ar")
    assert said("16-17", "ar") != said("16-17", "en")


def test_a_config_that_routes_requests_about_a_service_to_its_own_organisation_is_refused(
    tmp_path: Path,
) -> None:
    with pytest.raises(ConfigError) as refused:
        load_app(routed_config(tmp_path, '[handoff.routes]\nshelter = "shelter"\n'))
    assert "its own organisation 'shelter'" in str(refused.value)
    (tmp_path / "other").mkdir()
    with pytest.raises(ConfigError) as unknown:
        load_app(routed_config(tmp_path / "other", '[handoff.routes]\nbakery = "health"\n'))
    assert "unknown service 'bakery'" in str(unknown.value)
    (tmp_path / "third").mkdir()
    idle = routed_config(tmp_path / "third", "")
    text = idle.read_text(encoding="utf-8")
    groups = "[telegram]\nstaff_groups = { shelter = -1001 }\n"
    idle.write_text(text.replace("[telegram]\n", groups), encoding="utf-8")
    with pytest.raises(ConfigError) as quiet:
        load_app(idle)  # the shelter's own staff never answer: their group would stay empty
    assert "a group for 'shelter', but no request for a person goes to its desk" in str(quiet.value)


async def test_any_worker_closing_or_noting_a_case_another_claimed_is_refused_and_the_young_person_hears_who_ended_it(  # noqa: E501
    scoped: Web, desk: Client
) -> None:
    """Regression (issue 12): any worker could close, or add notes to, a case another
    worker claimed; the young person was then told that the claiming worker ended the
    chat. Now only the claiming worker acts; a supervisor may, with a listed reason
    (audited), and the young person is told the supervisor's own name."""
    shelter = await about(desk, "shelter")
    label = (await labels(scoped))["shelter"]
    case_id = label.lstrip("#")
    owner, owner_csrf = await as_staff(scoped, "guard")
    colleague, colleague_csrf = await as_staff(scoped, "guard2")
    lead, lead_csrf = await as_staff(scoped, "lead")
    try:
        await owner.post(f"/desk/case/{case_id}/claim",
                         data={"csrf": owner_csrf, "display_name": "Ana"})  # fmt: skip
        await shelter.poll()
        attempts = (("note", {"text": "closing this"}), ("close", {"display_name": "Bo"}),
                    ("send", {"text": "bye"}), ("transfer", {"to": "desk:web"}))  # fmt: skip
        for action, form in attempts:
            refused = await colleague.post(f"/desk/case/{case_id}/{action}", headers=JSON,
                                           data={"csrf": colleague_csrf, **form})  # fmt: skip
            assert refused.status == 409, action
            assert "answered by Ana" in (await refused.json())["error"] or action == "send"
        take = await colleague.post(f"/desk/case/{case_id}/take-over", headers=JSON,
                                    data={"csrf": colleague_csrf, "display_name": "Bo",
                                          "reason": "away"})  # fmt: skip
        assert take.status == 403  # a worker is no supervisor
        case = await scoped.cases.get(label)
        assert case is not None
        assert (case.status, case.worker_name) == ("claimed", "Ana")
        assert await scoped.cases.notes(label) == []
        assert await shelter.poll() == []

        # A supervisor of the organisation: a reason is needed, then the close is theirs.
        page = await (await lead.get(f"/desk/case/{case_id}")).text()
        assert 'id="take-over-form"' in page
        assert 'name="reason"' in page
        no_reason = await lead.post(f"/desk/case/{case_id}/close", headers=JSON,
                                    data={"csrf": lead_csrf, "display_name": "Lina"})  # fmt: skip
        assert no_reason.status == 409
        closed = await lead.post(f"/desk/case/{case_id}/close", headers=JSON,
                                 data={"csrf": lead_csrf, "display_name": "Lina",
                                       "reason": "ended"})  # fmt: skip
        assert closed.status == 200
        bye = [m["text"] for m in await shelter.poll()]
        assert any(t.startswith("Lina has ended the chat.") for t in bye), bye
        assert not any("Ana has ended" in t for t in bye)
        entries = [(e.actor, e.action, e.detail) for e in scoped.store.audit_entries()]
        assert ("web:lead", "case.close", f"{label} reason=ended") in entries
        assert not any(actor == "web:guard2" for actor, _, _ in entries[:3])
    finally:
        for client in (owner, colleague, lead):
            await client.close()
        await shelter.close()


async def test_a_supervisor_takes_over_or_reassigns_only_in_their_organisation(
    scoped: Web, desk: Client
) -> None:
    shelter = await about(desk, "shelter")
    label = (await labels(scoped))["shelter"]
    case_id = label.lstrip("#")
    owner, owner_csrf = await as_staff(scoped, "guard")
    lead, lead_csrf = await as_staff(scoped, "lead")
    other_lead, other_csrf = await as_staff(scoped, "health-lead")
    try:
        await owner.post(f"/desk/case/{case_id}/claim",
                         data={"csrf": owner_csrf, "display_name": "Ana"})  # fmt: skip
        await shelter.poll()
        # A supervisor of another organisation: the case does not exist for them.
        foreign = await other_lead.post(f"/desk/case/{case_id}/take-over", headers=JSON,
                                        data={"csrf": other_csrf, "display_name": "Hal",
                                              "reason": "away"})  # fmt: skip
        assert foreign.status == 409
        assert "is not open" in (await foreign.json())["error"]
        # Reassigned from Ana by the supervisor, with a reason.
        moved = await lead.post(f"/desk/case/{case_id}/transfer", headers=JSON,
                                data={"csrf": lead_csrf, "to": "web:guard2",
                                      "reason": "workload"})  # fmt: skip
        assert moved.status == 200
        assert "Another person from our team will talk with you now. Please wait a little." in [
            m["text"] for m in await shelter.poll()
        ]
        offered = await scoped.cases.get(label)
        assert offered is not None
        assert (offered.status, offered.offered_to) == ("waiting", "web:guard2")
        await scoped.cases.claim(label, "web:guard2", "Bo")
        await shelter.poll()
        # Taken over from Bo: the young person is told the supervisor's name.
        took = await lead.post(f"/desk/case/{case_id}/take-over", headers=JSON,
                               data={"csrf": lead_csrf, "display_name": "Lina",
                                     "reason": "safeguarding"})  # fmt: skip
        assert took.status == 200
        assert "Lina from our team is here now. You can write to them here." in [
            m["text"] for m in await shelter.poll()
        ]
        case = await scoped.cases.get(label)
        assert case is not None
        assert (case.worker, case.worker_name) == ("web:lead", "Lina")
        # Ana, once the one answering, cannot write to it any more.
        late = await owner.post(f"/desk/case/{case_id}/send", headers=JSON,
                                data={"csrf": owner_csrf, "text": "still me"})  # fmt: skip
        assert late.status == 409
        entries = [(e.actor, e.action, e.detail) for e in scoped.store.audit_entries()]
        assert ("web:lead", "case.take_over", f"{label} reason=safeguarding") in entries
        assert ("web:lead", "case.reassign", f"{label} to web:guard2 reason=workload") in entries
    finally:
        for client in (owner, lead, other_lead):
            await client.close()
        await shelter.close()
