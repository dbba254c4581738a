"""Advisors' comments in the flow studio after they are written: the author edits their
own, any reviewer marks one resolved (shown folded, marked) or reopens it; each change is
audited without the words."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.storage.flow_comments import FlowComment, SqlFlowComments
from bot.web import Web
from tests.web.conftest import PASSWORDS, login

Client = TestClient[web.Request, web.Application]
FLOW = "/flows/13-15/service_feedback"
PASSWORD = "advisor-password-123"


@pytest.fixture
def comment(state: Web) -> int:
    for name in ("ada", "bea"):
        state.accounts.add(name, "advisor", (), PASSWORD)
        PASSWORDS[name] = PASSWORD
    state.accounts.add("sue", "supervisor", ("shelter",), PASSWORD)
    PASSWORDS["sue"] = PASSWORD
    found = FlowComment("ada", "13-15", "service_feedback", "13-15", "en", "felt_safe",
                        "Too direct", "Are you okay there?")  # fmt: skip
    return SqlFlowComments(state.store.engine).add(found)


def _section(page: str, step: str, after: str) -> str:
    return page[page.index(f'id="step-{step}"') : page.index(f'id="step-{after}"')]


async def test_the_author_edits_their_own_comment(state: Web, client: Client, comment: int) -> None:
    csrf = await login(client, "ada")
    page = await (await client.get(FLOW + "?lang=en")).text()
    assert f'action="{FLOW}/comments/{comment}/edit"' in page  # the author's own form
    assert ">Too direct</textarea>" in page
    form = {"csrf": csrf, "band": "13-15", "lang": "en", "text": "Gentler <b>please</b>",
            "suggestion": "Is it okay for you there?"}  # fmt: skip
    done = await client.post(f"{FLOW}/comments/{comment}/edit", data=form,
                             allow_redirects=False)  # fmt: skip
    assert done.status == 303
    assert done.headers["Location"] == f"{FLOW}?band=13-15&lang=en#comment-{comment}"
    section = _section(await (await client.get(done.headers["Location"])).text(),
                       "felt_safe", "not_safe")  # fmt: skip
    assert "<p>Gentler &lt;b&gt;please&lt;/b&gt;</p>" in section
    assert "<p>Too direct</p>" not in section
    assert "(edited " in section
    assert '<q lang="en">Is it okay for you there?</q>' in section
    [entry] = [e for e in state.store.audit_entries(20) if e.action == "flow-comment-edit"]
    assert entry.actor == "ada"
    assert entry.detail == f"13-15/service_feedback step=felt_safe comment={comment}"
    assert (await client.post(f"{FLOW}/comments/{comment}/edit",
                              data=form | {"text": "  "})).status == 400  # fmt: skip


async def test_another_reviewer_resolves_and_reopens_but_cannot_edit(
    state: Web, client: Client, comment: int
) -> None:
    csrf = await login(client, "bea")
    page = await (await client.get(FLOW)).text()
    assert f"/comments/{comment}/edit" not in page  # not bea's comment
    assert f'action="{FLOW}/comments/{comment}/resolve"' in page
    form = {"csrf": csrf, "band": "13-15", "lang": "en", "text": "Mine now"}
    refused = await client.post(f"{FLOW}/comments/{comment}/edit", data=form)
    assert refused.status == 403
    assert "your own comments" in await refused.text()
    stored = SqlFlowComments(state.store.engine).get(comment)
    assert stored is not None
    assert stored.text == "Too direct"

    done = await client.post(f"{FLOW}/comments/{comment}/resolve", data={"csrf": csrf},
                             allow_redirects=False)  # fmt: skip
    assert done.status == 303
    section = _section(await (await client.get(FLOW)).text(), "felt_safe", "not_safe")
    assert f'<li id="comment-{comment}" class="resolved"><details><summary>' in section
    assert "<strong>Resolved</strong>" in section
    assert "<strong>Resolved</strong> <span>by bea, " in section
    assert "<details open" not in section  # folded until opened
    assert f'action="{FLOW}/comments/{comment}/reopen"' in section

    await client.post(f"{FLOW}/comments/{comment}/reopen", data={"csrf": csrf})
    section = _section(await (await client.get(FLOW)).text(), "felt_safe", "not_safe")
    assert 'class="resolved"' not in section
    assert "<p>Too direct</p>" in section
    actions = [e.action for e in state.store.audit_entries(20) if e.actor == "bea"]
    assert "flow-comment-resolve" in actions
    assert "flow-comment-reopen" in actions
    for entry in state.store.audit_entries(20):
        assert "direct" not in entry.detail.casefold()  # never the words


async def test_only_reviewers_change_comments_and_only_on_their_flow(
    client: Client, comment: int
) -> None:
    csrf = await login(client, "sue")  # a supervisor reads the studio, writes nothing
    page = await (await client.get(FLOW)).text()
    assert "Too direct" in page
    assert "Mark resolved" not in page
    assert (await client.post(f"{FLOW}/comments/{comment}/resolve",
                              data={"csrf": csrf})).status == 403  # fmt: skip
    await client.post("/logout", data={"csrf": csrf})
    csrf = await login(client, "bea")
    other = f"/flows/common/start/comments/{comment}/resolve"
    for path in (other, f"{FLOW}/comments/nope/resolve", f"{FLOW}/comments/{comment + 1}/reopen"):
        answer = await client.post(path, data={"csrf": csrf})
        assert answer.status == 404, path
        assert "no such comment" in await answer.text()
    assert (await client.post(f"{FLOW}/comments/{comment}/resolve",
                              data={"csrf": "forged"})).status == 403  # fmt: skip
