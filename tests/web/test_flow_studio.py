"""The flow studio for survivor advisory groups: the advisor role (flows and review
tools, never feedback or cases) and the studio's pages."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.staff.accounts import Account, AccountError
from bot.web import Web
from bot.web.chat_visit import HEADER
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


async def test_an_advisor_comments_on_a_step_with_a_suggested_wording(
    state: Web, client: Client, advisor: str
) -> None:
    csrf = await login(client, advisor)
    form = {"csrf": csrf, "step": "felt_safe", "band": "13-15", "lang": "ro",
            "text": "Too direct <script>alert(1)</script>",
            "suggestion": "Te simți bine acolo?"}  # fmt: skip
    added = await client.post("/flows/13-15/service_feedback/comments", data=form,
                              allow_redirects=False)  # fmt: skip
    assert added.status == 303
    assert (
        added.headers["Location"]
        == "/flows/13-15/service_feedback?band=13-15&lang=ro#step-felt_safe"
    )
    page = await (await client.get(added.headers["Location"])).text()
    section = page[page.index('id="step-felt_safe"') : page.index('id="step-not_safe"')]
    assert "Too direct &lt;script&gt;alert(1)&lt;/script&gt;" in section
    assert "<script>alert" not in page
    assert 'Suggested wording: <q lang="ro">Te simți bine acolo?</q>' in section
    assert "<strong>ada</strong>" in section
    [entry] = [e for e in state.store.audit_entries(10) if e.action == "flow-comment"]
    assert entry.actor == "ada"
    assert "felt_safe" in entry.detail
    assert "direct" not in entry.detail  # never the words


async def test_a_comment_needs_words_a_real_step_and_the_form_token(
    client: Client, advisor: str
) -> None:
    csrf = await login(client, advisor)
    url = "/flows/13-15/service_feedback/comments"
    base = {"csrf": csrf, "step": "felt_safe", "band": "13-15", "lang": "en", "text": "ok"}
    assert (await client.post(url, data=base | {"text": "  "})).status == 400
    assert (await client.post(url, data=base | {"step": "nope"})).status == 400
    assert (await client.post(url, data=base | {"text": "x" * 2001})).status == 400
    assert (await client.post(url, data=base | {"csrf": "forged"})).status == 403


async def test_a_supervisor_reads_comments_but_cannot_add_them(
    state: Web, client: Client, advisor: str
) -> None:
    state.accounts.add("sue", "supervisor", ("shelter",), ADVISOR)
    PASSWORDS["sue"] = ADVISOR
    csrf = await login(client, "sue")
    page = await (await client.get("/flows/13-15/service_feedback")).text()
    assert "Comments" in page
    assert "Add comment" not in page
    form = {"csrf": csrf, "step": "felt_safe", "band": "13-15", "lang": "en", "text": "x"}
    assert (await client.post("/flows/13-15/service_feedback/comments", data=form)).status == 403


async def test_a_preview_turn_says_where_it_is_and_a_live_one_does_not(client: Client) -> None:
    await client.get("/chat?flow=service_feedback&band=13-15&lang=en")
    token = (await (await client.get("/chat/state")).json())["visit"]
    start = {"kind": "start", "preview": True, "flow": "service_feedback", "band": "13-15",
             "lang": "en"}  # fmt: skip
    data = await (await client.post("/chat/turn", json=start, headers={HEADER: token})).json()
    ask = data["ask"]
    assert data["at"] == {"scope": "13-15", "flow": "service_feedback", "step": ask["step"]}
    value = ask["skip"]["value"] if ask.get("skip") else ask["options"][0]["value"]
    turn = {"kind": "button", "value": value, "step": ask["step"], "preview": True}
    data = await (await client.post("/chat/turn", json=turn, headers={HEADER: token})).json()
    assert data["at"]["step"] == data["ask"]["step"] != ask["step"]  # it moved on
    live = await client.post("/chat/turn", json={"kind": "start"}, headers={HEADER: token})
    assert "at" not in await live.json()  # the live chat never says
