"""Every route needs a login except login and the chat; CSRF; brute force; roles; cookies."""

from __future__ import annotations

import re

import pytest
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer

from bot.web import Web, create_app
from bot.web.state import LOGIN_COOKIE, STAFF_COOKIE, is_public, role_needed
from tests.web.conftest import PASSWORDS, login, second_code

Client = TestClient[web.Request, web.Application]
PUBLIC = {"/login", "/login/code", "/chat", "/chat/state", "/chat/turn", "/chat/leave",
          "/chat/events", "/static/{name}"}  # fmt: skip


def _routes(state: Web) -> list[tuple[str, str, object]]:
    app = create_app(state)
    found = []
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = str(info.get("path") or info.get("formatter"))
        found.append((route.method, path, route.handler))
    return found


def _concrete(path: str) -> str:
    # Fill route parameters with plausible values.
    path = path.replace("{fmt:csv|json}", "csv")
    return re.sub(r"\{[^}]+\}", "shelter", path)


def test_only_login_chat_and_static_are_public(state: Web) -> None:
    public = {path for _, path, handler in _routes(state) if is_public(handler)}
    assert public == PUBLIC


def test_admin_routes_need_the_admin_role(state: Web) -> None:
    for _, path, handler in _routes(state):
        if path.startswith("/admin"):
            assert role_needed(handler) == "admin", path


def test_desk_routes_need_the_worker_role(state: Web) -> None:
    desk = [(path, handler) for _, path, handler in _routes(state) if path.startswith("/desk")]
    assert "/desk/ws" in {path for path, _ in desk}
    for path, handler in desk:
        wanted = "supervisor" if path.endswith("/take-over") else "worker"
        assert role_needed(handler) == wanted, path


def test_update_routes_need_the_publish_role(state: Web) -> None:
    found = [(path, handler) for _, path, handler in _routes(state) if path.startswith("/updates")]
    assert {"/updates", "/updates/{update_id}/approve"} <= {path for path, _ in found}
    for path, handler in found:
        assert role_needed(handler) == "worker", path


async def test_a_viewer_is_refused_every_update_route(state: Web, client: Client) -> None:
    csrf = await login(client, "viewer")
    for method, path, _ in _routes(state):
        if not path.startswith("/updates") or method == "HEAD":
            continue
        data = {"csrf": csrf, "question": "shelter|felt_safe", "lang": "en", "said": "x",
                "changed": "y"}  # fmt: skip
        response = await client.request(method, _concrete(path), data=data if method == "POST"
                                         else None, allow_redirects=False)  # fmt: skip
        assert response.status == 403, path


async def test_a_viewer_is_refused_every_desk_route_and_the_websocket(
    state: Web, client: Client
) -> None:
    csrf = await login(client, "viewer")
    for method, path, _ in _routes(state):
        if not path.startswith("/desk") or method == "HEAD":
            continue
        data = {"csrf": csrf, "display_name": "X", "text": "x", "to": "desk:web"}
        response = await client.request(method, _concrete(path), data=data if method == "POST"
                                         else None, allow_redirects=False)  # fmt: skip
        assert response.status == 403, path
    # The websocket upgrade itself, with a valid token and origin: still refused.
    origin = str(client.make_url("/")).rstrip("/")
    upgrade = await client.get(
        f"/desk/ws?csrf={csrf}",
        headers={"Connection": "Upgrade", "Upgrade": "websocket", "Origin": origin,
                 "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="},
    )  # fmt: skip
    assert upgrade.status == 403


async def test_the_desk_websocket_without_login_is_refused(client: Client) -> None:
    origin = str(client.make_url("/")).rstrip("/")
    upgrade = await client.get(
        "/desk/ws?csrf=x",
        headers={"Connection": "Upgrade", "Upgrade": "websocket", "Origin": origin,
                 "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="},
        allow_redirects=False,
    )  # fmt: skip
    assert upgrade.status == 303
    assert upgrade.headers["Location"].startswith("/login?next=")


async def test_every_route_without_login_is_refused(state: Web, client: Client) -> None:
    for method, path, handler in _routes(state):
        if is_public(handler) or method == "HEAD":
            continue
        response = await client.request(method, _concrete(path), allow_redirects=False)
        body = await response.text()
        assert "Feedback" not in body, path
        assert "audit" not in body.lower(), path
        if method == "GET":
            assert response.status == 303, path
            assert response.headers["Location"].startswith("/login?next="), path
        else:
            assert response.status == 401, path


