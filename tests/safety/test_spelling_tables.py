"""The Romanian and Arabic spelling tables: chat spellings read as the words the phrases use.

Each message below is written as young people type: Romanian "sh" for ș, "tz" for ț and
"nush", "dak"; Arabic with ق said as أ, ص typed as س, and Arabizi variants. Each is read
through `<lang>.spelling.txt` (and found by no phrase without it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.safety.detector import Detector
from bot.safety.lexicon import load_files


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector.load()


@pytest.mark.parametrize(
    ("text", "lang", "category"),
    [
        ("nush ce sa fac sefu imi tzine actele", "ro", "documents_taken"),
        ("الباب مأفول علي", "ar", "held_or_forced"),
        ("اغتسبني", "ar", "abuse_now"),
        ("hoo a5ad basbore", "ar", "documents_taken"),
        ("bde2 mot", "ar", "suicide"),
    ],
)
def test_chat_spellings_reach_a_clear_phrase(
    detector: Detector, text: str, lang: str, category: str
) -> None:
    found = detector(text, prefer=lang)
    assert found is not None
    assert (found.level, found.category) == ("clear", category)


def test_a_chat_spelt_if_is_still_an_if(detector: Detector) -> None:
    # "dak" is "dacă" (if): what it supposes is asked about, not alarmed on
    found = detector("dak ma bate tata", prefer="ro")
    assert found is not None
    assert (found.level, found.why) == ("concern", "hypothetical")


def test_the_tables_are_read_as_written() -> None:
    files = load_files()
    assert files.spelling["ro"]["nush"] == "nu stiu"
    assert files.spelling["ro"]["pashaportu"] == "pasaportul"
    assert files.spelling["ar"]["بيدوني"] == "بيعطوني"
    # no line reads a word as itself once folded (it would only confuse a reviewer)
    for table in (files.spelling["ro"], files.spelling["ar"]):
        assert all(wrong != right for wrong, right in table.items())


@pytest.mark.parametrize(
    "lines",
    [
        "nn = non\n",  # folds to "n": every Romanian "n-am" would read "non am"
        "bf = boyfriend\nbff = best friend\n",  # "bff" folds into "bf"
    ],
)
def test_a_spelling_that_folds_into_another_word_is_refused(tmp_path: Path, lines: str) -> None:
    (tmp_path / "it.suicide.txt").write_text("voglio morire\n", encoding="utf-8")
    (tmp_path / "it.spelling.txt").write_text(lines, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"it\.spelling\.txt:\d: .*letters typed twice"):
        load_files(tmp_path)


def test_a_romanian_n_is_not_respelt_by_another_language(detector: Detector) -> None:
    # "n-am mai ieșit de săptămâni" is "nu am mai ieșit": read as Romanian, not Italian "non"
    found = detector("n-am mai iesit din casa de saptamani, nu ma lasa", prefer="ro")
    assert found is not None
    assert found.level == "clear"
