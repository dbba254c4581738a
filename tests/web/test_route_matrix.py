"""Every route and every websocket message of the staff web, for anonymous, viewer, worker,
supervisor, admin and advisor, in two organisations: allowed or denied, from one table.

`ROUTES` says, for each registered route, the least role it needs ("public": none; "any":
every account; "advisor": the flow studio, for advisors, supervisors and admins;
"reviewer": comments and sign-off in the studio, for advisors and admins) and
what it shows of an organisation: "case" (the case in `{label}`), "queue" (the open
cases), "feedback" (answers about services). `SOCKET` says the same for each kind of
frame the desk's websocket sends. A route or frame kind added to the app without a row
here fails `test_every_route_is_in_the_table` / `test_every_socket_frame_is_in_the_table`.

The deployment: requests about legal aid are answered by the health organisation and
requests about health care by the legal organisation (`[handoff.routes]`); so each of
the two organisations has cases (as a desk) and feedback (about its own service).
Each role has an account in each organisation; the admin sees every organisation.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import load_app
from bot.engine.events import HandoffRequested
from bot.services.handoff import Address
from bot.staff.accounts import LADDER
from bot.storage.bulk import add_many
from bot.storage.records import Answer, FeedbackRecord
from bot.web import Web, create_app
from bot.web.state import role_needed
from tests.web.conftest import ROOT, login, make_state
from tests.web.test_desk_scoping import routed_config

Client = TestClient[web.Request, web.Application]
PASSWORD = "matrix-password-1234"
ORGS = ("health", "legal")
# Whose cases each organisation answers, and the service each one runs (its feedback).
CASES_ABOUT = {"health": "legal_aid", "legal": "health"}
RUNS = {"health": "health", "legal": "legal_aid"}
ROUTING = '[handoff.routes]\nlegal_aid = "health"\nhealth = "legal"\n'


@dataclass(frozen=True)
class Rule:
    least: str  # "public", or the least role
    shows: str | None = None  # "case", "queue", "feedback": one organisation's data
    form: dict[str, str] = field(default_factory=dict)  # the POST body (with the CSRF token)
    # How the case in {label} is before the request: "waiting", "mine" (claimed by the
    # account), "colleague's" (claimed by another worker of its organisation).
    case: str = "waiting"


CASE_FORM = {"display_name": "Mo"}
ROUTES: dict[tuple[str, str], Rule] = {
    ("GET", "/"): Rule("any"),
    ("GET", "/login"): Rule("public"),
    ("POST", "/login"): Rule("public"),
    ("POST", "/logout"): Rule("any"),
    ("GET", "/chat"): Rule("public"),
    ("GET", "/chat/state"): Rule("public"),
    ("POST", "/chat/turn"): Rule("public"),
    ("POST", "/chat/leave"): Rule("public"),
    ("GET", "/chat/events"): Rule("public"),
    ("GET", "/static/{name}"): Rule("public"),
    ("GET", "/dashboard"): Rule("viewer", "feedback"),
    ("GET", "/dashboard/export.{fmt}"): Rule("viewer", "feedback"),
    ("POST", "/dashboard/comments/remove"): Rule("viewer"),
    ("GET", "/desk"): Rule("worker", "queue"),
    ("GET", "/desk/ws"): Rule("worker", "socket"),
    ("GET", "/desk/case/{label}"): Rule("worker", "case"),
    ("POST", "/desk/case/{label}/claim"): Rule("worker", "case", CASE_FORM),
    ("POST", "/desk/case/{label}/send"): Rule("worker", "case", {"text": "Hello"}, "mine"),
    ("POST", "/desk/case/{label}/note"): Rule("worker", "case", {"text": "a note"}),
    ("POST", "/desk/case/{label}/transfer"): Rule("worker", "case", {"to": "desk:web"}),
    ("POST", "/desk/case/{label}/close"): Rule("worker", "case", CASE_FORM),
    ("POST", "/desk/case/{label}/take-over"): Rule(
        "supervisor", "case", {"display_name": "Mo", "reason": "away"}, "colleague's"
    ),
    ("POST", "/desk/case/{label}/block"): Rule("worker", "case", {"hours": "24"}),
    ("POST", "/desk/duty"): Rule("worker"),
    ("GET", "/flows"): Rule("advisor"),
    ("GET", "/flows/{scope}/{flow_id}"): Rule("advisor"),
    ("GET", "/flows/{scope}/{flow_id}/compare"): Rule("advisor"),
    # An unshipped language (400 past the guard): the repository's signoffs.toml stays as it is.
    ("POST", "/flows/{scope}/{flow_id}/signoff"): Rule("reviewer", form={"lang": "zz"}),
    ("POST", "/flows/{scope}/{flow_id}/comments"): Rule(
        "reviewer", form={"step": "hello", "band": "13-15", "lang": "en", "text": "Kind."}
    ),
    # No comment 0 (404 past the guard): the edit form's words are never stored.
    ("POST", "/flows/{scope}/{flow_id}/comments/{comment_id}/edit"): Rule(
        "reviewer", form={"text": "Kinder, please."}
    ),
    ("POST", "/flows/{scope}/{flow_id}/comments/{comment_id}/resolve"): Rule("reviewer"),
    ("POST", "/flows/{scope}/{flow_id}/comments/{comment_id}/reopen"): Rule("reviewer"),
    ("GET", "/admin/users"): Rule("admin"),
    ("POST", "/admin/users"): Rule("admin"),
    ("POST", "/admin/users/{name}/disable"): Rule("admin"),
    ("POST", "/admin/users/{name}/enable"): Rule("admin"),
    ("POST", "/admin/users/{name}/reset"): Rule("admin"),
    ("GET", "/admin/audit"): Rule("admin"),
    ("GET", "/admin/audit.csv"): Rule("admin"),
    ("POST", "/admin/export/raw"): Rule("admin"),
    ("POST", "/admin/users/{name}/mfa-reset"): Rule("admin"),
    ("GET", "/login/code"): Rule("public"),
    ("POST", "/login/code"): Rule("public"),
    ("GET", "/updates"): Rule("worker"),
    ("POST", "/updates"): Rule("worker"),
    ("POST", "/updates/{update_id}/approve"): Rule("worker"),
    ("POST", "/updates/{update_id}/texts"): Rule("worker"),
    ("POST", "/updates/{update_id}/drafts"): Rule("worker"),
    ("POST", "/updates/{update_id}/texts/{lang}/approve"): Rule("worker"),
    ("GET", "/account"): Rule("any"),
    ("POST", "/account/password"): Rule("any"),
    ("POST", "/account/password/strength"): Rule("any"),
    ("GET", "/account/mfa"): Rule("any"),
    ("POST", "/account/mfa"): Rule("any"),
    ("POST", "/account/recovery"): Rule("any"),
    ("GET", "/account/notices"): Rule("any"),
    ("POST", "/account/notices/{notice_id}/dismiss"): Rule("any"),
    ("POST", "/account/sessions/end-others"): Rule("any"),
    ("POST", "/account/sessions/{session_id}/end"): Rule("any"),
    ("GET", "/account/confirm"): Rule("any"),
    ("POST", "/account/confirm"): Rule("any"),
}
# Every kind of frame the desk's websocket sends: the least role, and whose cases it names.
SOCKET: dict[str, Rule] = {
    "queue": Rule("worker", "queue"),
    "case": Rule("worker", "case"),
    "event": Rule("worker", "case"),
    "message": Rule("worker", "case"),
}
ACCOUNT_ROLES = ("viewer", "worker", "supervisor")
# Who asks: nobody logged in, and each role in each organisation; the one admin sees
# every organisation (it runs once, its "own" being health); the advisor holds no
# organisation (it runs once too).
CELLS = (
    [("anonymous", org) for org in ORGS]
    + [(role, org) for role in ACCOUNT_ROLES for org in ORGS]
    + [("admin", "health"), ("advisor", "health")]
)
# "advisor" pages (the flow studio): advisors and these rungs of the ladder; "reviewer"
# pages (writing in the studio): advisors and admins.
STUDIO = ("advisor", "supervisor", "admin")
REVIEWERS = ("advisor", "admin")


def account_name(role: str, org: str) -> str:
    return role if role in ("admin", "advisor") else f"{role}-{org}"


@pytest.fixture
def matrix_state(tmp_path: Path) -> Iterator[Web]:
    app = load_app(routed_config(tmp_path, ROUTING))
    state = make_state(app, f"sqlite:///{tmp_path}/feedback.db", poll_timeout=0.5)
    for role, org in itertools.product(ACCOUNT_ROLES, ORGS):
        state.accounts.add(account_name(role, org), role, (org,), PASSWORD)
    state.accounts.add("advisor", "advisor", (), PASSWORD)
    for org in ORGS:  # another worker of each organisation, to hold "colleague's" cases
        state.accounts.add(f"colleague-{org}", "worker", (org,), PASSWORD)
    today = dt.date.today()
    add_many(state.store, [
        FeedbackRecord.build(flow_id="service_feedback", flow_version=1, age_band="13-15",
                             language="en", service=RUNS[org], today=today,
                             answers=[Answer("overall", "scale", "4")])
        for org in ORGS for _ in range(12)
    ])  # fmt: skip
    yield state
    state.store.close()


def _routes(state: Web) -> dict[tuple[str, str], Any]:
    found = {}
    for route in create_app(state).router.routes():
        if route.method == "HEAD":
            continue
        info = route.resource.get_info() if route.resource else {}
        found[(route.method, str(info.get("path") or info.get("formatter")))] = route.handler
    return found


def test_every_route_is_in_the_table(matrix_state: Web) -> None:
    registered = _routes(matrix_state)
    missing = sorted(set(registered) - set(ROUTES))
    assert not missing, f"add these routes to ROUTES in {__file__}: {missing}"
    assert sorted(set(ROUTES) - set(registered)) == [], "rows for routes that are gone"
    for key, handler in registered.items():
        rule = ROUTES[key]
        if rule.least != "public":
            assert role_needed(handler) == rule.least, key


def test_every_socket_frame_is_in_the_table() -> None:
    source = (ROOT / "bot" / "web" / "desk_ws.py").read_text(encoding="utf-8")
    sent = set(re.findall(r'\{"type": "([a-z_]+)"', source))
    assert sent == set(SOCKET), f"frame kinds sent {sorted(sent)}, in SOCKET {sorted(SOCKET)}"


class World:
    """The app with a fresh case of each organisation whenever a request needs one."""

    def __init__(self, state: Web) -> None:
        self.state = state
        self.keys = itertools.count()

    async def case(self, org: str, how: str, actor: str) -> str:
        key = f"matrix-{next(self.keys)}"
        event = HandoffRequested("asked", "13-15", "en", CASES_ABOUT[org])
        await self.state.cases.request(key, event, Address("web", key))
        case = await self.state.cases.open_case(key)
        assert case is not None
        assert case.organisation == org
        if how == "mine":
            await self.state.cases.claim(case.label, f"web:{actor}", "Mo")
        elif how == "colleague's":
            await self.state.cases.claim(case.label, f"web:colleague-{org}", "Co")
        return case.label


def _allowed(role: str, rule: Rule) -> bool:
    if rule.least == "public":
        return True
    if role == "anonymous":
        return False
    if rule.least in ("any", "advisor", "reviewer"):
        return rule.least == "any" or role in (STUDIO if rule.least == "advisor" else REVIEWERS)
    return role in LADDER and LADDER.index(role) >= LADDER.index(rule.least)  # type: ignore[arg-type]


def _fill(path: str, label: str) -> str:
    path = path.replace("{fmt}", "csv").replace("{label}", label.lstrip("#"))
    path = path.replace("/static/{name}", "/static/desk.css").replace("{name}", "nobody")
    path = path.replace("{update_id}", "nosuchupdate").replace("{lang}", "ro")
    path = path.replace("{session_id}", "0" * 32).replace("{notice_id}", "0" * 32)
    path = path.replace("{comment_id}", "0")
    return path.replace("{scope}", "common").replace("{flow_id}", "start")


async def _request(client: Client, world: World, key: tuple[str, str], rule: Rule,
                   csrf: str, who: str, org: str) -> tuple[int, str, str]:  # fmt: skip
    method, path = key
    label = await world.case(org, rule.case, who) if rule.shows == "case" else ""
    url = _fill(path, label)
    data = {"csrf": csrf, **rule.form} if method == "POST" else None
    headers = {"Accept": "application/json"} if path.startswith("/desk/case/") else {}
    response = await client.request(method, url, data=data, headers=headers,
                                    allow_redirects=False)  # fmt: skip
    return response.status, response.headers.get("Location", ""), await response.text()


def _denied_by_the_guard(status: int, location: str, anonymous: bool, method: str) -> bool:
    if anonymous:
        return (status == 303 and location.startswith("/login?next=")) if method == "GET" \
            else status == 401  # fmt: skip
    return status == 403


async def _check_route(client: Client, world: World, key: tuple[str, str], role: str,
                       org: str, csrf: str) -> list[str]:  # fmt: skip
    """What is wrong with one cell of the matrix (empty: as the table says)."""
    rule, who = ROUTES[key], account_name(role, org)
    method = key[0]
    if rule.shows == "socket":
        return await _check_socket(client, world, role, org, csrf)
    status, location, body = await _request(client, world, key, rule, csrf, who, org)
    where = f"{method} {key[1]} as {role} of {org}: {status}"
    if status >= 500:
        return [f"{where} (a server error)"]
    guard = _denied_by_the_guard(status, location, role == "anonymous", method)
    if rule.least == "public":
        return [f"{where}, expected no login asked"] if guard and role == "anonymous" else []
    if not _allowed(role, rule):
        return [] if guard else [f"{where}, expected the role check to refuse"]
    if guard:
        return [f"{where}, expected it allowed"]
    problems = []
    other = next(o for o in ORGS if o != org)
    if rule.shows == "case":
        if status != 200 or (method == "POST" and json.loads(body) != {"ok": True} and
                             "note" not in json.loads(body)):  # fmt: skip
            problems.append(f"{where} {body[:120]}, expected it done")
        # The same action on the other organisation's case: as for a closed case.
        if role != "admin":
            o_status, _, o_body = await _request(client, world, key, rule, csrf, who, other)
            refused = o_status == 404 or (o_status == 409 and "is not open" in o_body)
            if not refused:
                problems.append(f"{where}; on {other}'s case {o_status}, expected refused")
    elif rule.shows == "queue":
        own, theirs = await world.case(org, "waiting", who), await world.case(other, "waiting", who)
        page = await (await client.get(key[1])).text()
        if own.lstrip("#") not in page or (role != "admin") == (theirs.lstrip("#") in page):
            problems.append(f"{where}, expected {org}'s cases only")
    elif rule.shows == "feedback":
        text = await (await client.get(_fill(key[1], ""))).text()
        config = world.state.app.config

        def shown(o: str) -> bool:  # its service's id (exports) or name (pages)
            return RUNS[o] in text or config.service_label(RUNS[o], "en") in text

        if not shown(org) or (role != "admin") == shown(other):
            problems.append(f"{where}, expected feedback about {RUNS[org]} only")
    return problems


async def _check_socket(client: Client, world: World, role: str, org: str,
                        csrf: str) -> list[str]:  # fmt: skip
    """Every frame kind in SOCKET: a worker hears about its organisation's cases only,
    even when it asks to watch another organisation's case."""
    origin = str(client.make_url("/")).rstrip("/")
    other = next(o for o in ORGS if o != org)
    theirs = await world.case(other, "waiting", "")
    where = f"websocket as {role} of {org}"
    try:
        ws = await client.ws_connect(f"/desk/ws?csrf={csrf}&case={theirs.lstrip('#')}",
                                     origin=origin)  # fmt: skip
    except aiohttp.WSServerHandshakeError as exc:
        allowed = role != "anonymous" and _allowed(role, SOCKET["queue"])
        return [f"{where}: refused ({exc.status})"] if allowed else []
    if role == "anonymous" or not _allowed(role, SOCKET["queue"]):
        await ws.close()
        return [f"{where}: expected the upgrade refused"]
    seen: list[dict[str, Any]] = []
    try:
        own = await world.case(org, "waiting", "")
        await world.state.cases.relay_to_worker(await _key_of(world, theirs), "psst")
        await world.state.cases.claim(own, f"web:colleague-{org}", "Co")
        while not any(f["type"] == "event" and f["case"]["label"] == own and
                      f["kind"] == "claimed" for f in seen):  # fmt: skip
            seen.append(json.loads((await asyncio.wait_for(ws.receive(), 5)).data))
    finally:
        await ws.close()
    # Watching its own organisation's case: its facts and transcript come.
    await world.state.cases.relay_to_worker(await _key_of(world, own), "hello")
    watch = await client.ws_connect(f"/desk/ws?csrf={csrf}&case={own.lstrip('#')}",
                                    origin=origin)  # fmt: skip
    try:
        while not any(f["type"] == "message" for f in seen):
            seen.append(json.loads((await asyncio.wait_for(watch.receive(), 5)).data))
    finally:
        await watch.close()
    problems = [f"{where}: a {f['type']} frame named {other}'s case" for f in seen
                if theirs in json.dumps(f) and role != "admin"]  # fmt: skip
    kinds = {f["type"] for f in seen}
    if kinds != set(SOCKET):
        problems.append(f"{where}: frames {sorted(kinds)}, expected {sorted(SOCKET)}")
    return problems


async def _key_of(world: World, label: str) -> str:
    mapping = await world.state.cases.store.mapping(label)
    assert mapping is not None
    return mapping.key


@pytest.fixture
def world(matrix_state: Web) -> World:
    return World(matrix_state)


@pytest.mark.parametrize(("role", "org"), CELLS)
async def test_every_route_for_every_role_in_each_organisation(
    matrix_state: Web, world: World, role: str, org: str
) -> None:
    async with TestClient(TestServer(create_app(matrix_state), host="127.0.0.1")) as client:
        csrf = "" if role == "anonymous" else await login(client, account_name(role, org),
                                                          _password(role))  # fmt: skip
        problems: list[str] = []
        # Logging out last: every other row runs in the login.
        for key in sorted(ROUTES, key=lambda k: k == ("POST", "/logout")):
            problems += await _check_route(client, world, key, role, org, csrf)
    assert problems == []


def _password(role: str) -> str | None:
    return None if role == "admin" else PASSWORD
