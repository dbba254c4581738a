"""A staff member's open logins on /account, and ending them (ASVS 3.3.4)."""

from __future__ import annotations

import re

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.web import Web, create_app
from bot.web.sessions_view import describe
from tests.web.conftest import login
from tests.web.test_account_pages import _drop_reauth

Client = TestClient[web.Request, web.Application]
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


def _end_buttons(page: str) -> list[str]:
    return re.findall(r'action="/account/sessions/([0-9a-f]{32})/end"', page)


async def _second_browser(state: Web, name: str, agent: str) -> tuple[Client, str]:
    other = TestClient(TestServer(create_app(state), host="127.0.0.1"),
                       headers={"User-Agent": agent})  # fmt: skip
    await other.start_server()
    return other, await login(other, name)


def test_a_browser_is_described_coarsely() -> None:
    assert describe(FIREFOX) == "Firefox on Windows"
    assert describe(ANDROID) == "Chrome on Android"
    edge = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Chrome/131.0 Safari/537.36 Edg/131.0"
    assert describe(edge) == "Edge on macOS"
    iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Version/17.5 Safari/604.1"
    assert describe(iphone) == "Safari on iPhone or iPad"
    assert describe(None) == describe("curl/8.5") == "an unknown browser"


async def test_the_list_shows_this_login_and_another_one(state: Web) -> None:
    first, _ = await _second_browser(state, "viewer", FIREFOX)
    second, _ = await _second_browser(state, "viewer", ANDROID)
    try:
        page = await (await first.get("/account")).text()
        assert "Where you are logged in" in page
        assert "Firefox on Windows" in page
        assert "Chrome on Android" in page
        assert "This login" in page
        assert len(_end_buttons(page)) == 1  # the other one; this one ends with "Log out"
        assert "End all my other logins" in page
        assert "127.0.0.1" not in page  # no address, not even a local one
        assert "rv:133.0" not in page  # nor the full User-Agent
        assert "Pixel 8" not in page
    finally:
        await first.close()
        await second.close()


async def test_ending_the_other_login_logs_it_out(state: Web) -> None:
    mine, csrf = await _second_browser(state, "viewer", FIREFOX)
    theirs, _ = await _second_browser(state, "viewer", ANDROID)
    try:
        page = await (await mine.get("/account")).text()
        (other_id,) = _end_buttons(page)
        done = await mine.post(f"/account/sessions/{other_id}/end", data={"csrf": csrf},
                               allow_redirects=False)  # fmt: skip
        assert done.status == 303
        assert done.headers["Location"] == "/account?ended=1"
        after = await theirs.get("/dashboard", allow_redirects=False)
        assert after.status == 303
        assert after.headers["Location"].startswith("/login?next=")
        page = await (await mine.get("/account?ended=1")).text()
        assert "That login has ended." in page
        assert "Chrome on Android" not in page
        assert "session-end" in [e.action for e in state.store.audit_entries(actor="viewer")]
    finally:
        await mine.close()
        await theirs.close()


async def test_end_all_other_logins_keeps_this_one(state: Web) -> None:
    mine, csrf = await _second_browser(state, "viewer", FIREFOX)
    others = [(await _second_browser(state, "viewer", ANDROID))[0] for _ in range(2)]
    try:
        done = await mine.post("/account/sessions/end-others", data={"csrf": csrf},
                               allow_redirects=False)  # fmt: skip
        assert done.headers["Location"] == "/account?ended=2"
        for other in others:
            assert (await other.get("/dashboard", allow_redirects=False)).status == 303
        assert (await mine.get("/dashboard", allow_redirects=False)).status == 200
    finally:
        for client in (mine, *others):
            await client.close()


async def test_another_accounts_login_cannot_be_ended(state: Web) -> None:
    """A forged id (here: a real login of another account) is refused as "not found",
    with nothing said of whose it is; that login goes on."""
    mine, csrf = await _second_browser(state, "viewer", FIREFOX)
    theirs, _ = await _second_browser(state, "other", ANDROID)
    helper, _ = await _second_browser(state, "other", FIREFOX)
    try:
        their_ids = _end_buttons(await (await helper.get("/account")).text())
        assert len(their_ids) == 1
        for forged in (*their_ids, "f" * 32, "not-an-id"):
            refused = await mine.post(f"/account/sessions/{forged}/end", data={"csrf": csrf},
                                      allow_redirects=False)  # fmt: skip
            assert refused.status == 404, forged
            text = await refused.text()
            assert "other" not in text  # no name, no detail
            assert "Chrome" not in text
        assert (await theirs.get("/dashboard", allow_redirects=False)).status == 200
    finally:
        for client in (mine, theirs, helper):
            await client.close()


async def test_ending_a_login_needs_csrf_and_a_fresh_password(state: Web) -> None:
    mine, csrf = await _second_browser(state, "viewer", FIREFOX)
    theirs, _ = await _second_browser(state, "viewer", ANDROID)
    try:
        (other_id,) = _end_buttons(await (await mine.get("/account")).text())
        forged = await mine.post(f"/account/sessions/{other_id}/end", data={"csrf": "forged"})
        assert forged.status == 403
        _drop_reauth(mine)
        asked = await mine.post(f"/account/sessions/{other_id}/end", data={"csrf": csrf})
        assert asked.status == 403
        assert "Confirm it is you" in await asked.text()
        assert (await theirs.get("/dashboard", allow_redirects=False)).status == 200
    finally:
        await mine.close()
        await theirs.close()
