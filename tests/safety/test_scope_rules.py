"""Scope rules that only change a reading when they really reach the signal, and signs
that add up: each test is named after a misreading found on messages the detector had
not seen (the first check set, now part of the development set)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.safety.detector import Detector
from tests.safety.test_devset import SHIPPED


def _level(text: str, lang: str) -> str | None:
    found = SHIPPED(text, prefer=lang)
    return found.level if found else None


def test_i_cant_go_out_tonight_i_have_homework_does_not_alarm() -> None:
    assert _level("I can't go out tonight, I have homework", "en") != "clear"
    assert _level("i cant go out of the house", "en") == "clear"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("daca ma trimit inapoi acolo ma sinucid jur", "ro"),
        ("daca nu aduc destui bani nu-mi dau de mancare", "ro"),
        ("إذا ما جبت مصاري كفاية ما بيطعموني", "ar"),
        ("we have to work even when we're sick, if we stop they shout and hit us", "en"),
    ],
)
def test_what_follows_a_whole_if_clause_is_not_downgraded(text: str, lang: str) -> None:
    # (the two quotas, "if i dont bring enough money", are signs that add up with the
    # concern that follows: no food)
    assert _level(text, lang) == "clear"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("if someone was in danger, who should they call?", "en"),
        ("dacă cineva ar fi în pericol, pe cine ar trebui să sune?", "ro"),
        ("what if he hurts me", "en"),
    ],
)
def test_what_an_if_supposes_is_still_only_a_question(text: str, lang: str) -> None:
    assert _level(text, lang) != "clear"


def test_professional_words_do_not_downgrade_a_foster_carer_who_hits() -> None:
    assert _level("asistenta maternală mă lovește dacă nu fac curat", "ro") == "clear"
    assert _level("the lawyer keeps my passport for the application", "en") == "concern"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("the session on online safety and sextortion was useful", "en"),
        ("sesiunea despre siguranta online si santajul cu poze a fost utila", "ro"),
    ],
)
def test_a_session_about_safety_and_sextortion_is_a_topic_across_and(text: str, lang: str) -> None:
    assert _level(text, lang) != "clear"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("prietenii au glumit ca ma omoara daca uit chipsurile", "ro"),
        ("رفقاتي قالولي رح يقتلوني إذا نسيت الشيبس 😂", "ar"),
        ("mă omor de râs la filmul ăsta 😂", "ro"),
        ("frate-miu m-a lovit cu perna haha", "ro"),
    ],
)
def test_a_joke_with_a_laugh_is_asked_about_not_alarmed(text: str, lang: str) -> None:
    assert _level(text, lang) != "clear"


def test_the_lady_at_the_centre_keeping_a_card_i_asked_her_to_keep_is_not_an_alarm() -> None:
    text = "doamna de la centru imi tine cardul ca sa strang bani, eu am rugat-o"
    assert _level(text, "ro") != "clear"


@pytest.fixture
def signs(tmp_path: Path) -> Detector:
    files = {
        "en.forced_work.txt": "~ no days off\n~ all the money goes to him\n? make me work\n",
        "en.debt_bondage.txt": "? i owe him\n",
        "en.suicide.txt": "? so tired\n? cant sleep\n",
        "en.scope.txt": "negation: not | never\nclause: but\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return Detector.load(tmp_path)


def test_one_sign_alone_gets_no_answer(signs: Detector) -> None:
    assert signs("i have no days off this month, exams!") is None


def test_two_signs_in_one_message_are_a_clear_signal(signs: Detector) -> None:
    found = signs("no days off, and all the money goes to him")
    assert found is not None
    assert (found.level, found.why) == ("clear", "together")
    assert found.rule == "en.forced_work:1+en.forced_work:2"


def test_a_sign_and_a_concern_of_another_kind_add_up(signs: Detector) -> None:
    found = signs("i owe him. they make me work")
    assert found is not None
    assert found.level == "clear"


def test_two_concerns_of_one_kind_stay_one_concern(signs: Detector) -> None:
    found = signs("so tired. cant sleep")
    assert found is not None
    assert found.level == "concern"


def test_a_negated_concern_is_not_a_sign(signs: Detector) -> None:
    assert signs("they never make me work, no days off at christmas") is None


def test_the_plain_matcher_has_no_signs(signs: Detector) -> None:
    plain = Detector(signs.files, plain=True)
    assert plain("no days off, and all the money goes to him") is None
