"""Dashboard numbers equal `safevoice report`'s, per account scope; exports; retention."""

from __future__ import annotations

import datetime as dt
import json
import random

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App
from bot.services.report import build_report, render
from bot.staff.retention import purge
from bot.storage.bulk import add_many
from bot.storage.records import Answer, FeedbackFilters, FeedbackRecord, iso_week
from bot.web import Web, create_app
from bot.web.dashboard import filters_for
from bot.web.demo_data import DEMO_FLOW, demo_records, load_demo_feedback
from tests.web.conftest import login, make_state

Client = TestClient[web.Request, web.Application]
TODAY = dt.date.today()


def _record(service: str, scale: int, *, text: str | None = None, weeks_ago: int = 0,
            band: str = "13-15") -> FeedbackRecord:  # fmt: skip
    answers = [Answer("overall", "scale", str(scale)), Answer("felt_safe", "yes_no", "yes")]
    if text:
        answers.append(Answer("improve", "text", text))
    return FeedbackRecord.build(flow_id="service_feedback", flow_version=1, age_band=band,
                                language="en", service=service, answers=answers,
                                today=TODAY - dt.timedelta(weeks=weeks_ago))  # fmt: skip


def _seed(state: Web) -> None:
    records = [_record("shelter", 4, text="more football") for _ in range(12)]
    records += [_record("shelter", 2, text="more football") for _ in range(3)]  # a small cell
    records += [_record("health", 5, text="secret health comment") for _ in range(4)]
    add_many(state.store, records)


async def test_dashboard_shows_the_same_suppressed_numbers_as_report(
    safevoice_app: App, db_url: str
) -> None:
    state = make_state(safevoice_app, db_url)
    try:
        _seed(state)
        async with TestClient(TestServer(create_app(state), host="127.0.0.1")) as client:
            await login(client, "admin")
            page = await (await client.get("/dashboard")).text()
            export = await (await client.get("/dashboard/export.csv")).text()
        assert "<svg" in page
        assert "Responses over time" in page
        assert "more football" in page  # 12 answered: over k
        assert "secret health comment" not in page  # 4 answered: under k
        assert "hidden" in page
        filters = filters_for(state, state.accounts.get("admin"), {"period": "12"})  # type: ignore[arg-type]
        expected = render(build_report(state.store, filters, state.k), "csv")
        assert export == expected
        assert ",3\n" not in export  # the cell of 3 is never shown
    finally:
        state.store.close()


async def test_scoped_accounts_see_only_their_organisation(state: Web, client: Client) -> None:
    _seed(state)
    await login(client, "other")  # scoped to "health"
    page = await (await client.get("/dashboard")).text()
    assert "The shelter" not in page.split("</form>", 1)[1]
    assert "more football" not in page
    asked = await (await client.get("/dashboard?service=shelter")).text()
    assert "more football" not in asked
    assert "No feedback matches" in asked
    export = await (await client.get("/dashboard/export.json?service=shelter")).json()
    assert export["questions"] == []
    assert export["weeks"] == []


async def test_a_shelter_viewer_sees_the_shelter(state: Web, client: Client) -> None:
    _seed(state)
    await login(client, "viewer")
    page = await (await client.get("/dashboard")).text()
    assert "more football" in page
    assert "secret health comment" not in page


async def test_filters_narrow_the_report(state: Web, client: Client) -> None:
    add_many(state.store, [_record("shelter", 4, band="16-17") for _ in range(11)])
    await login(client, "admin")
    shown = await (await client.get("/dashboard?band=16-17&period=4")).text()
    assert '<span class="num">11</span>' in shown
    other = await (await client.get("/dashboard?band=8-12")).text()
    assert "No feedback matches" in other
    old = await client.get("/dashboard?lang=ar")
    assert "No feedback matches" in await old.text()


async def test_exports_are_audited_and_raw_export_is_admin_only(state: Web, client: Client) -> None:
    _seed(state)
    csrf = await login(client, "admin")
    data = await (await client.get("/dashboard/export.json?service=shelter")).json()
    assert data["k"] == state.k
    raw = await client.post("/admin/export/raw", data={"csrf": csrf})
    lines = [json.loads(line) for line in (await raw.text()).splitlines()]
    assert len(lines) == 19
    assert all(set(line) >= {"id", "iso_week", "answers"} for line in lines)
    actions = [e.action for e in state.store.audit_entries()]
    assert {"export-json", "export-raw", "login"} <= set(actions)


