"""Regression tests for the login defects of the staff web, each named after it."""

from __future__ import annotations

import re

from aiohttp import web
from aiohttp.test_utils import TestClient

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
