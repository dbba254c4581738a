"""The flow studio for survivor advisory groups: the advisor role (flows and review
tools, never feedback or cases) and the studio's pages."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.staff.accounts import Account, AccountError
from bot.web import Web
from tests.web.conftest import PASSWORDS, login

Client = TestClient[web.Request, web.Application]
ADVISOR = "advisor-password-123"


@pytest.fixture
def advisor(state: Web) -> str:
    state.accounts.add("ada", "advisor", (), ADVISOR)
    PASSWORDS["ada"] = ADVISOR
    return "ada"


def test_an_advisor_is_outside_the_ladder() -> None:
    ada = Account("ada", "advisor", ())
    assert ada.allows("advisor")
    assert ada.allows("any")
    assert not any(ada.allows(rung) for rung in ("viewer", "worker", "supervisor", "admin"))
    assert not ada.sees("shelter")
    assert Account("al", "admin", ()).allows("advisor")
    assert Account("sue", "supervisor", ("shelter",)).allows("advisor")
    assert not Account("wes", "worker", ("*",)).allows("advisor")
    assert not Account("vi", "viewer", ("*",)).allows("advisor")


def test_an_advisor_holds_no_organisation(state: Web) -> None:
    with pytest.raises(AccountError, match="no organisations"):
        state.accounts.add("bea", "advisor", ("shelter",), ADVISOR)
    with pytest.raises(AccountError, match="no organisations"):
        state.accounts.add("bea", "advisor", ("*",), ADVISOR)


async def test_an_advisor_opens_the_studio_and_nothing_else(client: Client, advisor: str) -> None:
    await login(client, advisor)
    home = await client.get("/", allow_redirects=False)
    assert home.headers["Location"] == "/flows"
    studio = await (await client.get("/flows")).text()
    assert 'href="/dashboard"' not in studio
    assert 'href="/desk"' not in studio
    assert (await client.get("/flows/13-15/service_feedback")).status == 200
    assert (await client.get("/account")).status == 200
    for path in ("/dashboard", "/dashboard/export.csv", "/desk", "/updates", "/admin/users",
                 "/admin/audit"):  # fmt: skip
        assert (await client.get(path, allow_redirects=False)).status == 403, path


async def test_an_admin_adds_an_advisor_on_the_web(state: Web, client: Client) -> None:
    csrf = await login(client, "admin")
    page = await (await client.get("/admin/users")).text()
    assert '<option value="advisor"' in page
    added = await client.post(
        "/admin/users", data={"csrf": csrf, "name": "bea", "role": "advisor", "scope": ""}
    )
    assert "shown only now" in await added.text()
    assert state.accounts.get("bea") == Account("bea", "advisor", ())


async def test_the_diagram_labels_branches_and_shows_options(client: Client, advisor: str) -> None:
    await login(client, advisor)
    page = await (await client.get("/flows/13-15/service_feedback")).text()
    assert "if service was answered → overall" in page
    assert "otherwise → which_service" in page
    assert "if felt_safe is “no” → not_safe" in page
    assert "If “Yes, please” is chosen: " in page  # the step list, in words
    assert "Options: Yes, please · Not now" in page
    assert "<li>I feel safe</li>" in page
    assert 'aria-current="true">English' in page


async def test_the_diagram_shows_the_texts_in_the_chosen_language(
    client: Client, advisor: str
) -> None:
    await login(client, advisor)
    page = await (await client.get("/flows/13-15/service_feedback?lang=ro")).text()
    assert "Te simți în siguranță acolo?" in page
    assert "if “Da, te rog” is chosen → get_person" in page
    assert "Do you feel safe there?" not in page
    unknown = await (await client.get("/flows/13-15/service_feedback?lang=xx")).text()
    assert "Do you feel safe there?" in unknown  # the source language
