"""Fixtures for the web side: a real app on a real database, an HTTP client, and Chromium.

Browser tests use Debian's `chromium` through Playwright's `executable_path` (Playwright's
own browser download is not available everywhere). When it is missing and we are root, we
install it with apt-get; otherwise the tests fail with what to do.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pyotp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App, load_app
from bot.runtime import build_runtime
from bot.web import Web, WebSettings, build_web, create_app
from bot.web.state import WEB

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
PASSWORDS = {
    "admin": "admin-password-123",
    "viewer": "viewer-password-123",
    "other": "other-password-123",
    "worker": "worker-password-123",
}
NEUTRAL = "http://127.0.0.1:9/neutral"  # nothing listens there: the tests never leave the box


@pytest.fixture(scope="session")
def safevoice_app() -> App:
    return load_app(ROOT / "config.toml")


def make_state(app: App, url: str, *, redis_url: str | None = None, **settings: object) -> Web:
    """The web side on a "test" runtime: memory stores, or Redis when `redis_url` is given
    (as `safevoice serve` wires it), on the SQL database at `url`."""
    runtime = build_runtime(app, "test", database_url=url, redis_url=redis_url)
    options: dict[str, object] = {"neutral_url": NEUTRAL, "purge_every": 3600.0} | settings
    state = build_web(runtime, WebSettings(**options))  # type: ignore[arg-type]
    state.accounts.add("admin", "admin", (), PASSWORDS["admin"])
    state.accounts.add("viewer", "viewer", ("shelter",), PASSWORDS["viewer"])
    state.accounts.add("other", "viewer", ("health",), PASSWORDS["other"])
    state.accounts.add("worker", "worker", ("*",), PASSWORDS["worker"])
    enrol(state, "admin")  # admins must log in with a second factor
    return state


# Recovery codes of enrolled test accounts, by (database, account): used when both TOTP
# steps a login may use now were used already (two logins within one 30 s step).
RECOVERY: dict[tuple[str, str], list[str]] = {}


def enrol(state: Web, name: str) -> str:
    """Set up `name`'s authenticator as the enrolment page does; returns the secret."""
    second = state.accounts.second_factor
    secret = second.begin(name)
    codes = second.confirm(name, pyotp.TOTP(secret).now())
    assert codes is not None
    RECOVERY[(str(second.store.engine.url), name)] = codes
    return secret


def second_code(state: Web, name: str) -> str:
    """A code the login's second step accepts now: a TOTP step not used yet, or else one
    of the account's recovery codes."""
    second = state.accounts.second_factor
    row = second.store.get(name)
    assert row is not None
    assert row.secret is not None, f"{name} has no second factor"
    keys = second.keys
    assert keys is not None
    secret, current = keys.open(name, row.secret), int(time.time() // 30)
    for step in (current, current + 1):
        if row.last_step is None or step > row.last_step:
            return pyotp.TOTP(secret).at(step * 30)
    return RECOVERY[(str(second.store.engine.url), name)].pop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/feedback.db"
    return str(request.getfixturevalue("pg_database_url"))


@pytest.fixture
def state(safevoice_app: App, tmp_path: Path) -> Iterator[Web]:
    web_state = make_state(safevoice_app, f"sqlite:///{tmp_path}/feedback.db")
    yield web_state
    web_state.store.close()


@pytest.fixture
async def client(state: Web) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    async with TestClient(TestServer(create_app(state), host="127.0.0.1")) as test_client:
        yield test_client


async def login(
    client: TestClient[web.Request, web.Application], name: str, password: str | None = None
) -> str:
    """Log in through the form like a browser; returns the session's CSRF token."""
    page = await client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', await page.text())
    assert token
    response = await client.post(
        "/login",
        data={
            "csrf": token[1],
            "name": name,
            "password": password or PASSWORDS[name],
            "next": "/dashboard",
        },
        allow_redirects=False,
    )
    assert response.status == 303, await response.text()
    state = client.server.app[WEB]
    if response.headers["Location"].startswith("/login/code"):
        form = {"csrf": token[1], "code": second_code(state, name), "next": "/dashboard"}
        response = await client.post("/login/code", data=form, allow_redirects=False)
        assert response.status == 303, await response.text()
    elif state.accounts.get(name).role in state.settings.mfa_roles and (  # type: ignore[union-attr]
        not state.accounts.second_factor.enrolled(name)
    ):
        enrol(state, name)  # what the forced set-up page would do
    advisor = state.accounts.get(name).role == "advisor"  # type: ignore[union-attr]
    dashboard = await client.get("/flows" if advisor else "/dashboard")  # an advisor has none
    csrf = re.search(r'name="csrf" value="([^"]+)"', await dashboard.text())
    assert csrf
    return csrf[1]


# -- a live server and Chromium, for the browser tests ------------------------------------


T = TypeVar("T")


@dataclass
class LiveServer:
    url: str
    state: Web
    loop: asyncio.AbstractEventLoop | None = None

    def call(self, work: Coroutine[Any, Any, T]) -> T:
        """Run `work` (a worker's desk action, the helplines job) on the server's loop,
        where its stores live, and wait for its result."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(20)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live(safevoice_app: App, tmp_path: Path) -> Iterator[LiveServer]:
    """The app served on 127.0.0.1 from its own thread and event loop."""
    port = _free_port()
    web_state = make_state(safevoice_app, f"sqlite:///{tmp_path}/feedback.db", port=port)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(create_app(web_state), access_log=None)
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert started.wait(20), "the web app did not start"
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", web_state, loop)
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(20)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(20)
        loop.close()
        web_state.store.close()


def _ensure_chromium() -> str:
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "chromium"], check=False, timeout=900,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    pytest.fail(
        f"Browser tests need Debian's Chromium at {CHROMIUM}. Install it with "
        "`sudo apt-get install -y chromium` (Playwright's own browser download is not used).",
        pytrace=False,
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    path = _ensure_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(locale="en-GB")  # type: ignore[attr-defined]
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


TODAY = dt.date.today()
