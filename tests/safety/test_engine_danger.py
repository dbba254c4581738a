"""A danger phrase at any step brings help at once, and the conversation goes on."""

from __future__ import annotations

import re

import pytest

from bot.app import App, load_app
from bot.engine.events import AnswerRecorded, Event, HandoffRequested, Say
from bot.engine.inputs import Input
from bot.engine.runner import Engine
from bot.engine.session import Session
from bot.flows.steps import Question
from bot.i18n.rtl import strip_isolates
from tests.engine.conftest import ROOT, at, check_says, says, shared_app, to_menu, waiting_steps

PHRASES = {"en": "I want to die", "ro": "vreau sa mor", "ar": "أريد أن أموت"}
THANKS = {
    "en": "Thank you for telling me.",
    "ro": "Îți mulțumesc că mi-ai spus.",
    "ar": "شكرًا لأنك أخبرتني.",
}
LANGS = list(PHRASES)


def urgent(events: list[Event]) -> list[HandoffRequested]:
    return [e for e in events if isinstance(e, HandoffRequested) and e.urgent]


def assert_help_first(events: list[Event], lang: str, band: str | None) -> None:
    """The danger messages come before anything else, then the urgent handoff."""
    first, second, handoff = events[:3]
    assert isinstance(first, Say)
    assert isinstance(second, Say)
    assert first.lang == second.lang == lang
    assert first.text.startswith(THANKS[lang])
    assert "116 111" in strip_isolates(first.text)
    assert "112" in first.text
    assert first.rtl is (lang == "ar")
    assert first.input == second.input == "none"
    assert handoff == HandoffRequested(
        reason="danger", age_band=band, language=lang, service=handoff.service, urgent=True,
        rule=handoff.rule,
    )  # fmt: skip
    # Why, for the audit: the category and the phrase file and line, never the words.
    assert handoff.rule is not None
    assert re.fullmatch(r"[a-z_]+: [a-z]{2}\.[a-z_]+:\d+( \(\w+\))?", handoff.rule), handoff.rule
    assert len(urgent(events)) == 1
    check_says(events)


def text_question(app: App, band: str) -> tuple[str, object, Question]:
    for b, flow, step in waiting_steps(app):
        if b == band and isinstance(step, Question) and step.answer_kind == "text":
            return b, flow, step
    raise AssertionError(f"no text question for {band}")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return shared_app().engine


def test_the_app_wires_the_lexicon() -> None:
    app = load_app(ROOT / "config.toml")
    assert app.engine.danger is not None
    assert app.lexicon.match("I want to die") is not None


@pytest.mark.parametrize("lang", LANGS)
def test_at_a_question(engine: Engine, lang: str) -> None:
    session = to_menu(engine, "13-15", lang)
    after, events = engine.resume(session, Input.text(PHRASES[lang]))
    assert_help_first(events, lang, "13-15")
    # The question is still asked: the young person can carry on.
    assert says(events)[-1].input == "choice"
    assert (after.flow, after.step) == ("menu", "choose")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("band", ["13-15", "16-17"])
def test_in_a_free_text_answer(engine: Engine, lang: str, band: str) -> None:
    app = shared_app()
    _, flow, step = text_question(app, band)
    before = at(band, flow, step, lang)  # type: ignore[arg-type]
    after, events = engine.resume(before, Input.text(f"the food is ok. {PHRASES[lang]}"))
    assert_help_first(events, lang, band)
    # The answer is still recorded as usual (scrubbed by the engine, as any answer).
    recorded = [e for e in events if isinstance(e, AnswerRecorded) and e.key == step.key]
    assert [e.value for e in recorded] == [f"the food is ok. {PHRASES[lang]}"]
    assert (after.flow, after.step) != (flow.id, step.id)  # type: ignore[attr-defined]
    assert says(events)[-1].text


@pytest.mark.parametrize("lang", LANGS)
def test_at_idle(engine: Engine, lang: str) -> None:
    idle = Session(lang=lang, band="16-17")
    after, events = engine.resume(idle, Input.text(PHRASES[lang]))
    assert_help_first(events, lang, "16-17")
    assert (after.flow, after.step) == ("menu", "choose")