def test_purge_applies_retention(state: Web) -> None:
    add_many(state.store, [_record("shelter", 3, text="old words", weeks_ago=40)])
    add_many(state.store, [_record("shelter", 3, weeks_ago=200)])
    add_many(state.store, [_record("shelter", 3, text="new words")])
    done = purge(state.store, state.app.config.privacy, TODAY, "test")
    assert (done.texts, done.records) == (1, 1)
    texts = [t.value for t in state.store.text_answers()]
    assert texts == ["new words"]
    assert state.store.audit_entries()[0].action == "purge"


async def test_the_daily_job_purges_while_the_service_runs(state: Web) -> None:
    add_many(state.store, [_record("shelter", 3, weeks_ago=200)])
    async with TestClient(TestServer(create_app(state), host="127.0.0.1")):
        for _ in range(50):
            if state.store.count() == 0:
                break
            import asyncio

            await asyncio.sleep(0.05)
    assert state.store.count() == 0


def test_demo_feedback_is_labelled_and_loaded_once(state: Web) -> None:
    config = state.app.config
    added = load_demo_feedback(state.store, config, TODAY)
    assert added > 0
    assert load_demo_feedback(state.store, config, TODAY) == 0
    assert state.store.count() == state.store.count(FeedbackFilters(flow_id=DEMO_FLOW))
    records = demo_records(config, TODAY, random.Random(1))
    assert all(r.flow_id.startswith("demo_") for r in records)
    assert all(a.value.startswith("(demo)") for r in records for a in r.answers
               if a.kind == "text")  # fmt: skip
    assert {r.iso_week for r in records} >= {iso_week(TODAY)}


async def test_flows_view_lists_flows_with_diagrams_and_try_links(client: Client) -> None:
    await login(client, "admin")  # the flow studio: advisors, supervisors, admins
    index = await (await client.get("/flows")).text()
    assert "/chat?flow=service_feedback&amp;band=8-12&amp;lang=ar" in index
    detail = await (await client.get("/flows/13-15/service_feedback?band=13-15")).text()
    assert "<svg" in detail
    assert "marker-end" in detail
    assert "felt_safe" in detail


async def test_admin_manages_accounts(state: Web, client: Client) -> None:
    csrf = await login(client, "admin")
    added = await (await client.post("/admin/users", data={
        "csrf": csrf, "name": "dana", "role": "worker", "scope": "shelter"})).text()  # fmt: skip
    assert "dana" in added
    assert "shown only now" in added
    await client.post("/admin/users/dana/disable", data={"csrf": csrf})
    assert state.accounts.get("dana").disabled  # type: ignore[union-attr]
    reset = await (await client.post("/admin/users/dana/reset", data={"csrf": csrf})).text()
    assert "shown only now" in reset
    assert not state.accounts.get("dana").disabled  # type: ignore[union-attr]
    audit = await (await client.get("/admin/audit")).text()
    assert "user-add" in audit
    assert "user-disable" in audit
    assert "user-reset" in audit


def _answers(band: str, *answers: Answer) -> list[FeedbackRecord]:
    return [
        FeedbackRecord.build(flow_id="service_feedback", flow_version=1, age_band=band,
                             language="en", service="shelter", answers=answers, today=TODAY)
        for _ in range(12)
    ]  # fmt: skip


async def test_questions_are_worded_as_the_filtered_band_asks_them(
    state: Web, client: Client
) -> None:
    people = Answer("liked", "multi", "people")
    add_many(state.store, _answers("8-12", Answer("overall", "scale", "3"), people))
    add_many(state.store, _answers("16-17", Answer("overall", "scale", "4"), people))
    await login(client, "admin")
    young = await (await client.get("/dashboard?band=8-12")).text()
    assert "How do you feel about this place?" in young  # the 8-12 wording
    assert "Overall, how" not in young
    assert "<th scope=row>3 of 5 (Okay)</th>" in young  # its face, on the common scale
    assert "<th scope=row>The people</th>" in young
    older = await (await client.get("/dashboard?band=16-17")).text()
    assert "Overall, how would you rate it?" in older
    assert "<th scope=row>4 of 5</th>" in older  # 16-17's numbers have no words
    assert "<th scope=row>The staff</th>" in older  # the same value, in 16-17's words
    # All bands together: the 13-15 wording, and the scale's points on the common scale
    # only (a band's word for a point would mislabel the others' answers).
    every = await (await client.get("/dashboard")).text()
    assert "Overall, how do you feel about it?" in every
    assert "<th scope=row>3 of 5</th>" in every
    assert "<th scope=row>4 of 5</th>" in every
    assert "On the common scale from 1 (worst) to 5 (best)" in every
