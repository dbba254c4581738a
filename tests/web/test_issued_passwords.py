"""A password an administrator gives opens only the account page, to choose one's own,
and expires unused (ASVS 2.3.1); a replayed authenticator code is told (2.8.5)."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.web import Web
from tests.web.conftest import PASSWORDS, enrol, login

Client = TestClient[web.Request, web.Application]
GIVEN = "harbour-juniper-copper-77"
CHOSEN = "lantern-orchard-velvet-42"


async def test_a_password_an_admin_gave_never_had_to_be_changed(state: Web, client: Client) -> None:
    """Seen before: `safevoice users add` and the admin page gave a password that worked
    for ever, so whoever read it over the admin's shoulder could use it as long."""
    state.accounts.add("nadia", "worker", ("shelter",), GIVEN, issued=True)
    csrf = await login(client, "nadia", GIVEN)
    for path in ("/dashboard", "/desk", "/updates"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 303, path
        assert response.headers["Location"] == "/account?choose=1"
    page = await client.get("/account?choose=1")
    assert "Choose your own below" in await page.text()
    refused = await client.post("/desk/duty", data={"csrf": csrf, "on": "1"})
    assert refused.status == 403
    assert "Choose your own password" in await refused.text()
    changed = await client.post("/account/password", data={
        "csrf": csrf, "current": GIVEN, "new": CHOSEN, "again": CHOSEN,
    })  # fmt: skip
    assert changed.status == 200
    assert state.accounts.issued_at("nadia") is None
    csrf = await login(client, "nadia", CHOSEN)
    assert (await client.get("/dashboard", allow_redirects=False)).status == 200
    assert "Choose your own below" not in await (await client.get("/account")).text()


async def test_a_given_password_expires_unused(state: Web, client: Client) -> None:
    state.accounts.add("nadia", "viewer", ("shelter",), GIVEN, issued=True)
    old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=73)
    assert state.accounts.issued is not None
    state.accounts.issued.issue("nadia", old)
    page = await client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', await page.text())
    assert token
    response = await client.post("/login", data={
        "csrf": token[1], "name": "nadia", "password": GIVEN, "next": "/dashboard",
    }, allow_redirects=False)  # fmt: skip
    assert response.status == 403
    assert "ask your administrator for a new one" in await response.text()
    assert "login-issued-password-expired" in [
        e.action for e in state.store.audit_entries(20, actor="nadia")
    ]
    # A reset gives a fresh one, which opens the account page again.
    state.accounts.reset("nadia", GIVEN, issued=True)
    await login(client, "nadia", GIVEN)
    assert (await client.get("/dashboard", allow_redirects=False)).headers["Location"] == (
        "/account?choose=1"
    )


async def test_the_admin_page_gives_passwords_that_must_be_replaced(
    state: Web, client: Client
) -> None:
    csrf = await login(client, "admin")
    form = {"csrf": csrf, "name": "omar", "role": "worker", "scope": "shelter"}
    created = await client.post("/admin/users", data=form)
    assert created.status == 200
    assert "choose their own at their first login" in await created.text()
    assert state.accounts.get("omar") is not None
    assert state.accounts.issued_at("omar") is not None


async def test_a_replayed_authenticator_code_was_refused_without_telling_its_owner(
    state: Web, client: Client
) -> None:
    """ASVS 2.8.5: a right code used a second time is refused (as before), audited, and
    now its owner is told at their next login."""
    secret = enrol(state, "worker")
    page = await client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', await page.text())
    assert token
    form = {"csrf": token[1], "name": "worker", "password": PASSWORDS["worker"], "next": "/"}
    step = await client.post("/login", data=form, allow_redirects=False)
    assert step.headers["Location"].startswith("/login/code")
    # The step enrolment used is taken already: its code again is a replay.
    used = state.accounts.second_factor.store.get("worker")
    assert used is not None
    assert used.last_step is not None
    replay = pyotp.TOTP(secret).at(used.last_step * 30)
    refused = await client.post("/login/code", data={"csrf": token[1], "code": replay,
                                                    "next": "/"})  # fmt: skip
    assert refused.status == 401
    actions = [e.action for e in state.store.audit_entries(20, actor="worker")]
    assert "login-code-replayed" in actions
    await login(client, "worker")
    notices = await (await client.get("/account/notices")).text()
    assert "had been used already; it was refused" in notices
    # A mistyped code is not a replay: no notice for that.
    assert not state.accounts.second_factor.replayed("worker", "000000")
