"""In real Chromium against the app on 127.0.0.1: the chat in English and Arabic, the
dashboard's charts, filters and exports, "leave quickly", and keyboard-only use."""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import replace
from typing import Any

import pytest

from bot.storage.bulk import add_many
from bot.storage.records import Answer, FeedbackRecord
from tests.web.conftest import PASSWORDS, LiveServer, second_code

pytestmark = pytest.mark.browser

# Which button to press when several are offered, by value; else the first.
PREFER = ("13-15", "feedback", "shelter", "yes", "4", "people", "done")


def _wait(page: Any) -> None:
    # A selector, not wait_for_function: the page's CSP forbids eval, as it should.
    page.locator("body[data-busy='0']").wait_for(state="attached")


def _step(page: Any, lang_value: str, keyboard: bool = False) -> None:
    """Answer whatever the chat asks now, by mouse or by keyboard only."""
    if page.locator("#typed").is_visible():
        page.fill("#text", "More trips to the sea") if not keyboard else (
            page.keyboard.type("More trips to the sea")
        )
        page.keyboard.press("Enter") if keyboard else page.click("#send")
        _wait(page)
        return
    values = page.eval_on_selector_all("#choices button", "bs => bs.map(b => b.dataset.value)")
    pressed = page.eval_on_selector_all(
        "#choices button[aria-pressed=true]", "bs => bs.map(b => b.dataset.value)"
    )
    wanted = lang_value if lang_value in values else None
    if wanted is None and "done" in values and pressed:
        wanted = "done"
    wanted = wanted or next((v for v in PREFER if v in values and v != "done"), values[0])
    if keyboard:
        # Focus starts on the first button; Tab to the wanted one, then Enter.
        for _ in range(values.index(wanted)):
            page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.dataset.value")
        assert focused == wanted
        page.keyboard.press("Enter")
    else:
        page.click(f'#choices button[data-value="{wanted}"]')
    _wait(page)


def _complete_feedback(live: LiveServer, page: Any, lang: str, keyboard: bool = False) -> None:
    before = live.state.store.count()
    page.goto(f"{live.url}/chat")
    _wait(page)
    for _ in range(40):
        if live.state.store.count() > before:
            return
        _step(page, lang, keyboard)
    pytest.fail("the feedback conversation did not finish")


def _login(live: LiveServer, page: Any, name: str = "admin") -> None:
    page.goto(f"{live.url}/dashboard")
    page.fill("#name", name)
    page.fill("#password", PASSWORDS[name])
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/(dashboard|login/code).*"))
    if "/login/code" in page.url:  # admins log in with a second step
        page.fill("#code", second_code(live.state, name))
        page.click("form.login button[type=submit]")
        page.wait_for_url(re.compile(r".*/dashboard.*"))


def _seed(live: LiveServer, n: int) -> None:
    today = dt.date.today()
    add_many(live.state.store, [
        FeedbackRecord.build(flow_id="service_feedback", flow_version=1, age_band="13-15",
                             language="en", service="shelter",
                             answers=[Answer("felt_safe", "yes_no", "yes")], today=today)
        for _ in range(n)
    ])  # fmt: skip


def test_english_feedback_reaches_the_dashboard_once_over_k(live: LiveServer, page: Any) -> None:
    k = live.state.k
    _seed(live, k - 1)
    _login(live, page)
    page.goto(f"{live.url}/dashboard?service=shelter&band=13-15")
    felt = page.locator("section.question", has_text="Do you feel safe there?")
    assert felt.count() == 0  # k - 1 answers: not even listed
    assert "No feedback matches" in page.content()
    chat = page.context.new_page()
    _complete_feedback(live, chat, "en")
    assert chat.evaluate("document.documentElement.dir") == "ltr"
    page.reload()
    assert f"Answered by {k}." in felt.inner_text()
    assert page.locator("svg.chart").count() >= 2


def test_arabic_chat_is_right_to_left_and_completes(live: LiveServer, page: Any) -> None:
    _complete_feedback(live, page, "ar")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "ar"
    assert page.locator("#log p.bot[dir=rtl]").count() > 0
    records = list(live.state.store.iter_records())
    assert records[-1].language == "ar"


def test_keyboard_only_completion(live: LiveServer, page: Any) -> None:
    _complete_feedback(live, page, "en", keyboard=True)


def test_leave_quickly_clears_the_page_and_the_visit(live: LiveServer, page: Any) -> None:
    neutral = f"{live.url}/static/staff.css"
    live.state.settings = replace(live.state.settings, neutral_url=neutral)
    page.goto(f"{live.url}/chat")
    _wait(page)
    _step(page, "en")
    token = page.evaluate("sessionStorage.getItem('safevoice-visit')")
    assert token
    page.click("#leave")
    page.wait_for_url(neutral)
    assert page.evaluate("sessionStorage.length") == 0
    # The beacon may land after the neutral page: the conversation is gone soon after.
    for _ in range(50):
        state = page.request.get(f"{live.url}/chat/state", headers={"X-Visit": token}).json()
        if not state["resumed"]:
            break
        time.sleep(0.1)
    assert not state["resumed"]
    page.go_back()
    # Back does not return to the conversation: the chat entry was replaced.
    assert "Which language" not in page.content()


def test_dashboard_charts_filters_and_export(live: LiveServer, page: Any) -> None:
    _seed(live, 15)
    _login(live, page)
    assert page.locator("svg.chart").count() >= 2
    page.select_option("#f-band", "8-12")
    page.click("form.filters button")
    page.wait_for_url(re.compile(r".*band=8-12.*"))
    assert "No feedback matches" in page.content()
    page.select_option("#f-band", "")
    page.click("form.filters button")
    with page.expect_download() as download:
        page.click("text=CSV")
    path = download.value.path()
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    assert text.startswith("section,service,question,kind,value,count")
    assert "answered,shelter,felt_safe,yes_no,,15" in text


def test_a_viewer_is_refused_admin_pages_in_the_browser(live: LiveServer, page: Any) -> None:
    _login(live, page, "viewer")
    response = page.goto(f"{live.url}/admin/users")
    assert response.status == 403


def test_try_it_opens_a_preview(live: LiveServer, page: Any) -> None:
    _login(live, page)
    page.goto(f"{live.url}/flows")
    href = page.get_attribute('a[href*="flow=service_feedback&band=13-15&lang=ar"]', "href")
    page.goto(live.url + href)
    _wait(page)
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.locator(".preview").is_visible()