async def test_unknown_paths_need_a_login_too(client: Client) -> None:
    response = await client.get("/no/such/page", allow_redirects=False)
    assert response.status == 303


async def test_a_form_without_the_right_csrf_token_is_refused(client: Client) -> None:
    csrf = await login(client, "admin")
    wrong = await client.post("/admin/users", data={"csrf": "nope", "name": "mallory",
                                                     "role": "admin", "scope": "*"})  # fmt: skip
    assert wrong.status == 403
    missing = await client.post("/logout", data={})
    assert missing.status == 403
    form = {"csrf": csrf, "name": "carol", "role": "viewer", "scope": "shelter"}
    right = await client.post("/admin/users", data=form)
    assert right.status == 200
    assert "carol" in await right.text()


async def test_the_login_form_checks_its_own_csrf_cookie(client: Client) -> None:
    await client.get("/login")
    response = await client.post(
        "/login", data={"csrf": "forged", "name": "admin", "password": PASSWORDS["admin"]},
        allow_redirects=False,
    )  # fmt: skip
    assert response.status == 403
    assert STAFF_COOKIE not in {c.key for c in client.session.cookie_jar}


async def test_login_brute_force_is_rate_limited(state: Web, client: Client) -> None:
    statuses = []
    for attempt in range(7):
        page = await client.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', await page.text())
        assert token
        response = await client.post(
            "/login", data={"csrf": token[1], "name": "admin", "password": f"guess-{attempt}"},
            allow_redirects=False,
        )  # fmt: skip
        statuses.append(response.status)
    assert statuses[:5] == [401] * 5
    assert statuses[5:] == [429, 429]
    # Even the right password is refused while the account is locked.
    page = await client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', await page.text())
    assert token
    response = await client.post(
        "/login", data={"csrf": token[1], "name": "admin", "password": PASSWORDS["admin"]},
        allow_redirects=False,
    )  # fmt: skip
    assert response.status == 429
    actions = [e.action for e in state.store.audit_entries()]
    assert "login-failed" in actions
    assert "login-blocked" in actions


@pytest.mark.parametrize("path", ["/admin/users", "/admin/audit"])
async def test_a_viewer_cannot_open_admin_pages(client: Client, path: str) -> None:
    csrf = await login(client, "viewer")
    assert (await client.get(path)).status == 403
    raw = await client.post("/admin/export/raw", data={"csrf": csrf})
    assert raw.status == 403


