"""A staff member's own password, re-entering it before a raw export or an account
change, and the audit log page for admins."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.staff.accounts import AccountError
from bot.web import Web
from bot.web.reauth import REAUTH_COOKIE
from tests.web.conftest import PASSWORDS, login

Client = TestClient[web.Request, web.Application]
NEW_PASSWORD = "lantern-orchard-velvet-42"


def _drop_reauth(client: Client) -> None:
    """As if the login was more than `[web] reauth_minutes` ago."""
    jar = client.session.cookie_jar
    kept = [(c.key, c.value) for c in jar if c.key != REAUTH_COOKIE]
    jar.clear()
    jar.update_cookies(dict(kept), client.make_url("/"))


async def test_staff_change_their_own_password(state: Web, client: Client) -> None:
    csrf = await login(client, "viewer")
    wrong = await client.post("/account/password", data={
        "csrf": csrf, "current": "not-it-at-all", "new": NEW_PASSWORD, "again": NEW_PASSWORD,
    })  # fmt: skip
    assert wrong.status == 400
    assert "current password is not right" in await wrong.text()
    response = await client.post("/account/password", data={
        "csrf": csrf, "current": PASSWORDS["viewer"], "new": NEW_PASSWORD, "again": NEW_PASSWORD,
    })  # fmt: skip
    assert response.status == 200
    assert "Your password is changed" in await response.text()
    assert state.accounts.verify("viewer", NEW_PASSWORD) is not None
    assert state.accounts.verify("viewer", PASSWORDS["viewer"]) is None
    actions = [e.action for e in state.store.audit_entries(20, actor="viewer")]
    assert "password-change" in actions


async def test_a_weak_or_breached_password_is_refused_with_a_reason(
    state: Web, client: Client
) -> None:
    csrf = await login(client, "viewer")
    for weak, reason in (("password1234", "breached"), ("viewerviewer12", "too weak"),
                         ("short", "at least 12")):  # fmt: skip
        response = await client.post("/account/password", data={
            "csrf": csrf, "current": PASSWORDS["viewer"], "new": weak, "again": weak,
        })  # fmt: skip
        assert response.status == 400
        assert reason in await response.text(), weak
    assert state.accounts.verify("viewer", PASSWORDS["viewer"]) is not None


def test_passwords_are_hashed_above_the_owasp_minimum_and_rehashed_at_login(state: Web) -> None:
    from argon2 import PasswordHasher, Type

    old = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)
    state.accounts.store.update("viewer", password_hash=old.hash(PASSWORDS["viewer"]))
    assert state.accounts.verify("viewer", PASSWORDS["viewer"]) is not None
    row = state.accounts.store.get("viewer")
    assert row is not None
    keys = state.accounts.hashes.keys
    assert keys is not None
    assert row.password_hash.startswith(
        f"$sv-pepper$k={keys.current_id}$argon2id$v=19$m=47104,t=2,p=1$"
    )


def test_an_admin_reset_password_must_pass_the_same_check(state: Web) -> None:
    with pytest.raises(AccountError, match="breached"):
        state.accounts.reset("viewer", "password1234")


async def test_the_raw_export_asks_for_the_password_again(state: Web, client: Client) -> None:
    csrf = await login(client, "admin")
    _drop_reauth(client)
    asked = await client.post("/admin/export/raw", data={"csrf": csrf})
    assert asked.status == 403
    assert "Your password" in await asked.text()
    assert "export-raw" not in [e.action for e in state.store.audit_entries()]
    wrong = await client.post("/account/confirm", data={
        "csrf": csrf, "password": "not the password", "next": "/admin/audit"})  # fmt: skip
    assert wrong.status == 401
    confirmed = await client.post("/account/confirm", data={
        "csrf": csrf, "password": PASSWORDS["admin"], "next": "/admin/audit",
    }, allow_redirects=False)  # fmt: skip
    assert confirmed.status == 303
    assert confirmed.headers["Location"] == "/admin/audit"
    raw = await client.post("/admin/export/raw", data={"csrf": csrf})
    assert raw.status == 200
    assert "export-raw" in [e.action for e in state.store.audit_entries()]


async def test_account_changes_ask_for_the_password_again(state: Web, client: Client) -> None:
    csrf = await login(client, "admin")
    _drop_reauth(client)
    for path in ("/admin/users/viewer/disable", "/admin/users/viewer/reset", "/admin/users"):
        form = {"csrf": csrf, "name": "mallory", "role": "admin", "scope": "*"}
        assert (await client.post(path, data=form)).status == 403, path
    assert state.accounts.get("mallory") is None
    viewer = state.accounts.get("viewer")
    assert viewer is not None
    assert not viewer.disabled


async def test_a_reauth_cookie_from_another_session_is_worth_nothing(
    state: Web, client: Client
) -> None:
    csrf = await login(client, "admin")
    stolen = next(c.value for c in client.session.cookie_jar if c.key == REAUTH_COOKIE)
    await client.post("/logout", data={"csrf": csrf})
    csrf = await login(client, "admin")
    _drop_reauth(client)
    client.session.cookie_jar.update_cookies({REAUTH_COOKIE: stolen}, client.make_url("/"))
    assert (await client.post("/admin/export/raw", data={"csrf": csrf})).status == 403


async def test_the_audit_log_filters_exports_and_shows_local_times(
    state: Web, client: Client
) -> None:
    at = dt.datetime(2025, 7, 1, 21, 30, tzinfo=dt.UTC)  # 00:30 on 2 July in Bucharest
    state.store.audit("ana", "case.claim", "#K7QX", at=at)
    state.store.audit("ana", "case.close", "#K7QX", at=at + dt.timedelta(minutes=5))
    state.store.audit("bob", "case.claim", "#P2MN", at=at - dt.timedelta(days=3))
    key = "3f9a1c0b7d2e4f6a8b9c0d1e2f3a4b5c"  # what a young person's key looks like
    state.store.audit("safety", "case.danger", f"#K7QX rule {key}", at=at)
    await login(client, "admin")
    page = await (await client.get("/admin/audit?actor=ana&action=case.claim")).text()
    rows = re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td>", page)
    assert rows == [("2025-07-02 00:30:00", "ana", "case.claim")]
    assert "Europe/Bucharest" in page
    dated = await (await client.get("/admin/audit?from=2025-07-02&to=2025-07-02")).text()
    assert "#K7QX" in dated
    assert "#P2MN" not in dated
    assert key not in dated
    assert "[key hidden]" in dated
    response = await client.get("/admin/audit.csv?actor=ana")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    lines = (await response.text()).splitlines()
    assert lines[0] == "when (Europe/Bucharest),who,what,details"
    assert lines[1:] == ["2025-07-02 00:35:00,ana,case.close,#K7QX",
                         "2025-07-02 00:30:00,ana,case.claim,#K7QX"]  # fmt: skip
    exports = state.store.audit_entries(5, action="export-audit")
    assert [(e.actor, e.detail) for e in exports] == [("admin", "actor=ana")]


async def test_the_audit_csv_cannot_smuggle_a_formula_into_a_spreadsheet(
    state: Web, client: Client
) -> None:
    state.store.audit('=HYPERLINK("http://x")', "login-failed", "")
    await login(client, "admin")
    text = await (await client.get("/admin/audit.csv?action=login-failed")).text()
    assert "'=HYPERLINK" in text
    assert "\n=HYPERLINK" not in text
    assert ",=HYPERLINK" not in text


async def test_only_admins_open_the_audit_log(client: Client) -> None:
    await login(client, "worker")
    assert (await client.get("/admin/audit")).status == 403
    assert (await client.get("/admin/audit.csv")).status == 403


async def test_bad_audit_filters_get_the_page_not_an_error(client: Client) -> None:
    await login(client, "admin")
    response = await client.get("/admin/audit?from=not-a-date&to=2025-13-45&actor=" + "x" * 5000)
    assert response.status == 200


def test_mfa_roles_in_config_must_be_roles() -> None:
    from pydantic import ValidationError

    from bot.config import Web as WebConfig
    from bot.staff.accounts import ROLES

    assert WebConfig(mfa_roles=ROLES).mfa_roles == ROLES  # every role can be named
    with pytest.raises(ValidationError, match="'boss' is not a role"):
        WebConfig(mfa_roles=("admin", "boss"))


async def test_refused_pages_are_in_the_audit_log_by_route_not_values(
    state: Web, client: Client
) -> None:
    await login(client, "viewer")
    assert (await client.get("/admin/users")).status == 403
    assert (await client.get("/desk/case/K7QX")).status == 403
    denied = state.store.audit_entries(5, action="access-denied")
    assert [(e.actor, e.detail) for e in denied] == [
        ("viewer", "/desk/case/{label}"), ("viewer", "/admin/users"),
    ]  # fmt: skip
