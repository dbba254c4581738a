"""The meter under a new password (ASVS 2.1.8): the server's own check, asked while the
person types, so a refusal never comes as a surprise after sending."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from playwright.sync_api import expect

from tests.web.conftest import PASSWORDS, LiveServer, login

Client = TestClient[web.Request, web.Application]


async def test_the_strength_check_says_what_a_change_would_say(client: Client) -> None:
    csrf = await login(client, "viewer")
    for typed, ok, said in (
        ("password1234", False, "breached"),
        ("viewerviewer12", False, "too weak"),
        ("lantern-orchard-velvet-42", True, "Strong enough"),
    ):
        answer = await client.post("/account/password/strength", data={"csrf": csrf,
                                                                        "new": typed})  # fmt: skip
        assert answer.status == 200
        result = await answer.json()
        assert result["ok"] is ok, typed
        assert said in result["message"], typed
    # Like every form, it needs the session's token.
    assert (await client.post("/account/password/strength", data={"new": "x"})).status == 403


@pytest.mark.browser
def test_the_meter_shows_while_typing_in_chromium(live: LiveServer, page: Any) -> None:
    page.goto(f"{live.url}/login")
    page.fill("#name", "viewer")
    page.fill("#password", PASSWORDS["viewer"])
    page.click("button[type=submit]")
    page.goto(f"{live.url}/account")
    page.fill("#new", "password1234")
    meter = page.locator("#strength")
    expect(meter).to_contain_text("breached")
    page.fill("#new", "lantern-orchard-velvet-42")
    expect(meter).to_have_text("Strong enough.")
