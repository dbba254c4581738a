"""Looking up translations: fallback to the source text, and plural forms per language."""

from __future__ import annotations

import logging

import pytest

from bot.i18n.catalogs import po_path
from bot.i18n.translator import Catalog, Translator
from tests.i18n.conftest import ROOT

PICKED = ("You picked {n} answer.", "You picked {n} answers.")


@pytest.fixture(scope="module")
def translator() -> Translator:
    return Translator.load(ROOT / "locales", ["en", "ro", "ar"], "en")


def test_missing_translation_falls_back_to_source_and_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    translator = Translator(catalogs={"ro": Catalog("ro")})
    with caplog.at_level(logging.WARNING, logger="bot.i18n.translator"):
        first = translator.gettext("ro", "common/stop/bye", "A text nobody translated.")
        again = translator.gettext("ro", "common/stop/bye", "A text nobody translated.")
    assert first == again == "A text nobody translated."
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "ro" in warnings[0].getMessage()
    assert "common/stop/bye" in warnings[0].getMessage()
    # The log names the place, never the words (they may come from a young person).
    assert "nobody translated" not in warnings[0].getMessage()


def test_unknown_language_falls_back_to_source(translator: Translator) -> None:
    assert translator.system("xx", "Skip") == "Skip"
    assert translator.system_plural("xx", *PICKED, 3) == "You picked 3 answers."


def test_source_language_is_never_looked_up(
    translator: Translator, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        assert translator.system("en", "Done") == "Done"
    assert not caplog.records


def test_system_text_with_values(translator: Translator) -> None:
    text = "SafeVoice is made for young people aged {low} to {high}. " + (
        "If you need help now, you can still talk to a person: type /person."
    )
    ro = translator.system("ro", text, low=8, high=24)
    assert "între 8 și 24 ani" in ro
    assert "/person" in ro
    ar = translator.system("ar", text, low=8, high=24)
    assert "من عمر 8 إلى 24" in ar
    assert "/person" in ar


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "Ai ales 1 răspuns."),
        (2, "Ai ales 2 răspunsuri."),
        (19, "Ai ales 19 răspunsuri."),
        (20, "Ai ales 20 de răspunsuri."),
        (101, "Ai ales 101 răspunsuri."),
    ],
)
def test_romanian_plural_forms(translator: Translator, n: int, expected: str) -> None:
    assert translator.system_plural("ro", *PICKED, n) == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "لم تُختر أي إجابة."),
        (1, "اخترت إجابة واحدة."),
        (2, "اخترت إجابتين."),
        (3, "اخترت 3 إجابات."),
        (10, "اخترت 10 إجابات."),
        (11, "اخترت 11 إجابةً."),
        (99, "اخترت 99 إجابةً."),
        (100, "اخترت 100 إجابة."),
        (102, "اخترت 102 إجابة."),
    ],
)
def test_arabic_plural_forms(translator: Translator, n: int, expected: str) -> None:
    assert translator.system_plural("ar", *PICKED, n) == expected


def test_fuzzy_translations_are_not_used(tmp_path) -> None:  # type: ignore[no-untyped-def]
    source = po_path(ROOT / "locales", "ro").read_text(encoding="utf-8")
    fuzzy = source.replace(
        'msgctxt "system"\nmsgid "Skip"', '#, fuzzy\nmsgctxt "system"\nmsgid "Skip"'
    )
    assert fuzzy != source
    target = po_path(tmp_path, "ro")
    target.parent.mkdir(parents=True)
    target.write_text(fuzzy, encoding="utf-8")
    translator = Translator.load(tmp_path, ["ro"])
    assert translator.system("ro", "Skip") == "Skip"
    assert translator.system("ro", "Done") == "Gata"
