"""The flow studio and "try it" show an edited flow file without a restart; the live
conversation keeps the flows it started with; a broken edit is explained, not a crash."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import load_app
from bot.cli import main
from bot.web import Web, create_app
from bot.web.chat_visit import HEADER
from bot.web.reauth import REAUTH_COOKIE
from tests.web.conftest import PASSWORDS, ROOT, login, make_state

Client = TestClient[web.Request, web.Application]
OLD, NEW = "Do you feel safe there?", "Do you feel safe at this place?"


@pytest.fixture
def edited(tmp_path: Path) -> Iterator[tuple[Web, Path]]:
    flows = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", flows)
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = text.replace('flows_dir = "flows"', f'flows_dir = "{flows}"')
    text = text.replace('locales_dir = "locales"', f'locales_dir = "{ROOT / "locales"}"')
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    state = make_state(load_app(tmp_path / "config.toml"), f"sqlite:///{tmp_path}/f.db")
    state.accounts.add("ada", "advisor", (), "advisor-password-123")
    PASSWORDS["ada"] = "advisor-password-123"
    yield state, flows / "13-15" / "service_feedback.yaml"
    state.store.close()


@pytest.fixture
async def client(edited: tuple[Web, Path]) -> AsyncIterator[Client]:
    async with TestClient(TestServer(create_app(edited[0]), host="127.0.0.1")) as test_client:
        yield test_client


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    later = path.stat().st_mtime + 5  # a clearly newer time, whatever the file system's grain
    os.utime(path, (later, later))


async def _preview_texts(client: Client) -> str:
    page = await client.get("/chat?flow=service_feedback&band=13-15&lang=en")
    assert page.status == 200
    token = (await (await client.get("/chat/state")).json())["visit"]
    payload: dict[str, Any] = {"kind": "start", "preview": True, "flow": "service_feedback",
                               "band": "13-15", "lang": "en"}  # fmt: skip
    data = await (await client.post("/chat/turn", json=payload, headers={HEADER: token})).json()
    # Press on until felt_safe is asked: skip the scale.
    for _ in range(4):
        ask = next(m for m in reversed(data["messages"]) if m["input"] != "none")
        if ask["step"] == "felt_safe":
            return str(ask["text"])
        value = ask["skip"]["value"] if ask.get("skip") else ask["options"][0]["value"]
        turn = {"kind": "button", "value": value, "step": ask["step"], "preview": True}
        data = await (await client.post("/chat/turn", json=turn, headers={HEADER: token})).json()
    raise AssertionError(data)


async def test_an_edit_shows_in_the_studio_and_the_preview_without_a_restart(
    edited: tuple[Web, Path], client: Client
) -> None:
    state, path = edited
    await login(client, "ada")
    assert OLD in await _preview_texts(client)
    _write(path, path.read_text(encoding="utf-8").replace(OLD, NEW))
    assert NEW in await (await client.get("/flows/13-15/service_feedback")).text()
    assert NEW in await _preview_texts(client)
    live = state.conversation.engine.flows.get("13-15", "service_feedback")
    assert live is not None
    assert live.step("felt_safe").text == OLD  # type: ignore[union-attr]  # the live flows stay


async def test_a_broken_edit_is_explained_and_the_preview_keeps_working(
    edited: tuple[Web, Path], client: Client
) -> None:
    _, path = edited
    await login(client, "ada")
    good = path.read_text(encoding="utf-8")
    _write(path, good.replace("next: felt_safe", "next: no_such_step"))
    page = await (await client.get("/flows/13-15/service_feedback")).text()
    assert "The last edit needs a fix" in page
    assert "service_feedback.yaml" in page
    assert "no_such_step" in page
    assert OLD in await _preview_texts(client)  # the last version that worked
    _write(path, good.replace(OLD, NEW))
    fixed = await (await client.get("/flows")).text()
    assert "The last edit needs a fix" not in fixed
    assert NEW in await _preview_texts(client)


async def test_a_web_sign_off_is_the_one_flows_status_shows(
    edited: tuple[Web, Path], client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    state, path = edited
    csrf = await login(client, "ada")
    url = "/flows/13-15/service_feedback/signoff"
    client.session.cookie_jar.clear(lambda cookie: cookie.key == REAUTH_COOKIE)
    asked = await client.post(url, data={"csrf": csrf, "lang": "ro", "band": "13-15"})
    assert asked.status == 403
    assert "Confirm it is you" in await asked.text()
    confirmed = await client.post("/account/confirm", data={
        "csrf": csrf, "password": "advisor-password-123", "next": "/flows"})  # fmt: skip
    assert confirmed.status == 200
    done = await client.post(url, data={"csrf": csrf, "lang": "ro", "band": "13-15"},
                             allow_redirects=False)  # fmt: skip
    assert done.status == 303, await done.text()
    page = await (await client.get(done.headers["Location"])).text()
    assert "signed off by ada (advisor)" in page
    [entry] = [e for e in state.store.audit_entries(20) if e.action == "flow-signoff"]
    assert entry.detail.startswith("13-15/service_feedback v1 lang=ro content=")
    capsys.readouterr()
    assert main(["--config", str(path.parents[2] / "config.toml"), "flows", "status"]) == 0
    lines = capsys.readouterr().out.splitlines()
    [row] = [line for line in lines if line.startswith("13-15/service_feedback") and " ro " in line]
    assert "signed off by ada (advisor)" in row
    assert entry.detail.endswith(row.split()[3])  # the same content hash


async def test_a_sign_off_waits_for_a_broken_edit_to_be_fixed(
    edited: tuple[Web, Path], client: Client
) -> None:
    _, path = edited
    csrf = await login(client, "ada")
    _write(path, path.read_text(encoding="utf-8").replace("next: felt_safe", "next: nowhere"))
    refused = await client.post("/flows/13-15/service_feedback/signoff",
                                data={"csrf": csrf, "lang": "en", "band": "13-15"})  # fmt: skip
    assert refused.status == 409
    assert "need a fix" in await refused.text()
    assert not (path.parents[1] / "signoffs.toml").exists()


async def test_what_changed_since_the_sign_off_per_step(
    edited: tuple[Web, Path], client: Client
) -> None:
    _, path = edited
    csrf = await login(client, "ada")
    url = "/flows/13-15/service_feedback"
    before = await (await client.get(url + "?lang=en")).text()
    assert "Not signed off in English yet" in before
    form = {"csrf": csrf, "lang": "en", "band": "13-15"}
    assert (await client.post(url + "/signoff", data=form, allow_redirects=False)).status == 303
    assert (path.parents[1] / "signoffs").is_dir()  # the words kept beside signoffs.toml
    same = await (await client.get(url + "?lang=en")).text()
    assert "Nothing: it is as ada signed it off." in same
    good = path.read_text(encoding="utf-8")
    edit = good.replace(OLD, NEW).replace(
        '"Not now", goto: listened}', '"Not now", goto: get_person}'
    )
    _write(path, edit.replace('equals: "no"', 'equals: "yes"'))
    page = await (await client.get(url + "?lang=en")).text()
    changes = page[page.index('id="changes"') : page.index('id="signoff"')]
    assert f'<span lang="en">{OLD}</span></td><td><span lang="en">{NEW}</span>' in changes
    assert 'href="#step-talk_now"' in changes  # an option now leads elsewhere
    assert "options lead to" in changes
    assert 'href="#step-felt_safe"' in changes
    assert "leads to" in changes  # the branch's condition changed
    assert "&quot;yes&quot;" in changes
    assert 'href="#step-liked"' not in changes  # unchanged steps are not listed
