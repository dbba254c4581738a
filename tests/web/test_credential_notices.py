"""Staff are told in the app when their credentials change (ASVS 2.2.3, 2.5.5): at the
next login and on the account page, until they dismiss the notice. Staff accounts hold
no e-mail or phone, by design, so this is the only channel."""

from __future__ import annotations

import argparse
import re
from zoneinfo import ZoneInfo

import pyotp
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.commands.users import _act
from bot.web import Web
from tests.web.conftest import PASSWORDS, RECOVERY, enrol, login, second_code
from tests.web.test_account_pages import _drop_reauth

Client = TestClient[web.Request, web.Application]
NEW_PASSWORD = "lantern-orchard-velvet-42"
TRAILER = "If this was not you, tell your administrator."


async def _log_in_raw(client: Client, state: Web, name: str, password: str) -> str:
    """Log in like a browser; where the login sends it (the path and query)."""
    page = await client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', await page.text())
    assert token
    form = {"csrf": token[1], "name": name, "password": password, "next": "/dashboard"}
    response = await client.post("/login", data=form, allow_redirects=False)
    if response.headers["Location"].startswith("/login/code"):
        form = {"csrf": token[1], "code": second_code(state, name), "next": "/dashboard"}
        response = await client.post("/login/code", data=form, allow_redirects=False)
    assert response.status == 303, await response.text()
    return response.headers["Location"]


def _stamp(state: Web, name: str) -> str:
    """When the account's newest notice was made, as the page should say it."""
    (*_, notice) = state.accounts.pending_notices(name)
    return notice.at.astimezone(ZoneInfo("Europe/Bucharest")).strftime("%Y-%m-%d %H:%M")


async def _next_login_shows(client: Client, state: Web, name: str, password: str,
                            expected: str) -> str:  # fmt: skip
    """Log out, log in again: the notice comes first, then the account page has it too.
    Returns the notice page."""
    stamp = _stamp(state, name)
    client.session.cookie_jar.clear()
    where = await _log_in_raw(client, state, name, password)
    assert where.startswith("/account/notices?next=/")  # then where it was going
    page = await (await client.get(where)).text()
    sentence = f"{expected} on {stamp} (Europe/Bucharest)"
    assert sentence in page
    assert TRAILER in page
    assert sentence in await (await client.get("/account")).text()
    return page


async def _dismiss_all(client: Client, page: str) -> None:
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf
    for path in re.findall(r'action="(/account/notices/[0-9a-f]{32}/dismiss)"', page):
        done = await client.post(path, data={"csrf": csrf[1], "next": "/dashboard"},
                                 allow_redirects=False)  # fmt: skip
        assert done.status == 303
        assert done.headers["Location"] == "/dashboard"


async def test_own_password_change_is_told_until_dismissed(state: Web, client: Client) -> None:
    csrf = await login(client, "viewer")
    changed = await client.post("/account/password", data={
        "csrf": csrf, "current": PASSWORDS["viewer"], "new": NEW_PASSWORD, "again": NEW_PASSWORD,
    })  # fmt: skip
    assert "Your password was changed on" in await changed.text()  # the account page says it
    page = await _next_login_shows(client, state, "viewer", NEW_PASSWORD,
                                   "Your password was changed")  # fmt: skip
    assert "by you." in page
    assert '<a href="/dashboard">Go on</a>' in page
    await _dismiss_all(client, page)
    assert "Your password was changed" not in await (await client.get("/account")).text()
    client.session.cookie_jar.clear()
    assert await _log_in_raw(client, state, "viewer", NEW_PASSWORD) == "/dashboard"
    # Nothing waiting: the notices page just goes on.
    gone = await client.get("/account/notices?next=/flows", allow_redirects=False)
    assert gone.headers["Location"] == "/flows"


async def test_an_admins_password_reset_is_told(state: Web, client: Client) -> None:
    csrf = await login(client, "admin")
    reset = await (await client.post("/admin/users/viewer/reset", data={"csrf": csrf})).text()
    found = re.search(r"The password for <strong>viewer</strong> is <code>([^<]+)</code>", reset)
    assert found
    page = await _next_login_shows(client, state, "viewer", found[1],
                                   "Your password was changed")  # fmt: skip
    assert "by an administrator." in page


