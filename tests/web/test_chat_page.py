"""The web chat page holds, in real Chromium: regressions named after what broke.

A text box while a case is open, every message the server sends on screen (helplines
too), "delete my data" and "leave quickly" that also clear the page and the browser's
storage, the commands the bot suggests typed into the box, a reload that resumes, and a
long paste that is answered and kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from tests.web.conftest import LiveServer

pytestmark = pytest.mark.browser

DANGER = "they took my passport and I am not safe"
HELPLINE = "116 111"
# A Monday at 10:00 in Bucharest: in office hours. Sunday noon: out of them.
MONDAY = dt.datetime(2025, 3, 3, 8, 0, tzinfo=dt.UTC)
SUNDAY = dt.datetime(2025, 3, 2, 10, 0, tzinfo=dt.UTC)


def _wait(page: Any) -> None:
    # A selector, not wait_for_function: the page's CSP forbids eval, as it should.
    page.locator("body[data-busy='0']").wait_for(state="attached")


def _at(live: LiveServer, when: dt.datetime) -> list[dt.datetime]:
    now = [when]
    live.state.cases.clock = lambda: now[0]
    return now


def _open_chat(live: LiveServer, page: Any) -> None:
    """The chat page, with a language and an age band chosen: the menu is on screen."""
    page.goto(f"{live.url}/chat")
    _wait(page)
    for choice in ("en", "13-15"):
        page.click(f'#choices button[data-value="{choice}"]')
        _wait(page)


def _command(page: Any, name: str) -> None:
    page.click(".menu summary")
    page.click(f'button.command[data-command="{name}"]')
    _wait(page)


def _type(page: Any, text: str) -> None:
    page.fill("#text", text)
    page.click("#send")
    _wait(page)


def _bot(page: Any, text: str) -> Any:
    return page.locator("#log p.bot", has_text=text)


def _label(live: LiveServer) -> str:
    cases = live.call(live.state.cases.queue())
    assert len(cases) == 1
    return cases[0].label


def _storage(page: Any) -> dict[str, Any]:
    return dict(
        session=page.evaluate("Object.keys(sessionStorage)"),
        local=page.evaluate("Object.keys(localStorage)"),
    )


def test_while_waiting_for_a_worker_there_is_a_text_box(live: LiveServer, page: Any) -> None:
    """Regression: after "Talk to a person" the bot said "anything you type here goes to
    them", but the menu's buttons came back and the text box stayed hidden."""
    _at(live, MONDAY)
    _open_chat(live, page)
    _command(page, "person")
    _bot(page, "anything you type here goes to them").wait_for()
    assert page.locator("#typed").is_visible()
    assert page.locator("#choices button").count() > 0  # "you can still use the buttons"
    _type(page, "Hello, is anyone there?")
    page.locator("#log p.me[data-sent='1']", has_text="is anyone there").wait_for()
    assert page.locator("#typed").is_visible()


def test_helplines_sent_while_a_case_is_open_are_shown(live: LiveServer, page: Any) -> None:
    """Regression: the helplines a young person gets while waiting (nobody answered in
    time; danger typed to the worker) never reached the page."""
    now = _at(live, MONDAY)
    _open_chat(live, page)
    _command(page, "person")
    assert _bot(page, HELPLINE).count() == 0  # in office hours: none yet
    now[0] += dt.timedelta(minutes=31)
    assert live.call(live.state.cases.due_for_helplines(now[0]))
    _bot(page, "our workers are all busy").wait_for()
    _bot(page, HELPLINE).wait_for()

    # The long poll keeps running after each delivery, and the text box stays.
    label = _label(live)
    live.call(live.state.cases.claim(label, "web:worker", "Ana"))
    _bot(page, "Ana from our team is here now").wait_for()
    for text in ("First message", "Second message"):
        live.call(live.state.cases.relay_to_young_person(label, "web:worker", text))
        _bot(page, f"Ana: {text}").wait_for()
    assert page.locator("#typed").is_visible()

    # Danger typed to the worker: relayed, and help at once on this page too.
    helplines = _bot(page, HELPLINE).count()
    _type(page, DANGER)
    page.locator("#log p.me[data-sent='1']", has_text="passport").wait_for()
    assert _bot(page, HELPLINE).count() > helplines


