"""Typed words at the language question are a guess the young person confirms."""

from __future__ import annotations

from bot.engine.events import LanguageChanged
from bot.engine.inputs import Input
from bot.engine.runner import Engine
from tests.engine.conftest import says


def test_a_typed_guess_is_offered_in_that_language_not_chosen(engine: Engine) -> None:
    session, _ = engine.start("en")
    assert session.step == "pick_language"
    after, events = engine.resume(session, Input.text("Vreau să vorbesc cu cineva"))
    assert after.step == "pick_language"  # still waiting: nothing was chosen
    assert not [e for e in events if isinstance(e, LanguageChanged)]
    shown = says(events)
    assert all(say.lang == "ro" for say in shown)
    question = shown[-1]
    assert question.options[0].value == "ro"  # the guess first, every language still there
    assert {o.value for o in question.options} == set(engine.config.languages.shipped)
    confirmed, events = engine.resume(after, Input.button("ro", "pick_language"))
    assert confirmed.lang == "ro"
    assert confirmed.step == "pick_age"
    assert [e for e in events if isinstance(e, LanguageChanged)]


def test_typed_words_with_no_guess_ask_for_a_button(engine: Engine) -> None:
    session, _ = engine.start("en")
    after, events = engine.resume(session, Input.text("???"))
    assert after.step == "pick_language"
    assert after.lang == "en"
    assert "Please choose a language from the buttons." in " ".join(s.text for s in says(events))


def test_a_language_typed_by_its_name_is_chosen_at_once(engine: Engine) -> None:
    session, _ = engine.start("en")
    after, _ = engine.resume(session, Input.text("Română"))
    assert (after.lang, after.step) == ("ro", "pick_age")


def test_the_language_keyboard_lists_each_by_its_own_name_the_guess_first(
    engine: Engine,
) -> None:
    """Issue 13: with 18 languages, Latin-script names alphabetically, then Cyrillic,
    Arabic and Ge'ez script, whatever order config.toml lists them in; the language the
    conversation opened in (the device's guess) on top, to confirm with one tap."""
    _, events = engine.start("it")
    labels = [o.label for o in says(events)[-1].options]
    assert labels[0] == "Italiano"
    latin = labels[1:-4]
    assert latin == sorted(latin, key=lambda name: name.casefold().replace("ă", "a"))
    assert labels[-4:] == ["Українська", "العربية", "فارسی", "ትግርኛ"]
    assert len(labels) == len(engine.config.languages.shipped)
