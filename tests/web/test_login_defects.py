"""Regression tests for the login defects of the staff web, each named after it."""

from __future__ import annotations

import dataclasses
import re

from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.app import App
from bot.config import Web as WebConfig
from bot.services.readiness import checklist
from bot.web import Web
from tests.web.conftest import PASSWORDS

Client = TestClient[web.Request, web.Application]


async def _post_login(
    client: Client, name: str, password: str, next_: str = "/dashboard", **headers: str
) -> web.Response:
    page = await client.get("/login", headers=headers)
    token = re.search(r'name="csrf" value="([^"]+)"', await page.text())
    assert token
    form = {"csrf": token[1], "name": name, "password": password, "next": next_}
    return await client.post("/login", data=form, allow_redirects=False, headers=headers)  # type: ignore[return-value]


async def test_login_next_with_tab_does_not_redirect_off_site(client: Client) -> None:
    # Browsers drop tabs and newlines from a Location, so "/\t/evil.example/" became
    # "//evil.example/": another site, after a real login.
    for sneaky in ("/\t/evil.example/", "/\n/evil.example/", "/\\evil.example/",
                   "/ /evil.example", "https://evil.example/", "/%09/evil.example/"):  # fmt: skip
        response = await _post_login(client, "viewer", PASSWORDS["viewer"], sneaky)
        assert response.status == 303
        location = response.headers["Location"]
        assert location == "/dashboard", location
        await client.post("/logout", data={"csrf": "x"})
    page = await client.get("/login?next=/%09/evil.example/")
    assert "evil.example" not in await page.text()


PROXY = "127.0.0.1"  # the test client's own address plays the reverse proxy


def _behind_proxy(state: Web) -> None:
    state.settings = dataclasses.replace(state.settings, trusted_proxies=(PROXY,))


async def test_five_wrong_passwords_by_a_stranger_do_not_lock_the_named_account(
    state: Web, client: Client
) -> None:
    _behind_proxy(state)
    stranger = {"X-Forwarded-For": "203.0.113.66"}
    statuses = [
        (await _post_login(client, "viewer", f"guess-{n}", **stranger)).status for n in range(7)
    ]
    assert statuses == [401] * 5 + [429] * 2  # the stranger is stopped...
    owner = {"X-Forwarded-For": "198.51.100.10"}
    response = await _post_login(client, "viewer", PASSWORDS["viewer"], **owner)
    assert response.status == 303  # ...and the account's owner logs in from elsewhere


async def test_behind_the_proxy_failures_by_anyone_do_not_block_every_staff_login(
    state: Web, client: Client
) -> None:
    _behind_proxy(state)
    attacker = {"X-Forwarded-For": "203.0.113.66"}
    for name in ("viewer", "worker", "other"):
        for n in range(5):
            await _post_login(client, name, f"guess-{n}", **attacker)
    for n, name in enumerate(("viewer", "worker", "other")):
        colleague = {"X-Forwarded-For": f"198.51.100.{20 + n}"}
        response = await _post_login(client, name, PASSWORDS[name], **colleague)
        assert response.status == 303, name
        await client.post("/logout", data={"csrf": "-"})


async def test_without_a_trusted_proxy_list_a_forged_header_changes_nothing(
    state: Web, client: Client
) -> None:
    # The header is believed only from a configured proxy: a client cannot dodge its own
    # limit by sending a new X-Forwarded-For with every guess.
    for n in range(5):
        await _post_login(client, "viewer", f"guess-{n}", **{"X-Forwarded-For": f"192.0.2.{n}"})
    response = await _post_login(client, "viewer", "guess-x", **{"X-Forwarded-For": "192.0.2.99"})
    assert response.status == 429
    # Other accounts from the same address are not locked by those five.
    assert (await _post_login(client, "worker", PASSWORDS["worker"])).status == 303


async def test_one_client_guessing_many_accounts_is_stopped(state: Web, client: Client) -> None:
    _behind_proxy(state)
    sprayer = {"X-Forwarded-For": "203.0.113.99"}
    limit = state.app.config.web.login_client_failures
    for n in range(limit):
        await _post_login(client, f"name-{n}", "guess-password", **sprayer)
    blocked = await _post_login(client, "worker", PASSWORDS["worker"], **sprayer)
    assert blocked.status == 429
    other = await _post_login(
        client, "worker", PASSWORDS["worker"], **{"X-Forwarded-For": "198.51.100.5"}
    )
    assert other.status == 303


def test_check_warns_when_the_tls_proxy_is_not_trusted(safevoice_app: App) -> None:
    def warnings(**web: object) -> list[str]:
        config = safevoice_app.config.model_copy(update={"web": WebConfig(**web)})  # type: ignore[arg-type]
        app = dataclasses.replace(safevoice_app, config=config)
        return [item.text for item in checklist(app, ("serve",)) if item.level == "warn"]

    assert "[web] trusted_proxies is empty behind a TLS proxy" in warnings(
        public_url="https://feedback.example.org"
    )
    assert "[web] trusted_proxies is empty behind a TLS proxy" not in warnings(
        public_url="https://feedback.example.org", trusted_proxies=("127.0.0.1",)
    )
