"""Regression tests for the desk defects found by trying it as a worker would: times in
UTC on a 12-hour clock, no way from the dashboard to the desk, and an axe-core violation
on the case page. Each is named after the defect."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.web import Web
from tests.web.conftest import LiveServer, login
from tests.web.test_desk import Visitor, _ask_for_a_person, _desk_login, _open_chat

Client = TestClient[web.Request, web.Application]
ZONE = ZoneInfo("Europe/Bucharest")  # config.toml's [handoff] time_zone


async def test_waiting_times_show_in_utc_on_a_12_hour_clock(state: Web, client: Client) -> None:
    person = Visitor(client)
    await person.open()
    await person.turn("command", "person")
    await person.close()
    case = (await state.cases.queue())[0]
    local = case.waiting_since.astimezone(ZONE).strftime("%H:%M")
    await login(client, "worker")
    page = await (await client.get("/desk")).text()
    cell = re.search(r"<time[^>]*>([^<]*)</time>", page)
    assert cell is not None
    assert cell[1] == local
    assert "UTC" not in cell[1]
    assert "Europe/Bucharest" in page  # the page says which zone its times are in


async def test_no_desk_link_from_the_dashboard(client: Client) -> None:
    await login(client, "worker")
    dashboard = await (await client.get("/dashboard")).text()
    assert '<a href="/desk">Desk</a>' in dashboard
    desk = await (await client.get("/desk")).text()
    assert desk.count('href="/desk">Desk</a>') == 1  # once, not twice on the desk itself


async def test_no_desk_link_for_a_viewer_who_cannot_use_it(client: Client) -> None:
    await login(client, "viewer")
    dashboard = await (await client.get("/dashboard")).text()
    assert 'href="/desk"' not in dashboard


async def test_audit_log_times_show_in_utc(state: Web, client: Client) -> None:
    await login(client, "admin")
    page = await (await client.get("/admin/audit")).text()
    entry = state.store.audit_entries(1)[0]
    at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=dt.UTC)
    assert f"<td>{at.astimezone(ZONE).strftime('%Y-%m-%d %H:%M:%S')}</td>" in page
    assert "When (Europe/Bucharest)" in page


def _axe(page: Any) -> list[dict[str, Any]]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return list(results.response["violations"])


@pytest.mark.browser
def test_waiting_times_in_the_browser_are_not_07_16_pm_utc(live: LiveServer, browser: Any) -> None:
    # A worker's browser in UTC with a US locale: the time must still be Bucharest's, 24h.
    staff = browser.new_context(locale="en-US", timezone_id="UTC")
    young = browser.new_context(locale="en-GB")
    try:
        desk, chat = staff.new_page(), young.new_page()
        desk.set_default_timeout(15_000)
        chat.set_default_timeout(15_000)
        _desk_login(live, desk, "worker")
        desk.locator("#desk[data-live='1']").wait_for(state="attached")
        _open_chat(live, chat)
        _ask_for_a_person(chat)
        desk.locator("#queue-rows tr.case").wait_for()
        shown = desk.locator("#queue-rows time").first.inner_text()
        case = live.call(live.state.cases.queue())[0]
        assert shown == case.waiting_since.astimezone(ZONE).strftime("%H:%M")
        assert "PM" not in shown
        assert "AM" not in shown
    finally:
        staff.close()
        young.close()


@pytest.mark.browser
def test_case_page_has_a_list_item_under_an_ol_role_log(live: LiveServer, browser: Any) -> None:
    staff = browser.new_context(locale="en-GB")
    young = browser.new_context(locale="en-GB")
    try:
        desk, chat = staff.new_page(), young.new_page()
        desk.set_default_timeout(15_000)
        chat.set_default_timeout(15_000)
        _desk_login(live, desk, "worker")
        _open_chat(live, chat)
        _ask_for_a_person(chat)
        chat.fill("#text", "hello, is anyone there?")
        chat.click("#send")
        desk.locator("#queue-rows tr.case").wait_for()
        label = desk.locator("#queue-rows tr.case").first.get_attribute("data-label")
        desk.goto(f"{live.url}/desk/case/{label}")
        desk.locator("#desk[data-live='1']").wait_for(state="attached")
        desk.locator("#transcript li").first.wait_for()
        violations = _axe(desk)
        serious = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
        assert serious == [], violations
        assert desk.locator("[role=log]").count() == 1  # still announced as a live log
    finally:
        staff.close()
        young.close()


@pytest.mark.browser
def test_desk_queue_and_dashboard_are_axe_clean(live: LiveServer, page: Any) -> None:
    _desk_login(live, page, "worker")
    page.locator("#desk[data-live='1']").wait_for(state="attached")
    assert [v["id"] for v in _axe(page) if v["impact"] in ("serious", "critical")] == []
    page.click('nav a[href="/dashboard"]')
    page.wait_for_url(re.compile(r".*/dashboard"))
    page.click('nav a[href="/desk"]')
    page.wait_for_url(re.compile(r".*/desk$"))


def test_staff_time_keeps_the_day_apart() -> None:
    from bot.config import load_config
    from bot.services.staff_time import StaffTime
    from tests.web.conftest import ROOT

    config, _ = load_config(ROOT / "config.toml")
    clock = StaffTime(config)
    when = dt.datetime(2026, 12, 3, 19, 16, tzinfo=dt.UTC)
    assert clock.clock(when, now=when) == "21:16"
    assert clock.clock(when, now=when + dt.timedelta(days=1)) == "Thu 21:16"
    assert clock.stamp(when) == "2026-12-03 21:16"
    summer = dt.datetime(2026, 7, 1, 19, 16, tzinfo=dt.UTC)
    assert clock.clock(summer, now=summer) == "22:16"  # summer time moves the clock
