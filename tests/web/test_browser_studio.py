"""In real Chromium: the flow studio marks the step a "try it" conversation is on while
an advisor answers it in another tab, and the web chat's deep link `/chat?start=<name>`
starts its flow after the language and age-band questions."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from bot.storage.flow_comments import FlowComment, SqlFlowComments
from tests.web.conftest import PASSWORDS, LiveServer
from tests.web.test_browser import _wait

pytestmark = pytest.mark.browser
STUDIO = "/flows/13-15/service_feedback?band=13-15&lang=en"
AXE = Axe()


def _clean(page: Any, what: str) -> None:
    results = AXE.run(page)
    assert results.violations_count == 0, f"{what}: {results.generate_report()}"


def _login_advisor(live: LiveServer, page: Any) -> None:
    live.state.accounts.add("ada", "advisor", (), "advisor-password-123")
    PASSWORDS["ada"] = "advisor-password-123"
    page.goto(f"{live.url}{STUDIO}")
    page.fill("#name", "ada")
    page.fill("#password", PASSWORDS["ada"])
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/flows.*"))
    page.goto(f"{live.url}{STUDIO}")


def _asked(chat: Any) -> str:
    """The step of the question the chat shows now."""
    return str(chat.get_attribute("#typed", "data-step"))


def _marked(studio: Any, step: str) -> None:
    box = studio.locator(f"svg.diagram g#box-{step}")
    box.and_(studio.locator("g.current")).wait_for(state="attached")
    assert studio.locator("svg.diagram g.current").count() == 1  # only the one
    assert box.locator("text.here").is_visible()  # "▶ Now here", not colour only
    current = studio.locator('.steps li[aria-current="step"]')
    assert current.count() == 1
    assert current.locator("h3").inner_text().startswith(f"Now here: {step} (")
    assert studio.inner_text("#try-status") == f"Trying it: now at step {step}."


def test_the_diagram_marks_the_step_being_tried(live: LiveServer, page: Any) -> None:
    _login_advisor(live, page)
    assert page.locator("svg.diagram g.current").count() == 0
    assert not page.locator("svg.diagram text.here").first.is_visible()
    href = page.get_attribute('a.try[hreflang="en"]', "href")
    assert href is not None
    chat = page.context.new_page()
    chat.goto(live.url + href)
    _wait(chat)
    first = _asked(chat)
    assert page.locator(f"#step-{first}").count() == 1  # a step of this flow
    _marked(page, first)
    seen = [first]
    for _ in range(3):  # answer on; the mark follows
        chat.click("#choices button >> nth=0")
        _wait(chat)
        step = _asked(chat)
        if not step or page.locator(f"#step-{step}").count() == 0:
            break
        _marked(page, step)
        seen.append(step)
    assert len(set(seen)) >= 2, seen  # it moved as the advisor answered
    _clean(page, "the studio with a step marked")


def test_resolved_comments_are_folded_and_the_compare_page_is_clean(
    live: LiveServer, page: Any
) -> None:
    comments = SqlFlowComments(live.state.store.engine)
    mine = FlowComment("ada", "13-15", "service_feedback", "13-15", "en", "felt_safe",
                       "Too direct for some", "Are you okay there?")  # fmt: skip
    done = comments.add(mine)
    comments.resolve(done, "bea")
    comments.add(FlowComment("bea", "13-15", "service_feedback", "13-15", "en", "felt_safe",
                             "Still open"))  # fmt: skip
    _login_advisor(live, page)
    folded = page.locator(f"#comment-{done}")
    fold = folded.locator("details > summary").first
    assert fold.inner_text().startswith("Resolved by bea, ")
    assert not folded.locator("p", has_text="Too direct for some").is_visible()  # folded
    assert page.get_by_text("Still open").is_visible()
    _clean(page, "the studio with comments")
    fold.click()
    assert folded.locator("p", has_text="Too direct for some").is_visible()
    folded.get_by_role("button", name="Reopen").click()
    page.wait_for_url(re.compile(rf".*#comment-{done}$"))
    assert page.locator(f"#comment-{done} > p", has_text="Too direct for some").is_visible()
    edit = page.locator(f"#comment-{done} details.edit")
    edit.locator("summary").click()
    edit.locator("textarea[name=text]").fill("Kinder words, please")
    edit.get_by_role("button", name="Save the comment").click()
    page.wait_for_url(re.compile(rf".*#comment-{done}$"))
    assert page.locator(f"#comment-{done} > p", has_text="Kinder words, please").is_visible()
    page.click("text=Compare any two versions in English")
    page.wait_for_url(re.compile(r".*/compare\?lang=en$"))
    assert "No differences" in page.inner_text("main")
    _clean(page, "the compare page")


def test_a_deep_link_starts_its_flow_in_the_browser(live: LiveServer, page: Any) -> None:
    before = live.state.store.count()
    page.goto(f"{live.url}/chat?start=chat_feedback")
    _wait(page)
    assert "start=" not in page.url  # followed once: a reload does not start it again
    assert _asked(page) == "pick_language"
    page.click('#choices button[data-value="en"]')
    _wait(page)
    page.click('#choices button[data-value="13-15"]')
    _wait(page)
    assert _asked(page) == "helped"
    assert page.locator("#log p.bot").last.inner_text() == "Did the chat help you?"
    assert "What would you like to do?" not in page.inner_text("#log")  # not the menu
    page.click("#choices button >> nth=2")  # the happiest face
    _wait(page)
    assert _asked(page) == "listened"
    page.click('#choices button[data-value="yes"]')
    _wait(page)
    assert "Your answers have no name on them." in page.inner_text("#log")
    assert live.state.store.count() == before + 1
    [record] = [r for r in live.state.store.iter_records() if r.flow_id == "chat_feedback"]
    assert sorted((a.key, a.value) for a in record.answers) == [
        ("chat_helped", "5"), ("chat_listened", "yes")]  # fmt: skip
    page.reload()
    _wait(page)
    assert "Did the chat help you?" not in page.inner_text("#log")
