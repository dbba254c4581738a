"""Any two versions of a flow, per step and language: two sign-offs, or one and the files
as they are now; the same comparison as "what changed since the sign-off"."""

from __future__ import annotations

import re
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.web import Web
from tests.web.conftest import login
from tests.web.test_flow_studio_edits import NEW, OLD, _write, client, edited

__all__ = ["client", "edited"]  # fixtures

Client = TestClient[web.Request, web.Application]
URL = "/flows/13-15/service_feedback"
LIKED = "What is good there?"


async def _sign(client: Client, csrf: str, lang: str = "en") -> None:
    form = {"csrf": csrf, "lang": lang, "band": "13-15"}
    done = await client.post(URL + "/signoff", data=form, allow_redirects=False)
    assert done.status == 303, await done.text()


def _choices(page: str) -> list[tuple[str, str]]:
    select = page[page.index('id="c-from"') : page.index("</select>")]
    return re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', select)


async def test_two_sign_offs_and_now_compared_per_step(
    edited: tuple[Web, Path], client: Client
) -> None:
    _, path = edited
    csrf = await login(client, "ada")
    good = path.read_text(encoding="utf-8")
    assert LIKED in good
    await _sign(client, csrf)  # version 1, as shipped
    await _sign(client, csrf, "ro")  # another language: not among the English versions
    second = good.replace("\nversion: 1\n", "\nversion: 2\n").replace(OLD, NEW)
    _write(path, second)
    await _sign(client, csrf)  # version 2
    _write(path, second.replace(LIKED, "What works well there?"))  # now: not signed off

    detail = await (await client.get(URL + "?lang=en")).text()
    assert 'href="/flows/13-15/service_feedback/compare?lang=en"' in detail
    page = await (await client.get(URL + "/compare?lang=en")).text()
    choices = _choices(page)
    assert [label.split(",")[0] for _, label in choices] == [
        "Version 1",
        "Version 2",
        "Now (the flow files as they are)",
    ]
    assert "signed off by ada (advisor)" in choices[0][1]
    first, later = choices[0][0], choices[1][0]
    # By default: the last sign-off against now.
    assert f'<option value="{later}" selected>' in page
    assert "What works well there?" in page
    assert OLD not in page.split('id="compared"')[1]

    old_new = await (await client.get(URL + f"/compare?lang=en&from={first}&to={later}")).text()
    table = old_new.split('id="compared"')[1]
    assert f'<span lang="en">{OLD}</span></td><td><span lang="en">{NEW}</span>' in table
    assert 'href="/flows/13-15/service_feedback?band=13-15&amp;lang=en#step-felt_safe"' in table
    assert "step-liked" not in table  # unchanged between those two
    across = await (await client.get(URL + f"/compare?lang=en&from={first}&to=now")).text()
    assert OLD in across
    assert "What works well there?" in across
    same = await (await client.get(URL + f"/compare?lang=en&from={first}&to={first}")).text()
    assert "No differences: both versions say the same." in same


async def test_the_romanian_versions_and_an_unknown_one(
    edited: tuple[Web, Path], client: Client
) -> None:
    csrf = await login(client, "ada")
    await _sign(client, csrf, "ro")
    page = await (await client.get(URL + "/compare?lang=ro")).text()
    [signed, now] = _choices(page)
    assert now[0] == "now"
    assert "No differences" in page  # nothing changed since the Romanian sign-off
    unknown = await client.get(URL + "/compare?lang=ro&from=0123456789abcdef&to=now")
    assert unknown.status == 400
    assert "Please pick two from the lists" in await unknown.text()
    assert (await client.get("/flows/13-15/nope/compare")).status == 404
    assert signed[0] != "now"
