"""The detector's reading on a small lexicon of its own: groups, levels, scope, spelling,
spaced letters, emoji, misspellings, and the plain phrase-only matcher beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.safety.detector import DangerMatch, Detector
from bot.safety.fuzzy import distance


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    files = {
        "en.groups.txt": (
            "@he: he | she | they | my boss | the man\n@keep: keep* | kept | took\n"
            "@docs: passport | papers | id\n"
        ),
        "en.documents_taken.txt": "# papers\n@he @keep my passport\n",
        "en.abuse_now.txt": "@he hits me\n@he hit* me\n",
        "en.suicide.txt": "want to die\nkill myself\nsuicid*\n",
        "en.immediate_danger.txt": "in danger\n@he has a knife\n",
        "en.debt_bondage.txt": "? i owe him\nwork to pay back the debt\n",
        "en.scope.txt": (
            "negation: not | no one | nobody | never | dont\n"
            "hypothetical: if | what if\n"
            "topic: about | workshop\n"
            "clause: but | and\n"
            "subject: i | he | she | they | we\n"
        ),
        "en.spelling.txt": "wnt = want\n2 = to\nkeep: suicidally\n",
        "en.held_or_forced.txt": "? he watches me\nhe watches me through the camera\n",
        "en.forced_work.txt": "@docs + @he @keep\n? make me work\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def found(detector: Detector, text: str) -> tuple[str, str, str] | None:
    match = detector(text, "en")
    return (match.category, match.level, match.why) if match else None


def test_groups_write_persons_and_tenses_once(folder: Path) -> None:
    detector = Detector.load(folder)
    for text in ("he keeps my passport", "my boss took my passport", "they kept my passport"):
        assert found(detector, text) == ("documents_taken", "clear", ""), text
    match = detector("the man keeps my passport", "en")
    assert match == DangerMatch("documents_taken", "en", "clear", "en.documents_taken:2")


def test_negation_cancels_and_a_negative_phrase_stays(folder: Path) -> None:
    detector = Detector.load(folder)
    assert found(detector, "i am not in danger") is None
    assert found(detector, "no one hits me here") is None
    assert found(detector, "they dont hit me") is None
    assert found(detector, "nobody took my passport") is None
    # A new clause: the negation does not reach.
    assert found(detector, "no one helps me but he hits me") == ("abuse_now", "clear", "")
    assert found(detector, "it is not ok. he hits me") == ("abuse_now", "clear", "")


def test_hypotheticals_and_topics_are_a_concern(folder: Path) -> None:
    detector = Detector.load(folder)
    assert found(detector, "what if he hits me") == ("abuse_now", "concern", "hypothetical")
    assert found(detector, "the workshop about suicide was good") == (
        "suicide", "concern", "topic",
    )  # fmt: skip
    assert found(detector, "i owe him") == ("debt_bondage", "concern", "")
    # A clear signal anywhere wins over a concern.
    assert found(detector, "i owe him. he has a knife") == ("immediate_danger", "clear", "")


def test_txt_speak_spaced_letters_and_emoji(folder: Path) -> None:
    detector = Detector.load(folder)
    assert found(detector, "i wnt 2 die") == ("suicide", "clear", "")
    assert found(detector, "i will k i l l myself") == ("suicide", "clear", "")
    assert found(detector, "he has a 🔪") == ("immediate_danger", "clear", "")
    assert found(detector, "a b c d") is None


def test_misspellings_within_bounds(folder: Path) -> None:
    detector = Detector.load(folder)
    assert found(detector, "i feel suiced") == ("suicide", "concern", "spelling")
    assert found(detector, "he has a knife and i want to dye") is not None
    assert found(detector, "my boss took my pasprot") == ("documents_taken", "clear", "spelling")
    assert found(detector, "suicidally") is not None  # a `*` stem: not respelt at all
    assert found(detector, "my passport is at the office") is None
    assert distance("suicde", "suicide") == 1
    assert distance("ab", "ba") == 1


def test_the_plain_matcher_is_phrases_only(folder: Path) -> None:
    plain = Detector.load(folder, plain=True)
    assert found(plain, "i am not in danger") == ("immediate_danger", "clear", "")
    assert found(plain, "i owe him") == ("debt_bondage", "clear", "")
    assert found(plain, "i wnt 2 die") is None
    assert found(plain, "my boss took my pasprot") is None


@pytest.mark.parametrize(
    ("name", "text", "error"),
    [
        ("en.groups.txt", "he | she\n", r"en\.groups\.txt:1"),
        ("en.groups.txt", "@a: @b\n", "cannot use another group"),
        ("en.suicide.txt", "@nobody dies\n", "no group @nobody"),
        ("en.suicide.txt", "@want* to die\n", r"no group @want\*"),
        ("en.suicide.txt", "want to + \n", r"en\.suicide\.txt:1"),
        ("en.scope.txt", "negations: not\n", r"en\.scope\.txt:1"),
        ("en.spelling.txt", "two words = one\n", r"en\.spelling\.txt:1"),
    ],
)
def test_file_mistakes_name_their_place(tmp_path: Path, name: str, text: str, error: str) -> None:
    (tmp_path / "en.suicide.txt").write_text("want to die\n", encoding="utf-8")
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=error):
        Detector.load(tmp_path)


# -- regressions found in review of 0.2's detector --------------------------------------


def test_a_concern_early_in_a_text_does_not_hide_a_clear_signal_later(folder: Path) -> None:
    detector = Detector.load(folder)
    assert found(detector, "they make me work and he has a knife") == (
        "immediate_danger", "clear", "",
    )  # fmt: skip


def test_the_longest_phrase_at_a_place_wins_over_the_first_file(folder: Path) -> None:
    detector = Detector.load(folder)
    match = detector("he watches me through the camera", "en")
    assert match is not None
    assert (match.level, match.rule) == ("clear", "en.held_or_forced:2")


def test_a_negation_in_the_chats_language_reaches_a_phrase_of_another(tmp_path: Path) -> None:
    (tmp_path / "en.scope.txt").write_text("negation: not\n", encoding="utf-8")
    (tmp_path / "en.suicide.txt").write_text("kill myself\n", encoding="utf-8")
    (tmp_path / "ro.scope.txt").write_text("negation: nu\n", encoding="utf-8")
    (tmp_path / "ro.immediate_danger.txt").write_text("in pericol\n", encoding="utf-8")
    detector = Detector.load(tmp_path)
    assert detector("i am not in pericol", "en") is None
    assert detector("i am in pericol", "en") is not None


def test_a_negation_does_not_reach_past_a_new_subject(folder: Path) -> None:
    detector = Detector.load(folder)
    assert found(detector, "when i dont work they hit me") == ("abuse_now", "clear", "")
    assert found(detector, "i will never forget he hit me") == ("abuse_now", "clear", "")
    assert found(detector, "he never hits me") is None


def test_what_happens_after_an_if_is_not_a_what_if(folder: Path) -> None:
    detector = Detector.load(folder)
    assert found(detector, "if we stop they hit me") == ("abuse_now", "clear", "")
    assert found(detector, "what if he hits me") == ("abuse_now", "concern", "hypothetical")


def test_together_parts_match_in_any_order_within_one_clause(folder: Path) -> None:
    detector = Detector.load(folder)
    for text in ("my passport he keeps it", "he took my id", "they kept my papers"):
        assert found(detector, text) == ("forced_work", "clear", ""), text
    assert found(detector, "my passport, he keeps it") == ("forced_work", "clear", "")
    assert found(detector, "my passport is safe but he keeps calling") is None
    assert found(detector, "my passport is safe. he keeps calling") is None
    assert found(detector, "my passport he dont keep it") is None


def test_everyday_words_are_not_respelt_into_danger_words(tmp_path: Path) -> None:
    (tmp_path / "ro.abuse_now.txt").write_text("m a violat\nviolat*\n", encoding="utf-8")
    (tmp_path / "en.suicide.txt").write_text("trapped\n", encoding="utf-8")
    detector = Detector.load(tmp_path)
    assert detector("the violet room is nice", "en") is None  # "violet", not "violat"
    assert detector("i wrapped the present", "en") is None  # "wrapped", not "trapped"
    assert detector("m a violatt", "ro") is not None  # a true misspelling still reads


def test_an_arabic_word_with_its_prefixes_finds_its_phrase(tmp_path: Path) -> None:
    (tmp_path / "ar.documents_taken.txt").write_text("اخذ جوازي\n", encoding="utf-8")
    detector = Detector.load(tmp_path)
    match = detector("وبعدين فاخذ جوازي", "ar")
    assert match is not None
    assert match.category == "documents_taken"