def test_out_of_hours_helplines_are_shown_when_the_case_opens(live: LiveServer, page: Any) -> None:
    _at(live, SUNDAY)
    _open_chat(live, page)
    _command(page, "person")
    _bot(page, "not here right now").wait_for()
    _bot(page, HELPLINE).wait_for()
    assert page.locator("#typed").is_visible()


def test_delete_my_data_clears_the_page_and_browser_storage(live: LiveServer, page: Any) -> None:
    """Regression: after "Delete my data" the whole transcript stayed on screen."""
    _open_chat(live, page)
    page.evaluate("localStorage.setItem('left-behind', '1')")
    page.evaluate("sessionStorage.setItem('left-behind', '1')")
    before = page.evaluate("sessionStorage.getItem('safevoice-visit')")
    assert before
    _command(page, "forget")
    page.click('#choices button[data-value="delete"]')
    _wait(page)
    _bot(page, "I have deleted our conversation").wait_for()
    assert page.locator("#log p").count() == 1
    assert "Which language" not in page.inner_text("#log")
    storage = _storage(page)
    assert storage["local"] == []
    assert page.evaluate("sessionStorage.getItem('safevoice-visit')") not in (None, before)
    assert set(storage["session"]) <= {"safevoice-visit", "safevoice-after"}
    page.reload()
    _wait(page)
    assert "I have deleted" not in page.inner_text("#log")


def test_typed_forget_while_waiting_clears_the_page(live: LiveServer, page: Any) -> None:
    _at(live, MONDAY)
    _open_chat(live, page)
    _command(page, "person")
    _type(page, "/forget")
    _bot(page, "Do you want me to delete our conversation").wait_for()
    assert not page.locator("#log p.me[data-sent='1']").count()  # not sent to the worker
    page.click('#choices button[data-value="delete"]')
    _wait(page)
    _bot(page, "I have deleted our conversation").wait_for()
    assert page.locator("#log p").count() == 1
    assert live.call(live.state.cases.queue()) == []


def test_leave_quickly_clears_the_browser_storage(live: LiveServer, page: Any) -> None:
    """Regression: "leave quickly" wiped the page but not what the browser keeps."""
    neutral = f"{live.url}/static/staff.css"  # the same origin: its storage can be read
    live.state.settings = replace(live.state.settings, neutral_url=neutral)
    _open_chat(live, page)
    page.evaluate("localStorage.setItem('left-behind', '1')")
    assert page.evaluate("sessionStorage.length") > 0
    page.click("#leave")
    page.wait_for_url(neutral)
    assert _storage(page) == {"session": [], "local": []}
    page.go_back()
    assert "Which language" not in page.content()


def test_typed_commands_the_bot_suggests_work(live: LiveServer, page: Any) -> None:
    """Regression: "/stop", which the bot tells a waiting young person to type, went to
    the worker as a message."""
    _at(live, MONDAY)
    _open_chat(live, page)
    _command(page, "person")
    _bot(page, "To cancel, type /stop").wait_for()
    _type(page, "/stop")
    _bot(page, "Your request to talk to a person is cancelled").wait_for()
    assert not page.locator("#log p.me[data-sent='1']").count()
    assert live.call(live.state.cases.queue()) == []
    _type(page, "/privacy")
    _bot(page, "They are saved without your name").wait_for()


def test_a_reload_resumes_the_conversation(live: LiveServer, page: Any) -> None:
    """Regression: a reload started again at "Which language"."""
    _at(live, MONDAY)
    _open_chat(live, page)
    menu = page.eval_on_selector_all("#choices button", "bs => bs.map(b => b.dataset.value)")
    token = page.evaluate("sessionStorage.getItem('safevoice-visit')")
    page.reload()
    _wait(page)
    again = page.eval_on_selector_all("#choices button", "bs => bs.map(b => b.dataset.value)")
    assert again == menu
    assert "en" not in again
    assert page.evaluate("sessionStorage.getItem('safevoice-visit')") == token

    # With a case open: the text box, and the worker's words still arrive.
    _command(page, "person")
    page.reload()
    _wait(page)
    assert page.locator("#typed").is_visible()
    label = _label(live)
    live.call(live.state.cases.claim(label, "web:worker", "Ana"))
    _bot(page, "Ana from our team is here now").wait_for()


