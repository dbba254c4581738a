"""Machine-drafted translations of a "you said, we did" update: drafted on request from a
stand-in LibreTranslate server, each marked for review and editable per language; young
people see a language only after a person approved it. SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App
from bot.storage import Answer, FeedbackRecord
from bot.web import Web, create_app
from tests.web.conftest import PASSWORDS, login, make_state
from tests.web.fake_translate import FakeTranslate

Client = TestClient[web.Request, web.Application]
PASSWORDS.update({"ana": "ana-password-1234", "bogdan": "bogdan-password-1234"})
SAID, CHANGED = "Half of you did not feel safe at night.", "Someone is awake every night now."


@pytest.fixture
async def translator() -> AsyncIterator[tuple[FakeTranslate, str]]:
    fake = FakeTranslate()
    server = TestServer(fake.app, host="127.0.0.1")
    await server.start_server()
    yield fake, str(server.make_url("/translate"))
    await server.close()


@pytest.fixture
async def shared(
    safevoice_app: App, db_url: str, translator: tuple[FakeTranslate, str]
) -> AsyncIterator[Web]:
    updates = safevoice_app.config.updates.model_copy(update={"translate_url": translator[1]})
    config = safevoice_app.config.model_copy(update={"updates": updates})
    state = make_state(dataclasses.replace(safevoice_app, config=config), db_url)
    state.accounts.add("ana", "worker", ("shelter",), PASSWORDS["ana"])
    state.accounts.add("bogdan", "worker", ("shelter",), PASSWORDS["bogdan"])
    for i in range(12):
        state.store.add(
            FeedbackRecord.build(
                flow_id="service_feedback", flow_version=1, age_band="16-17", language="en",
                service="shelter",
                answers=[Answer("felt_safe", "yes_no", "no" if i % 2 else "yes")],
                today=dt.date.today(),
            )
        )  # fmt: skip
    yield state
    state.store.close()


async def test_machine_drafts_need_review_can_be_edited_and_show_only_once_approved(
    shared: Web, translator: tuple[FakeTranslate, str]
) -> None:
    fake, _ = translator
    updates = shared.updates
    assert updates is not None
    async with TestClient(TestServer(create_app(shared), host="127.0.0.1")) as ana:
        csrf = await login(ana, "ana")
        form = {"question": "shelter|felt_safe", "lang": "en", "said": SAID, "changed": CHANGED}
        await ana.post("/updates", data={"csrf": csrf, **form})
        [row] = updates.store.for_services(("shelter",))
        page = await (await ana.get("/updates")).text()
        assert "Draft the missing languages by machine" in page
        drafted = await ana.post(f"/updates/{row.id}/drafts", data={"csrf": csrf})
        assert drafted.status == 200
        said = await drafted.text()
        assert "Each language needs review" in said
        assert "No draft came for: ti; add those by hand." in said
        # Only the staff's words went out, from English.
        assert {tuple(a["q"]) for a in fake.asked} == {(SAID, CHANGED)}
        assert {a["source"] for a in fake.asked} == {"en"}
        [row] = updates.store.for_services(("shelter",))
        others = set(shared.app.config.languages.shipped) - {"en", "ti"}
        assert {t.lang for t in row.texts if t.machine} == others
        assert all(t.approved_by is None for t in row.texts if t.lang != "en")
        assert "drafted by machine for ana" in said
        assert re.search(r"ro \(needs review, drafted by machine for ana\)", said)
        # Published, but no language shows a draft nobody reviewed.
        async with TestClient(TestServer(create_app(shared), host="127.0.0.1")) as bogdan:
            bogdan_csrf = await login(bogdan, "bogdan")
            await bogdan.post(f"/updates/{row.id}/approve", data={"csrf": bogdan_csrf})
            [news] = updates.shown("shelter", "ro", "16-17")
            assert SAID in news.text
            assert "nu este încă în limba ta" in news.text
            # The machine's Romanian has a slip: bogdan edits it, so it is his words now,
            # and he cannot approve them himself; ana can.
            edited = "Jumătate dintre voi nu v-ați simțit în siguranță noaptea."
            saved = await bogdan.post(f"/updates/{row.id}/texts", data={
                "csrf": bogdan_csrf, "lang": "ro", "said": edited,
                "changed": "Acum cineva este treaz în fiecare noapte.",
            })  # fmt: skip
            assert "ro (needs review, added by bogdan)" in await saved.text()
            own = await bogdan.post(f"/updates/{row.id}/texts/ro/approve",
                                    data={"csrf": bogdan_csrf})  # fmt: skip
            assert own.status == 400
        assert (
            await ana.post(f"/updates/{row.id}/texts/ro/approve", data={"csrf": csrf})
        ).status == 200
        [news] = updates.shown("shelter", "ro", "16-17")
        assert edited in news.text
        assert "nu este încă în limba ta" not in news.text
        # A machine draft nobody edited may be approved by the one who asked for it.
        assert (
            await ana.post(f"/updates/{row.id}/texts/de/approve", data={"csrf": csrf})
        ).status == 200
        [news] = updates.shown("shelter", "de", "18-24")
        assert f"[de] {CHANGED}" in news.text


async def test_without_a_translation_service_the_page_offers_no_drafts(
    safevoice_app: App, db_url: str
) -> None:
    state = make_state(safevoice_app, db_url)
    state.accounts.add("ana", "worker", ("shelter",), PASSWORDS["ana"])
    try:
        updates = state.updates
        assert updates is not None
        for _ in range(12):
            state.store.add(FeedbackRecord.build(
                flow_id="service_feedback", flow_version=1, age_band="16-17", language="en",
                service="shelter", answers=[Answer("felt_safe", "yes_no", "yes")],
                today=dt.date.today()))  # fmt: skip
        account = state.accounts.get("ana")
        assert account is not None
        row = updates.draft(account, "shelter", "felt_safe", "en", SAID, CHANGED)
        async with TestClient(TestServer(create_app(state), host="127.0.0.1")) as ana:
            csrf = await login(ana, "ana")
            assert "by machine" not in await (await ana.get("/updates")).text()
            refused = await ana.post(f"/updates/{row.id}/drafts", data={"csrf": csrf})
            assert refused.status == 400
            assert "add the languages by hand" in await refused.text()
    finally:
        state.store.close()
