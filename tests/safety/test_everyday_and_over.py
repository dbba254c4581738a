"""Everyday uses of danger words, things told as over, and the Arabic forms the matcher
reads by itself: each test is named after a misreading found on the development set or on
messages written fresh to check it (docs/safety.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.safety.detector import DangerMatch, Detector
from tests.safety.test_devset import SHIPPED


def _found(text: str, lang: str) -> DangerMatch | None:
    return SHIPPED(text, prefer=lang)


def _level(text: str, lang: str) -> str | None:
    found = _found(text, lang)
    return found.level if found else None


# -- everyday uses (`!` lines) ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("i was sold a broken phone online, can you help me complain", "en"),
        ("i got sold a broken phone at the market lol", "en"),
        ("mi au vandut un telefon stricat la piata", "ro"),
        ("باعوني تلفون خربان عالنت، ممكن تساعدوني بالشكوى", "ar"),
        # "تلفونها" is respelt in a second reading; the everyday use holds for both
        ("اختي باعتني تلفونها القديم برخص", "ar"),
    ],
)
def test_i_was_sold_a_broken_phone_is_not_trafficking(text: str, lang: str) -> None:
    found = _found(text, lang)
    assert found is None or (found.level, found.why) == ("concern", "everyday")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("he sold me for a phone", "en"),  # said word for word: "sold me for a" is no "sold me a"
        ("my uncle sold me to a man", "en"),
        ("m a vandut unui om pe bani", "ro"),
    ],
)
def test_being_sold_is_still_a_clear_signal(text: str, lang: str) -> None:
    assert _level(text, lang) == "clear"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("my mum doesnt let me go out late on school nights", "en"),
        ("my foster dad wont let me stay out past 10 on weekdays", "en"),
        ("mama nu ma lasa sa ies seara tarziu in timpul scolii", "ro"),
        ("امي ما بتخليني اطلع بالليل متأخر", "ar"),
        ("بابا ما بيخليني ضل برا بعد الساعة عشرة ايام المدرسة", "ar"),
        ("they took my phone in class", "en"),
        ("أخدولي التلفون بالمدرسة لأني كنت استعملو بالحصة", "ar"),
        ("my brother beat me at fifa again", "en"),
        ("fratele m a batut la fifa iar", "ro"),
        ("this maths test is going to kill me", "en"),
        ("واجب الرياضيات هاد رح يقتلني", "ar"),
    ],
)
def test_an_ordinary_rule_at_home_or_school_is_no_alarm(text: str, lang: str) -> None:
    assert _level(text, lang) != "clear"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("they dont let me go out, they lock the door at night", "en"),
        ("they took my phone so i cant call anyone", "en"),
        ("رح يقتلني اذا عرف انو حكيت", "ar"),
    ],
)
def test_the_same_words_without_the_everyday_context_stay_clear(text: str, lang: str) -> None:
    assert _level(text, lang) == "clear"


# -- Romanian "datoria" (also "duty") ----------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "datoria mea e sa invat bine",
        "e datoria noastra sa ne ajutam unii pe altii",
        "mi am facut datoria si am plecat acasa",
        "datoria fiecaruia e sa respecte regulile",
        # with another sign beside it ("when nobody is home"), duty still adds up to nothing
        "datoria mea e sa am grija de fratele meu mic cand nu e nimeni acasa",
    ],
)
def test_datoria_as_duty_is_no_alarm(text: str) -> None:
    assert _level(text, "ro") != "clear"


def test_a_debt_that_grows_is_still_debt_bondage() -> None:
    found = _found("datoria creste in fiecare saptamana si nu pot pleca", "ro")
    assert found is not None
    assert found.level == "clear"


# -- Arabic "لحد ما" (until) is no negation ----------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "بيشغلوني لحد ما اخلص الدين",
        "لازم اشتغل لحد ما اسدد الدين",
        "بيضربني لحد ما يطلع دم",
    ],
)
def test_lahad_ma_until_is_not_read_as_not(text: str) -> None:
    assert _level(text, "ar") == "clear"


def test_lahad_ma_in_ordinary_feedback_is_no_alarm() -> None:
    assert _level("استنيت لحد ما جت الدكتورة", "ar") is None


# -- told as over ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("my dad used to hit me", "en"),
        ("he hit me but not anymore", "en"),
        ("ma batea, dar nu mai", "ro"),
        ("كان يضربني بس هلق لا", "ar"),
        ("كنت اأذي حالي بس صرلي سنة بطلت وانا فخورة", "ar"),
    ],
)
def test_what_is_told_as_over_is_asked_about_gently(text: str, lang: str) -> None:
    found = _found(text, lang)
    assert found is not None
    assert (found.level, found.why) == ("concern", "resolved")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("they dont let me go out anymore", "en"),  # "anymore" belongs to its own "dont"
        ("i got used to it, he hits me every day", "en"),  # "got used to" is no "used to"
        ("ma bate dar nu mai pot", "ro"),  # "nu mai" does not end the clause
        ("the staff at the other home used to hit us, one of them still does", "en"),
    ],
)
def test_what_still_goes_on_stays_clear(text: str, lang: str) -> None:
    assert _level(text, lang) == "clear"


# -- Arabic forms read by the matcher itself ----------------------------------------------------
def _tiny(tmp_path: Path, phrase: str) -> Detector:
    (tmp_path / "ar.abuse_now.txt").write_text(phrase + "\n", encoding="utf-8")
    (tmp_path / "ar.scope.txt").write_text("negation: ما | مش\n", encoding="utf-8")
    return Detector.load(tmp_path)


@pytest.mark.parametrize(
    "text",
    ["بيضربها", "يضربهم", "يضربنا", "هيضربني", "ديضربني", "يضربنيش", "وبيضربوني"],
)
def test_an_object_pronoun_and_dialect_prefixes_are_read(tmp_path: Path, text: str) -> None:
    detector = _tiny(tmp_path, "يضربني")
    assert detector(text, prefer="ar") is not None


def test_a_negation_written_onto_the_verb_still_cancels(tmp_path: Path) -> None:
    detector = _tiny(tmp_path, "بيضربني")
    assert detector("مابيضربنيش", prefer="ar") is None
    assert detector("ما بيضربني", prefer="ar") is None


def test_a_pronoun_ending_on_a_noun_is_read(tmp_path: Path) -> None:
    detector = _tiny(tmp_path, "اخدو + جواز")
    assert detector("اخدو جوازها", prefer="ar") is not None
    assert detector("اخدولي جوازي", prefer="ar") is not None


# -- a + b meeting in a later clause ---------------------------------------------------------
def test_the_parts_of_a_line_may_meet_in_a_later_clause(tmp_path: Path) -> None:
    (tmp_path / "en.sextortion.txt").write_text("threat* + share + video\n", encoding="utf-8")
    (tmp_path / "en.scope.txt").write_text("clause: that | but\n", encoding="utf-8")
    detector = Detector.load(tmp_path)
    found = detector("he threatens me that he will share the video, threats again", prefer="en")
    assert found is not None
    assert detector("a threat but i share no video", prefer="en") is None