def test_a_forged_visit_token_starts_afresh(live: LiveServer, page: Any) -> None:
    page.goto(f"{live.url}/chat")
    _wait(page)
    page.evaluate("sessionStorage.setItem('safevoice-visit', 'my-own-chosen-id')")
    page.reload()
    _wait(page)
    page.locator("#choices button[data-value='en']").wait_for()
    assert page.evaluate("sessionStorage.getItem('safevoice-visit')") != "my-own-chosen-id"


def test_a_long_paste_is_answered_and_kept_in_the_box(live: LiveServer, page: Any) -> None:
    """Regression: a 5,000-character paste was cut to 2,000 without a word."""
    _open_chat(live, page)
    for _ in range(20):  # into the feedback questions, until one asks for words
        if page.locator("#typed").is_visible():
            break
        values = page.eval_on_selector_all("#choices button", "bs => bs.map(b => b.dataset.value)")
        pressed = page.locator("#choices button[aria-pressed=true]").count()
        wanted = "done" if "done" in values and pressed else None
        for value in ("feedback", "shelter", "yes", "4", "people"):
            wanted = wanted or (value if value in values else None)
        page.click(f'#choices button[data-value="{wanted or values[0]}"]')
        _wait(page)
    paste = ("My room is cold and nobody listens. " * 150)[:5000]
    page.fill("#text", paste)
    counter = page.locator("#count")
    assert counter.is_visible()
    assert counter.inner_text() == "5000 / 2000"
    assert page.get_attribute("#text", "aria-invalid") == "true"
    bots = page.locator("#log p.bot").count()
    page.click("#send")
    _wait(page)
    assert page.locator("#log p.bot").count() > bots  # the page shows the reply:
    _bot(page, "longer than I can take").wait_for()  # the input layer's refusal
    assert page.locator("#typed").is_visible()  # the same question, asked again
    assert page.input_value("#text") == paste  # and keeps what was typed
    # Nothing shown as sent, cut or not.
    assert page.locator("#log p.me", has_text="nobody listens").count() == 0


@pytest.mark.parametrize(
    "headers",
    [{}, {"Accept-Language": "en"}],
    ids=["accept-language", "navigator-languages"],
)
def test_a_browser_set_to_italian_is_first_asked_in_italian(
    live: LiveServer, browser: Any, headers: dict[str, str]
) -> None:
    """Issue 13: the browser's languages are the first guess, confirmed by the young
    person: the language question comes in Italian, "Italiano" its first button. Also
    where only `navigator.languages` says Italian (a proxy rewrote Accept-Language)."""
    context = browser.new_context(locale="it-IT", extra_http_headers=headers)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live.url}/chat")
        _wait(page)
        _bot(page, "Che lingua vuoi?").wait_for()
        assert page.locator("#log p.bot").first.inner_text().startswith("Ciao!")
        buttons = page.locator("#choices button")
        assert buttons.count() == len(live.state.app.config.languages.shipped)
        assert buttons.first.get_attribute("data-value") == "it"
        assert buttons.first.inner_text() == "Italiano"
        assert page.locator("#choices button[data-value='ar']").get_attribute("dir") == "auto"
        buttons.first.click()  # confirmed with one tap
        _wait(page)
        assert page.locator("html").get_attribute("lang") == "it"
    finally:
        context.close()


@pytest.mark.parametrize(
    ("locale", "lang", "question", "direction"),
    [("ar-EG", "ar", "بأي لغة نتحدث؟", "rtl"), ("ti-ER", "ti", "ኣየናይ ቋንቋ ትደልዩ?", "ltr")],
    ids=["right-to-left", "geez"],
)
def test_a_browser_in_arabic_or_tigrinya_is_asked_in_its_script(
    live: LiveServer, browser: Any, locale: str, lang: str, question: str, direction: str
) -> None:
    """The representative scripts in a real browser (the other languages are covered by
    the cheap golden and catalog tests): the page's direction and the guess on top."""
    context = browser.new_context(locale=locale)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live.url}/chat")
        _wait(page)
        _bot(page, question).wait_for()
        assert page.locator("html").get_attribute("dir") == direction
        assert page.locator("#choices button").first.get_attribute("data-value") == lang
    finally:
        context.close()