async def test_a_password_set_at_the_terminal_is_told(state: Web, client: Client) -> None:
    for action in ("reset", "password"):
        args = argparse.Namespace(action=action, name="viewer")
        assert _act(args, state.store, state.accounts, lambda _: NEW_PASSWORD) == 0
    notices = state.accounts.pending_notices("viewer")
    assert [(n.kind, n.by_admin) for n in notices] == [("password", True)] * 2
    page = await _next_login_shows(client, state, "viewer", NEW_PASSWORD,
                                   "Your password was changed")  # fmt: skip
    assert page.count("by an administrator.") == 2


async def test_setting_up_an_authenticator_is_told(state: Web, client: Client) -> None:
    csrf = await login(client, "viewer")
    form = await (await client.get("/account/mfa")).text()
    key = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', form)
    assert key
    code = pyotp.TOTP(key[1].replace(" ", "")).now()
    assert (await client.post("/account/mfa", data={"csrf": csrf, "code": code})).status == 200
    page = await _next_login_shows(client, state, "viewer", PASSWORDS["viewer"],
                                   "An authenticator app was set up for your login")  # fmt: skip
    assert "by you." in page


async def test_an_admins_authenticator_reset_is_told(state: Web, client: Client) -> None:
    enrol(state, "worker")
    csrf = await login(client, "admin")
    done = await client.post("/admin/users/worker/mfa-reset", data={"csrf": csrf})
    assert done.status == 200
    page = await _next_login_shows(client, state, "worker", PASSWORDS["worker"],
                                   "The authenticator app was removed from your login")  # fmt: skip
    assert "by an administrator." in page
    # And at the terminal, for an account that has one again.
    enrol(state, "worker")
    args = argparse.Namespace(action="reset-mfa", name="worker")
    assert _act(args, state.store, state.accounts, input) == 0
    kinds = [(n.kind, n.by_admin) for n in state.accounts.pending_notices("worker")]
    assert kinds == [("mfa-reset", True)] * 2


async def test_new_recovery_codes_are_told(state: Web, client: Client) -> None:
    enrol(state, "worker")
    csrf = await login(client, "worker")
    made = await (await client.post("/account/recovery", data={"csrf": csrf})).text()
    assert "New recovery codes are ready" in made
    # The next login may need one of them (both TOTP steps of now may be used).
    codes = re.findall(r"<li><code>([A-Z2-7-]+)</code></li>", made)
    RECOVERY[(str(state.accounts.second_factor.store.engine.url), "worker")] = codes
    page = await _next_login_shows(client, state, "worker", PASSWORDS["worker"],
                                   "New recovery codes were made for your login")  # fmt: skip
    assert "by you." in page


async def test_a_notice_is_dismissed_only_by_its_account_with_a_fresh_password(
    state: Web, client: Client
) -> None:
    state.accounts.reset("viewer", NEW_PASSWORD)
    state.accounts.reset("other", NEW_PASSWORD)
    (theirs,) = state.accounts.pending_notices("other")
    (mine,) = state.accounts.pending_notices("viewer")
    csrf = await login(client, "viewer", NEW_PASSWORD)
    forged = await client.post(f"/account/notices/{theirs.id}/dismiss", data={"csrf": csrf})
    assert forged.status == 404
    assert "other" not in await forged.text()
    assert state.accounts.pending_notices("other") == [theirs]
    no_csrf = await client.post(f"/account/notices/{mine.id}/dismiss", data={"csrf": "x"})
    assert no_csrf.status == 403
    _drop_reauth(client)
    asked = await client.post(f"/account/notices/{mine.id}/dismiss", data={"csrf": csrf})
    assert "Confirm it is you" in await asked.text()
    assert state.accounts.pending_notices("viewer") == [mine]


def test_the_demo_accounts_own_reset_leaves_no_notice(state: Web) -> None:
    state.accounts.reset("viewer", NEW_PASSWORD, told=False)
    assert state.accounts.pending_notices("viewer") == []
