"""Two `safevoice serve` processes behind a load balancer, sharing one Redis and one database.

Each "process" is its own runtime (its own Redis clients, stores and pub/sub listener) and
its own aiohttp app; a request may land on either. What one process keeps must hold on the
other: staff logins and their CSRF tokens, logouts and password resets, failed-login
counts, and a worker's words for a web chat visitor whose long poll waits elsewhere.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App
from bot.runtime import Runtime, build_runtime
from bot.web import Web, WebSettings, build_web, create_app
from bot.web.state import STAFF_COOKIE
from tests.web.conftest import NEUTRAL, PASSWORDS, login
from tests.web.test_desk import Visitor, _frames, _label, _ws

pytestmark = pytest.mark.redis

Client = TestClient[web.Request, web.Application]
SECRET = b"the-same-secret-on-every-process-0123456789"


@dataclass
class Process:
    runtime: Runtime
    state: Web
    client: Client


@pytest.fixture
async def processes(
    safevoice_app: App, tmp_path: object, redis_url: str
) -> AsyncIterator[tuple[Process, Process]]:
    app = safevoice_app.with_secret(SECRET)  # production requires one shared secret
    database = f"sqlite:///{tmp_path}/feedback.db"
    made: list[Process] = []
    try:
        for _ in range(2):
            runtime = build_runtime(app, "test", database_url=database, redis_url=redis_url)
            settings = WebSettings(neutral_url=NEUTRAL, purge_every=3600.0, poll_timeout=10.0)
            state = build_web(runtime, settings)
            client: Client = TestClient(TestServer(create_app(state), host="127.0.0.1"))
            await client.start_server()
            made.append(Process(runtime, state, client))
        for name in ("admin", "viewer", "worker"):
            made[0].state.accounts.add(name, name, ("*",), PASSWORDS[name])
        yield made[0], made[1]
    finally:
        for process in made:
            await process.client.close()
            await process.runtime.close()


def _carry_staff_cookie(source: Client, target: Client) -> None:
    """The browser's cookie, presented to the other process by the load balancer."""
    token = next(c.value for c in source.session.cookie_jar if c.key == STAFF_COOKIE)
    target.session.cookie_jar.update_cookies({STAFF_COOKIE: token}, target.make_url("/"))


async def _try_login(client: Client, name: str, password: str) -> int:
    page = await client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', await page.text())
    assert token
    form = {"csrf": token[1], "name": name, "password": password}
    response = await client.post("/login", data=form, allow_redirects=False)
    return response.status


async def test_staff_session_opened_on_one_process_is_valid_on_another(
    processes: tuple[Process, Process],
) -> None:
    a, b = processes
    csrf = await login(a.client, "viewer")
    _carry_staff_cookie(a.client, b.client)
    assert (await b.client.get("/dashboard", allow_redirects=False)).status == 200
    # The CSRF token the page on A holds is good for a form posted to B: log out there.
    assert (await b.client.post("/logout", data={"csrf": csrf})).status == 200
    assert (await a.client.get("/dashboard", allow_redirects=False)).status == 303


async def test_a_password_reset_on_one_process_ends_sessions_on_another(
    processes: tuple[Process, Process],
) -> None:
    a, b = processes
    await login(a.client, "viewer")
    admin_csrf = await login(b.client, "admin")
    reset = await b.client.post("/admin/users/viewer/reset", data={"csrf": admin_csrf})
    assert reset.status == 200
    # The account is still active: only the shared session store can have ended this.
    assert (await a.client.get("/dashboard", allow_redirects=False)).status == 303


async def test_a_login_ended_from_the_account_page_on_one_process_ends_on_another(
    processes: tuple[Process, Process],
) -> None:
    """ASVS 3.3.4: the list and the ending both go through the shared Redis store."""
    a, b = processes
    await login(a.client, "viewer")
    csrf = await login(b.client, "viewer")
    page = await (await b.client.get("/account")).text()
    (other,) = re.findall(r'action="/account/sessions/([0-9a-f]{32})/end"', page)
    done = await b.client.post(f"/account/sessions/{other}/end", data={"csrf": csrf},
                               allow_redirects=False)  # fmt: skip
    assert done.status == 303
    assert (await a.client.get("/dashboard", allow_redirects=False)).status == 303
    assert (await b.client.get("/dashboard", allow_redirects=False)).status == 200


async def test_login_failures_on_one_process_block_on_another(
    processes: tuple[Process, Process],
) -> None:
    a, b = processes
    statuses = [await _try_login(a.client, "admin", f"guess-{n}") for n in range(3)]
    statuses += [await _try_login(b.client, "admin", f"guess-{n}") for n in range(3, 5)]
    assert statuses == [401] * 5
    assert await _try_login(a.client, "admin", PASSWORDS["admin"]) == 429
    assert await _try_login(b.client, "admin", PASSWORDS["admin"]) == 429


async def test_worker_message_sent_on_process_b_reaches_visitor_polling_process_a(
    processes: tuple[Process, Process],
) -> None:
    a, b = processes
    visitor = Visitor(a.client)
    try:
        await visitor.open()
        csrf = await login(b.client, "worker")
        queue = await _ws(b.client, csrf)
        assert (await _frames(queue, "queue", []))["cases"] == []
        await visitor.turn("command", "person")  # the case opens on A
        label = _label(await _frames(queue, "queue", []))
        await queue.close()

        polling = asyncio.create_task(visitor.poll())  # the page's long poll, held by A
        await asyncio.sleep(0.2)
        assert not polling.done()
        started = time.monotonic()
        form = {"csrf": csrf, "display_name": "Ana"}
        assert (await b.client.post(f"/desk/case/{label}/claim", data=form)).status == 200
        told = await asyncio.wait_for(polling, 9.0)
        assert time.monotonic() - started < 5.0  # woken by B's message, not by the timeout
        assert any("Ana from our team is here now" in m["text"] for m in told)

        polling = asyncio.create_task(visitor.poll())
        await asyncio.sleep(0.2)
        sent = await b.client.post(
            f"/desk/case/{label}/send", data={"csrf": csrf, "text": "Hello, I am here."},
            headers={"Accept": "application/json"},
        )  # fmt: skip
        assert (await sent.json()) == {"ok": True}
        texts = [m["text"] for m in await asyncio.wait_for(polling, 9.0)]
        assert texts == ["Ana: Hello, I am here."]
    finally:
        await visitor.close()
