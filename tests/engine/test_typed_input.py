"""Regression tests: digits of every script, numbers without a decimal value, and long
pastes. Each test is named after the defect it reproduces."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.engine.events import Say
from bot.engine.inputs import Input
from bot.engine.runner import Engine
from bot.flows.steps import Question
from bot.flows.steps.text import TextStep
from bot.inputs import clean_text, digits_of, number_of
from bot.testing import ScriptedChat
from tests.engine.conftest import at, says, to_menu, waiting_steps

TOO_LONG = "That message is longer than I can take (2,000 characters)."
SHORTER = "Could you send it in shorter parts?"


async def _at_age_question(app: App) -> ScriptedChat:
    chat = ScriptedChat(app)
    await chat.command("start")
    await chat.click("English")
    assert chat.question is not None
    assert chat.question.step == "pick_age"
    return chat


@pytest.mark.parametrize("typed", ["²", "፩", "፲፬", "①", "¹⁴", "14²"])
async def test_superscript_or_ethiopic_number_at_the_age_question_crashed(
    app: App, typed: str
) -> None:
    """`"²".isdigit()` is true and `int("²")` raises ValueError: the turn crashed."""
    async with await _at_age_question(app) as chat:
        await chat.send(typed)
        assert "Please choose your age group from the buttons." in chat.text()
        assert chat.question is not None
        assert chat.question.step == "pick_age"


@pytest.mark.parametrize("typed", ["14", "١٤", "۱۴", "१४", "１４", "𝟏𝟒", " 14 "])
def test_an_age_in_any_scripts_digits_picks_its_band(engine: Engine, typed: str) -> None:
    session, _ = engine.start("en")
    session, _ = engine.resume(session, Input.button("en", "pick_language"))
    assert session.step == "pick_age"
    after, _ = engine.resume(session, Input.text(typed))
    assert after.band == "13-15"


@pytest.mark.parametrize("typed", ["፩", "፫", "²", "③"])
def test_ethiopic_or_superscript_number_in_a_choice_crashed(engine: Engine, typed: str) -> None:
    """The menu's choice step read `፩` with int() after isdigit(): ValueError."""
    session = to_menu(engine, "13-15")
    after, events = engine.resume(session, Input.text(typed))
    shown = " ".join(s.text for s in says(events))
    assert "Please choose one of the buttons, or type its number." in shown
    assert (after.flow, after.step) == ("menu", "choose")


@pytest.mark.parametrize("typed", ["1", "١", "۱", "१", "１", "𝟏", "1.", "01"])
def test_digits_of_every_script_choose_by_their_decimal_value(engine: Engine, typed: str) -> None:
    session = to_menu(engine, "13-15")
    expected, _ = engine.resume(session, Input.text("1"))
    after, _ = engine.resume(session, Input.text(typed))
    assert (after.flow, after.step) == (expected.flow, expected.step)
    assert (after.flow, after.step) != ("menu", "choose")


def test_every_waiting_step_survives_numbers_without_a_decimal_value(app: App) -> None:
    engine = app.engine
    for band, flow, step in waiting_steps(app):
        for typed in ("²", "፩", "፲፻", "⑴", "½", "٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣", "9" * 5000):
            _, events = engine.resume(at(band, flow, step), Input.text(typed))
            assert says(events), (flow.id, step.id, typed)


def _text_question(app: App) -> tuple[str, object, Question]:
    for band, flow, step in waiting_steps(app):
        if isinstance(step, Question) and step.kind == "text":
            return band, flow, step
    pytest.fail("the shipped flows have no text question")


def test_a_5000_character_paste_was_cut_to_2000_without_a_word(app: App) -> None:
    engine = app.engine
    band, flow, step = _text_question(app)
    session = at(band, flow, step)
    after, events = engine.resume(session, Input.text("I want to say " + "a" * 5000))
    shown = [s.text for s in says(events)]
    assert f"{TOO_LONG} {SHORTER}" in shown
    assert step.key not in after.answers, "nothing was taken as the answer"
    assert after.step == step.id, "the question is asked again"
    assert isinstance(events[-1], Say)
    assert events[-1].step == step.id


