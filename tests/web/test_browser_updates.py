"""In real Chromium: a young person asks to hear back about a service on the web chat,
closes the tab, and a later visit in a new tab shows the update two staff members
published, in the young person's language; "leave quickly" there ends the subscription."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import replace
from typing import Any

import pytest

from bot.storage.bulk import add_many
from bot.storage.records import Answer, FeedbackRecord
from bot.web import Web
from tests.web.conftest import LiveServer

pytestmark = pytest.mark.browser
SAID = "Jumătate dintre voi nu v-ați simțit în siguranță noaptea."
CHANGED = "Acum cineva este treaz în fiecare noapte."


def _wait(page: Any) -> None:
    page.locator("body[data-busy='0']").wait_for(state="attached")


def _press(page: Any, value: str) -> None:
    page.click(f'#choices button[data-value="{value}"]')
    _wait(page)


async def _publish(state: Web) -> None:
    """ana writes in English, bogdan adds Romanian and publishes, ana reviews Romanian."""
    updates = state.updates
    assert updates is not None
    ana, bogdan = state.accounts.get("ana"), state.accounts.get("bogdan")
    assert ana is not None
    assert bogdan is not None
    row = updates.draft(ana, "shelter", "felt_safe", "en",
                        "Half of you did not feel safe at night.",
                        "Someone is awake every night now.")  # fmt: skip
    updates.add_text(bogdan, row.id, "ro", SAID, CHANGED)
    updates.approve_text(ana, row.id, "ro")
    await updates.approve(bogdan, row.id)


def test_news_reaches_a_later_visit_in_a_new_tab_in_romanian(
    live: LiveServer, browser: Any
) -> None:
    state = live.state
    state.accounts.add("ana", "worker", ("shelter",), "ana-password-1234")
    state.accounts.add("bogdan", "worker", ("shelter",), "bogdan-password-1234")
    add_many(state.store, [
        FeedbackRecord.build(flow_id="service_feedback", flow_version=1, age_band="16-17",
                             language="ro", service="shelter",
                             answers=[Answer("felt_safe", "yes_no", "no")],
                             today=dt.date.today())
        for _ in range(12)
    ])  # fmt: skip
    neutral = f"{live.url}/static/staff.css"
    state.settings = replace(state.settings, neutral_url=neutral)
    context = browser.new_context(locale="ro-RO")
    try:
        first = context.new_page()
        first.set_default_timeout(15_000)
        first.goto(f"{live.url}/chat")
        _wait(first)
        for value in ("ro", "16-17", "updates", "shelter", "yes_tell"):
            _press(first, value)
        assert "/forget" in first.inner_text("#log")
        assert first.evaluate("localStorage.getItem('safevoice-news')")
        first.close()  # the tab is gone, and its visit with it
        live.call(_publish(state))
        later = context.new_page()
        later.set_default_timeout(15_000)
        later.goto(f"{live.url}/chat")
        _wait(later)
        later.locator("#log p.bot", has_text=SAID).wait_for()
        shown = later.inner_text("#log")
        assert "Voi ați spus" in shown
        assert CHANGED in shown
        assert state.updates is not None
        assert state.updates.store.count("shelter", dt.datetime.now(dt.UTC)) == 1
        later.click("#leave")
        later.wait_for_url(neutral)
        assert later.evaluate("localStorage.length") == 0
        for _ in range(50):  # the beacon may land after the neutral page
            if state.updates.store.count("shelter", dt.datetime.now(dt.UTC)) == 0:
                break
            time.sleep(0.1)
        assert state.updates.store.count("shelter", dt.datetime.now(dt.UTC)) == 0
    finally:
        context.close()
