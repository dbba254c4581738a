"""The shipped lexicon finds danger phrases in every language and leaves feedback alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import load_config
from bot.errors import ConfigError
from bot.safety.detector import DangerMatch, Detector
from bot.safety.lexicon import CATEGORIES, DEFAULT_DIR, EXTRA_FILES, phrase_pattern
from tests.safety.phrases import BENIGN, DANGER

ROOT = Path(__file__).resolve().parents[2]
BLNS = Path(__file__).resolve().parents[1] / "testdata" / "blns.txt"
LEXICON = Detector.load()
CASES = [
    (lang, category, phrase)
    for lang, categories in DANGER.items()
    for category, phrases in categories.items()
    for phrase in phrases
]


def test_every_shipped_language_and_category_is_tested_and_covered() -> None:
    config, _ = load_config(ROOT / "config.toml")
    for lang in config.languages.shipped:
        assert set(DANGER[lang]) <= set(CATEGORIES), lang
        for category in DANGER[lang]:
            assert len(DANGER[lang][category]) >= 5, (lang, category)
    assert LEXICON.missing(config.languages.shipped) == []  # every category: tests/safety/devset


@pytest.mark.parametrize(("lang", "category", "phrase"), CASES)
def test_danger_phrase_is_found(lang: str, category: str, phrase: str) -> None:
    found = LEXICON.match(phrase, prefer=lang)
    assert found is not None
    # Any category: the point is that a person is alerted (0.2.0 split the old
    # held_or_forced into trafficking, documents_taken, forced_work and others).
    assert (found.language, found.level) == (lang, "clear"), found
    # Without a hint every language is still checked: young people mix languages.
    assert LEXICON.match(phrase) is not None
    # Inside a longer message, after ordinary words, it is still found.
    assert LEXICON.match(f"ok. {phrase}, and the food was fine") is not None


@pytest.mark.parametrize("sentence", BENIGN)
def test_ordinary_feedback_raises_no_alarm(sentence: str) -> None:
    assert LEXICON.match(sentence) is None


def test_enough_ordinary_sentences() -> None:
    assert len(BENIGN) >= 40


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("skill", False),
        ("kill myself", True),
        ("Skilled myself", False),  # word boundaries: not "kill myself"
        ("I want to really just die", True),  # `...` in "want to ... die"
        ("I K.I.L.L myself", False),  # letters split by dots are a known gap
        ("suicidal", True),  # `*` wildcard
        ("vreau să mor", True),
        ("واريد ان اموت", True),  # "and I want to die": و in front
        ("ساموت", False),
    ],
)
def test_boundaries_gaps_and_wildcards(text: str, found: bool) -> None:
    assert (LEXICON.match(text) is not None) is found


def test_a_match_carries_no_words() -> None:
    found = LEXICON.match("they took my passport")
    assert found is not None
    assert set(vars(found)) == {"category", "language", "level", "rule", "why"}
    assert re.fullmatch(r"en\.documents_taken:\d+", found.rule), found.rule


def test_preferred_language_is_tried_first(tmp_path: Path) -> None:
    (tmp_path / "en.suicide.txt").write_text("want to die\n", encoding="utf-8")
    (tmp_path / "xx.abuse_now.txt").write_text("die\n", encoding="utf-8")
    lexicon = Detector.load(tmp_path)
    assert lexicon.match("want to die", prefer="xx") == DangerMatch(
        "abuse_now", "xx", rule="xx.abuse_now:1"
    )
    assert lexicon.match("want to die", prefer="en") == DangerMatch(
        "suicide", "en", rule="en.suicide:1"
    )


def test_arabic_words_take_prefixes() -> None:
    pattern = phrase_pattern("يضربني", "ar")
    assert pattern.startswith("(?:")
    found = LEXICON.match("وبيضربني")
    assert found is not None
    assert (found.category, found.language) == ("abuse_now", "ar")


def test_files_with_unknown_categories_are_refused(tmp_path: Path) -> None:
    (tmp_path / "en.sadness.txt").write_text("sad\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"en\.sadness\.txt"):
        Detector.load(tmp_path)


def test_a_line_with_no_letters_names_its_place(tmp_path: Path) -> None:
    (tmp_path / "en.suicide.txt").write_text("# comment\nwant to die\n?!\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"en\.suicide\.txt:3"):
        Detector.load(tmp_path)


def test_an_empty_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no danger lexicon"):
        Detector.load(tmp_path)


def test_comments_and_blank_lines_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "en.suicide.txt").write_text("# want\n\n  die now  # inline\n", encoding="utf-8")
    lexicon = Detector.load(tmp_path)
    assert lexicon.counts()[("en", "suicide")] == 1
    assert lexicon.match("I could die now") == DangerMatch("suicide", "en", rule="en.suicide:3")
    assert lexicon.match("want") is None


def test_every_shipped_file_is_named_for_a_language_and_category() -> None:
    for path in DEFAULT_DIR.glob("*"):
        lang, _, category = path.stem.partition(".")
        assert path.suffix == ".txt", path
        assert category in CATEGORIES or category in EXTRA_FILES, path
        assert lang in DANGER, path


def test_blns_never_crashes_the_matcher() -> None:
    lines = BLNS.read_text(encoding="utf-8").splitlines()
    assert len(lines) > 500
    for line in lines:
        found = LEXICON.match(line)
        assert found is None or found.category in CATEGORIES


def test_long_input_is_handled() -> None:
    text = "the staff are kind " * 500 + "I want to die"
    found = LEXICON.match(text)
    assert found is not None
    assert found.category == "suicide"


@settings(max_examples=300, deadline=None)
@given(st.text(), st.sampled_from([None, "en", "ro", "ar", "xx"]))
def test_matching_never_raises(text: str, prefer: str | None) -> None:
    found = LEXICON.match(text, prefer=prefer)
    assert found is None or (found.category in CATEGORIES and found.language in DANGER)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(CASES), st.text(max_size=20), st.text(max_size=20))
def test_a_phrase_between_other_sentences_is_found(case, before: str, after: str) -> None:  # type: ignore[no-untyped-def]
    _, _, phrase = case
    assert LEXICON.match(f"{before}\n{phrase}\n{after}") is not None