def test_a_message_of_exactly_the_limit_is_taken(engine: Engine) -> None:
    _, events = engine.resume(to_menu(engine, "13-15"), Input.text("a" * 2000))
    shown = " ".join(s.text for s in says(events))
    assert TOO_LONG not in shown
    assert "Please choose one of the buttons" in shown, "read, and not a button"


def test_a_long_text_answer_was_cut_to_max_chars_without_a_word(app: App) -> None:
    """A free-text answer over its step's `max_chars` (1,000 unless the flow says) was
    kept cut; it is refused kindly and the question asked again."""
    engine = app.engine
    band, flow, step = _text_question(app)
    assert isinstance(step, TextStep)
    session = at(band, flow, step)
    after, events = engine.resume(session, Input.text("b" * (step.max_chars + 1)))
    shown = [s.text for s in says(events)]
    limit = f"{step.max_chars:,}"
    assert shown[0] == (
        f"That answer is longer than I can keep ({limit} characters). Could you make it shorter?"
    )
    assert after.step == step.id
    assert step.key not in after.answers
    taken, _ = engine.resume(session, Input.text("b" * step.max_chars))
    assert taken.step != step.id or step.key in taken.answers


def test_invisible_marks_do_not_count_towards_the_limit(app: App) -> None:
    engine = app.engine
    band, flow, step = _text_question(app)
    typed = "\u200f" * 3000 + "a" * 1990
    _, events = engine.resume(at(band, flow, step), Input.text(typed))
    assert not any(TOO_LONG in s.text for s in says(events))


@pytest.mark.parametrize(("lang", "number"), [("ro", "2.000"), ("ar", "2,000")])
def test_the_refusal_is_said_in_the_chats_language(app: App, lang: str, number: str) -> None:
    engine = app.engine
    session = to_menu(engine, "13-15", lang)
    _, events = engine.resume(session, Input.text("x" * 2001))
    first = says(events)[0]
    assert first.lang == lang
    assert number in first.text
    assert "longer than I can take" not in first.text, "translated"
    assert first.rtl == (lang == "ar")


async def test_a_long_paste_while_idle_is_refused_then_the_menu_shown(app: App) -> None:
    async with ScriptedChat(app) as chat:
        await chat.start("en", band="16-17")
        await chat.send("b" * 4000)
        assert f"BOT: {TOO_LONG} {SHORTER}" in chat.text()
        assert chat.question is not None


async def test_danger_in_a_long_paste_still_brings_help(app: App) -> None:
    async with ScriptedChat(app) as chat:
        await chat.start("en", band="16-17")
        await chat.send("he hits me and I am scared " + "." * 5000)
        text = chat.text()
        assert "Your safety matters most" in text
        assert TOO_LONG in text


# -- the shared input layer itself ----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "digits"),
    [("٣", "3"), ("۳", "3"), ("३", "3"), ("３", "3"), ("১৪", "14"), ("²", None), ("፩", None),
     ("①", None), ("", None), ("1 2", None), ("-1", None), ("1" * 19, None), (" 7 ", "7")],
)  # fmt: skip
def test_digits_are_read_by_their_decimal_value(typed: str, digits: str | None) -> None:
    assert digits_of(typed) == digits
    assert number_of(typed) == (int(digits) if digits else None)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("e\u0301", "é"),  # NFC
        ("\u202eabc\u202c", "abc"),  # a bidi override cannot reverse what is shown
        ("\u2067مرحبا\u2069", "مرحبا"),
        ("a\x00b\x1bc\x7f", "abc"),
        ("line\r\nnext\rthird", "line\nnext\nthird"),
        ("tab\there", "tab\there"),
        ("👩\u200d👩\u200d👧 ❤\ufe0f", "👩\u200d👩\u200d👧 ❤\ufe0f"),  # emoji sequences kept
        ("می\u200cخواهم", "می\u200cخواهم"),  # Persian zero-width non-joiner kept
        ("a\ud800b", "ab"),  # a lone surrogate
        ("\ufeff/start", "/start"),
    ],
)
def test_clean_text_keeps_what_was_meant(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean
    assert clean_text(clean) == clean