@pytest.mark.parametrize("lang", LANGS)
def test_before_a_language_is_chosen(engine: Engine, lang: str) -> None:
    session, _ = engine.start(lang)
    after, events = engine.resume(session, Input.text(PHRASES[lang]))
    assert_help_first(events, lang, None)
    assert after.step is not None


def test_at_every_waiting_step(engine: Engine) -> None:
    for band, flow, step in waiting_steps(shared_app()):
        after, events = engine.resume(at(band, flow, step), Input.text("they took my passport"))
        assert_help_first(events, "en", band)
        assert "went wrong" not in says(events)[-1].text
        assert after is not None


def test_another_language_also_gets_the_message_in_that_language(engine: Engine) -> None:
    session = to_menu(engine, "13-15", "ro")
    _, events = engine.resume(session, Input.text("أريد أن أموت"))
    langs = [say.lang for say in says(events)[:4]]
    assert langs == ["ro", "ro", "ar", "ar"]
    assert len(urgent(events)) == 1
    assert urgent(events)[0].language == "ro"


def test_the_handoff_carries_no_words(engine: Engine) -> None:
    session = to_menu(engine, "18-24")
    _, events = engine.resume(session, Input.text("he beats me, my name is Ana"))
    (handoff,) = urgent(events)
    assert "Ana" not in repr(handoff)
    assert "beats" not in repr(handoff)


def test_ordinary_text_brings_no_alarm(engine: Engine) -> None:
    session = to_menu(engine, "13-15")
    _, events = engine.resume(session, Input.text("I killed it at football"))
    assert not urgent(events)


def test_buttons_and_commands_are_not_checked(engine: Engine) -> None:
    session = to_menu(engine, "13-15")
    _, events = engine.resume(session, Input.button("I want to die", "choose"))
    assert not urgent(events)
    _, events = engine.resume(session, Input.command("stop"))
    assert not urgent(events)


def test_every_time_it_is_said(engine: Engine) -> None:
    session = to_menu(engine, "13-15")
    session, first = engine.resume(session, Input.text("I want to die"))
    session, again = engine.resume(session, Input.text("I want to die"))
    assert urgent(first)
    assert urgent(again)


def test_an_engine_without_a_lexicon_says_nothing_extra() -> None:
    app = shared_app()
    plain = Engine(app.flows, app.config, app.translator)
    session = to_menu(plain, "13-15")
    _, events = plain.resume(session, Input.text("I want to die"))
    assert not urgent(events)


def test_i_am_not_in_danger_gets_no_thanks(engine: Engine) -> None:
    """Regression (issue 10): a negation raised the alarm and thanked the young person."""
    session = to_menu(engine, "13-15", "en")
    for text in ("i am not in danger", "no one hits me here", "nobody took my passport"):
        _, events = engine.resume(session, Input.text(text))
        assert urgent(events) == [], text
        assert not any("Thank you for telling me" in s.text for s in says(events)), text


@pytest.mark.parametrize(("band", "who"), [("8-12", "a grown-up"), ("16-17", "a person")])
def test_a_possible_concern_asks_gently_and_opens_nothing(
    engine: Engine, band: str, who: str
) -> None:
    session = to_menu(engine, band, "en")
    after, events = engine.resume(session, Input.text("what if he hits me again"))
    assert not any(isinstance(e, HandoffRequested) for e in events)
    ask = says(events)[0]
    assert ask.text.startswith("It sounds like something might be hard right now.")
    assert who in ask.text
    assert [o.label for o in ask.options] == ["Yes, please", "Not now"]
    # The chat still waits where it was: the menu's buttons come after the question.
    assert (after.flow, after.step) == ("menu", "choose")
    check_says(events)

    _, yes = engine.resume(after, Input.button("person", ask.step))
    assert [e.reason for e in yes if isinstance(e, HandoffRequested)] != []
    later, not_now = engine.resume(after, Input.button("not_now", ask.step))
    assert not any(isinstance(e, HandoffRequested) for e in not_now)
    assert says(not_now)[0].text.startswith("Okay. We can carry on.")
    assert (later.flow, later.step) == ("menu", "choose")
    assert says(not_now)[-1].input == "choice"  # the question on screen is asked again