async def test_cookie_flags(client: Client) -> None:
    page = await client.get("/login")
    login_cookie = page.cookies[LOGIN_COOKIE]
    assert login_cookie["httponly"]
    assert login_cookie["samesite"] == "Strict"
    token = re.search(r'name="csrf" value="([^"]+)"', await page.text())
    assert token
    response = await client.post(
        "/login", data={"csrf": token[1], "name": "viewer", "password": PASSWORDS["viewer"]},
        allow_redirects=False,
    )  # fmt: skip
    cookie = response.cookies[STAFF_COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/"
    assert not cookie["secure"]  # localhost: http; see the next test for elsewhere
    # The chat keeps its visit in the tab's sessionStorage, not in a cookie that would
    # outlive the tab on a shared computer (tests/web/test_chat_visits.py).
    chat = await client.get("/chat")
    assert "Set-Cookie" not in chat.headers


async def test_cookies_are_secure_outside_localhost(state: Web) -> None:
    from dataclasses import replace

    state.settings = replace(state.settings, host="safevoice.example.org")
    async with TestClient(TestServer(create_app(state), host="127.0.0.1")) as remote:
        page = await remote.get("/login")
        assert page.cookies["__Host-" + LOGIN_COOKIE]["secure"]
        assert "max-age" in page.headers["Strict-Transport-Security"]


def _set_cookies(response: ClientResponse) -> dict[str, str]:
    """Each Set-Cookie header by cookie name, as the browser receives it."""
    return {h.split("=", 1)[0]: h for h in response.headers.getall("Set-Cookie", [])}


def _host_prefixed(header: str) -> bool:
    """What a browser demands of a __Host- cookie, and what we add (ASVS 3.4.2, 3.4.3)."""
    parts = [p.strip().lower() for p in header.split(";")]
    return (header.startswith("__Host-") and "secure" in parts and "path=/" in parts
            and not any(p.startswith("domain=") for p in parts)
            and "httponly" in parts and "samesite=strict" in parts)  # fmt: skip


async def test_staff_cookies_take_the_host_prefix_behind_tls(state: Web) -> None:
    """ASVS 3.4.4. The test client speaks http, and (like a browser) keeps Secure cookies
    from it; so each request sends the cookies it needs by hand."""
    from dataclasses import replace

    state.settings = replace(state.settings, public_url="https://safevoice.example.org")
    async with TestClient(TestServer(create_app(state), host="127.0.0.1")) as remote:
        page = await remote.get("/login")
        login_cookie = _set_cookies(page)["__Host-sv_login"]
        assert _host_prefixed(login_cookie)
        token = login_cookie.split(";")[0].split("=", 1)[1]
        form = {"csrf": token, "name": "admin", "password": PASSWORDS["admin"]}
        # The bare name is not the form's token any more: it is refused.
        bare = await remote.post("/login", data=form, headers={"Cookie": f"sv_login={token}"},
                                 allow_redirects=False)  # fmt: skip
        assert bare.status == 403
        first = await remote.post("/login", data=form, allow_redirects=False,
                                  headers={"Cookie": f"__Host-sv_login={token}"})  # fmt: skip
        assert first.status == 303
        pending = _set_cookies(first)["__Host-sv_mfa"]
        assert _host_prefixed(pending)
        cookie = f"__Host-sv_login={token}; {pending.split(';')[0]}"
        code = {"csrf": token, "code": second_code(state, "admin"), "next": "/dashboard"}
        second = await remote.post("/login/code", data=code, allow_redirects=False,
                                   headers={"Cookie": cookie})  # fmt: skip
        assert second.status == 303, await second.text()
        made = _set_cookies(second)
        assert _host_prefixed(made["__Host-sv_staff"])
        assert _host_prefixed(made["__Host-sv_reauth"])
        assert {"sv_staff", "sv_reauth", "sv_login", "sv_mfa"}.isdisjoint(made)
        session = made["__Host-sv_staff"].split(";")[0]
        assert (await remote.get("/account", headers={"Cookie": session})).status == 200
        # The same token under the bare name (planted by a sibling subdomain, say) is
        # not a session here.
        bare_session = session.removeprefix("__Host-")
        refused = await remote.get("/account", headers={"Cookie": bare_session},
                                   allow_redirects=False)  # fmt: skip
        assert refused.status == 303
        assert refused.headers["Location"].startswith("/login")


async def test_local_http_keeps_bare_cookie_names(client: Client) -> None:
    """Browsers refuse __Host- cookies without Secure, and plain http to localhost (demo,
    tests) cannot have Secure ones: there the names stay bare, on Path=/ all the same."""
    page = await client.get("/login")
    header = _set_cookies(page)[LOGIN_COOKIE]
    parts = [p.strip().lower() for p in header.split(";")]
    assert "path=/" in parts
    assert "secure" not in parts


async def test_security_headers(client: Client) -> None:
    for path in ("/chat", "/login"):
        response = await client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp
        assert "script-src 'self'" in csp
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "Server" not in response.headers


async def test_sessions_end_after_idle_and_absolute_timeouts(state: Web, client: Client) -> None:
    now = [0.0]
    state.book.clock = lambda: now[0]
    await login(client, "viewer")
    now[0] += state.book.idle - 1
    assert (await client.get("/dashboard", allow_redirects=False)).status == 200
    now[0] += state.book.idle + 1
    assert (await client.get("/dashboard", allow_redirects=False)).status == 303
    await login(client, "viewer")
    for _ in range(int(state.book.absolute // (state.book.idle / 2)) + 1):
        now[0] += state.book.idle / 2
        response = await client.get("/dashboard", allow_redirects=False)
    assert response.status == 303


async def test_disabling_an_account_ends_its_sessions(state: Web, client: Client) -> None:
    await login(client, "viewer")
    state.accounts.set_disabled("viewer")
    assert (await client.get("/dashboard", allow_redirects=False)).status == 303


async def test_the_next_parameter_cannot_redirect_off_site(client: Client) -> None:
    page = await client.get("/login?next=//evil.example/x")
    assert "evil.example" not in await page.text()


async def test_logout_ends_the_session(client: Client) -> None:
    csrf = await login(client, "viewer")
    out = await client.post("/logout", data={"csrf": csrf})
    assert out.status == 200
    assert (await client.get("/dashboard", allow_redirects=False)).status == 303
    # The browser forgets the staff pages it cached and anything stored for the site.
    assert out.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
