"""Guessing the language of short typed phrases, among the shipped languages only."""

from __future__ import annotations

import pytest

from bot.i18n.detect import LanguageDetector

detector = LanguageDetector(["en", "ro", "ar"])


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Vreau să vorbesc cu cineva", "ro"),
        ("Bună, ce faci?", "ro"),
        ("Mă simt bine", "ro"),
        ("română", "ro"),
        ("مرحبا", "ar"),
        ("أريد أن أتكلم مع شخص", "ar"),
        ("عربي", "ar"),
        ("I want to talk to someone", "en"),
        ("Hello, how are you?", "en"),
    ],
)
def test_short_phrases(text: str, lang: str) -> None:
    assert detector.detect(text) == lang


@pytest.mark.parametrize("text", ["ok", "da", "?!", "", "12"])
def test_too_short_or_unclear_gives_no_guess(text: str) -> None:
    assert detector.detect(text) is None


def test_only_shipped_languages_are_guessed() -> None:
    assert LanguageDetector(["en", "ro"]).detect("أريد أن أتكلم") is None
    assert LanguageDetector(["en"]).detect("Vreau să vorbesc cu cineva") in (None, "en")


def test_answers_are_repeatable() -> None:
    assert {detector.detect("Salut, sunt aici") for _ in range(5)} == {"ro"}
