"""Tigrinya (Ge'ez) folding: same-sounding letters unified, punctuation made plain."""

from __future__ import annotations

from bot.safety.geez import fold_geez


def test_same_sounding_letters_are_written_as_one() -> None:
    assert fold_geez("ሠራሕ") == "ሰራሕ"
    assert fold_geez("ፀሓይ") == "ጸሓይ"
    # every vowel order of the series, not only the first
    assert fold_geez("ሡሢሣሤሥሦሧ") == "ሱሲሳሴስሶሷ"
    assert fold_geez("ፁፂፃፄፅፆ") == "ጹጺጻጼጽጾ"


def test_geez_punctuation_ends_sentences_and_clauses() -> None:
    assert fold_geez("ይወቕዓኒ።ሓግዙኒ፧") == "ይወቕዓኒ.ሓግዙኒ?"
    assert fold_geez("ፓስፖርተይ፣ ሒዞም፤") == "ፓስፖርተይ, ሒዞም,"
    assert fold_geez("ክሞት፡ደልየ") == "ክሞት ደልየ"


def test_other_text_is_left_as_it_is() -> None:
    text = "I want to die. Vreau să mor، أريد أن أموت ክሞት ደልየ"
    assert fold_geez(text) == text
    assert fold_geez("") == ""
