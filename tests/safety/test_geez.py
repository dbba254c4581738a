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


def test_normalise_folds_geez_so_either_spelling_matches() -> None:
    from bot.safety.normalise import normalise

    assert normalise("ፓስፖርተይ ወሢዶም።") == normalise("ፓስፖርተይ ወሲዶም")
    assert normalise("ሠራሕ፣ፀሓይ") == "ሰራሕ ጸሓይ"


def test_the_detector_reads_geez_letters_and_sentence_ends() -> None:
    from bot.safety.detector import Detector

    detector = Detector.load()
    # "they took my passport", with ሢ for the same-sounding ሲ
    found = detector("ፓስፖርተይ ወሢዶም", prefer="ti")
    assert found is not None
    assert found.category == "documents_taken"
    assert found.level == "clear"
    # "police." and "call" are two sentences: the phrase "call the police" is not there
    assert detector("ፖሊስ ጸውዑ", prefer="ti") is not None
    assert detector("ፖሊስ። ጸውዑ", prefer="ti") is None
