"""Guessing the language of short typed phrases, among the shipped languages only."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.i18n.detect import LanguageDetector

ALL = ("en", "ro", "it", "sr", "bs", "sq", "lv", "sv", "nb", "nl", "de", "sw", "uk", "ar",
       "fa", "ti", "so", "pcm")  # fmt: skip
detector = LanguageDetector(["en", "ro", "ar"])
everything = LanguageDetector(ALL)


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


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("ሓገዝ የድልየኒ", "ti"),  # Ge'ez letters: Tigrinya, whatever the statistics say
        ("እወ", "ti"),  # two syllables are a word
        ("می‌خواهم با کسی حرف بزنم", "fa"),  # ی and گ/خ forms: Persian, not Arabic
        ("چطوری", "fa"),
        ("كيف حالك", "ar"),  # Arabic ي/ك
        ("Я хочу поговорити з кимось", "uk"),
        ("Хочу поговорить", "uk"),  # Russian typed by a Ukrainian: the shipped Cyrillic one
        ("Ich möchte mit jemandem reden", "de"),
        ("Jag vill prata med någon", "sv"),
        ("Jeg vil snakke med noen", "nb"),
        ("Ik wil met iemand praten", "nl"),
        ("Voglio parlare con qualcuno", "it"),
        ("Dua të flas me dikë", "sq"),
        ("Es gribu runāt ar kādu", "lv"),
        ("Nataka kuongea na mtu", "sw"),
        ("Waxaan rabaa inaan la hadlo qof", "so"),
        ("Abeg I wan talk to person", "pcm"),
        ("Wetin dey happen?", "pcm"),
        ("Želim da razgovaram sa nekim ovde", "sr"),  # ekavian "ovde"
        ("Želim razgovarati s nekim ovdje", "bs"),  # ijekavian "ovdje"
        ("Wẹ́nẹ́zdè", "pcm"),  # Naijá dot-below vowels, though "è" is Italian's accent too
        ("Jénúári", "pcm"),  # acute tone marks: no other shipped language writes "ú"
        ("No vex, i go try", "pcm"),  # Pidgin phrases, whatever the statistics say
        ("Sedmica nije naznačena", "bs"),  # Bosnian "sedmica", Serbian "nedelja"
    ],
)
def test_every_language_and_the_rules_for_close_ones(text: str, lang: str) -> None:
    assert everything.detect(text) == lang


@pytest.mark.parametrize(
    ("text", "lang"), [("Takođe nije uneta", "sr"), ("Također nije unesena", "bs")]
)
def test_serbian_and_bosnian_words_beat_the_order_of_the_languages(text: str, lang: str) -> None:
    # Neither text has a yat form; without its telling words each goes to the first listed.
    assert LanguageDetector(("bs", "sr")).detect(text) == lang
    assert LanguageDetector(("sr", "bs")).detect(text) == lang


@pytest.mark.parametrize("text", ["ok", "da", "?!", "", "12"])
def test_too_short_or_unclear_gives_no_guess(text: str) -> None:
    assert detector.detect(text) is None


def test_only_shipped_languages_are_guessed() -> None:
    assert LanguageDetector(["en", "ro"]).detect("أريد أن أتكلم") is None
    assert LanguageDetector(["en"]).detect("Vreau să vorbesc cu cineva") in (None, "en")
    assert LanguageDetector(["en", "ar"]).detect("می‌خواهم با کسی حرف بزنم") == "ar"
    assert LanguageDetector(["en", "ro"]).detect("ሓገዝ የድልየኒ") is None
    assert LanguageDetector(["en", "de"]).detect("Jag vill prata med någon") in ("de", "en")


@pytest.mark.parametrize("shipped", [("en", "pcm"), ("it", "sr"), ("sr", "bs"), ALL[:9]])
def test_any_subset_of_the_languages_only_guesses_its_own(shipped: tuple[str, ...]) -> None:
    subset = LanguageDetector(shipped)
    for text in ("Abeg I wan talk", "Voglio parlare", "Želim razgovarati", "Hello there",
                 "Ich möchte reden", "سلام"):  # fmt: skip
        assert subset.detect(text) in (*shipped, None)


def test_answers_are_repeatable() -> None:
    assert {detector.detect("Salut, sunt aici") for _ in range(5)} == {"ro"}


TEXTS = ["Salut, sunt aici", "ciao", "Hej", "I dey here", "Dobar dan", "hello", "Guten Tag",
         "Habari", "goeie", "Tere", "sawa sawa", "mirë"]  # fmt: skip
PROGRAM = (
    "import sys; from bot.i18n.detect import LanguageDetector as D; d = D(sys.argv[1:]); "
    f"print([d.detect(t) for t in {TEXTS!r}])"
)


def test_the_same_guesses_in_two_processes() -> None:
    """Detectors seeded per process (langdetect) can answer differently in another one."""
    runs = {
        subprocess.run(
            [sys.executable, "-c", PROGRAM, *ALL], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    }
    assert len(runs) == 1
    assert "None" in next(iter(runs)) or "'" in next(iter(runs))


def test_the_app_guesses_among_the_languages_config_ships_letters_first() -> None:
    """Issue 13: the serving detector is built from `[languages] shipped`, and letters
    decide before lingua is asked: Ge'ez is Tigrinya, پ چ ژ گ are Persian."""
    from bot.app import load_app
    from tests.i18n.conftest import ROOT

    app = load_app(ROOT / "config.toml")
    assert app.language_detector.shipped == app.config.languages.shipped
    assert set(app.config.languages.shipped) == set(ALL)
    assert app.language_detector.detect("ሓገዝ የድልየኒ") == "ti"
    assert app.language_detector.detect("می‌خواهم با کسی حرف بزنم") == "fa"
    assert app.language_detector.detect("چطوری") == "fa"  # one letter settles it


def test_latin_only_weighs_no_model_of_another_script() -> None:
    """The measured alternative (BENCHMARKS.md): less memory, Persian and Ukrainian worse."""
    latin = LanguageDetector(ALL, latin_only=True)
    assert not {"ar", "fa", "uk"} & set(latin._models)
    assert latin.detect("سلام دوست من") == "ar"  # no telling letter: the first listed
