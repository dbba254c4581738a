"""Folding text for matching: case, accents, Arabic forms, leetspeak, stretched letters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.safety.normalise import normalise, normalise_each
from tests.naughty import BLNS


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("I want to DIE!!!", "i want to die"),
        ("pleeeease", "please"),
        ("kill", "kil"),
        ("k1ll mys3lf", "kil myself"),
        ("su1cide", "suicide"),
        ("5elf h@rm", "self harm"),
        ("$uicide", "suicide"),
        ("d!e", "die"),
        ("I can't leave", "i cant leave"),
        ("I can’t leave", "i cant leave"),
        ("  lots   of\tspace\n", "lots of space"),
        ("ＫＩＬＬ", "kil"),
        ("k\u200bi\u00adll", "kil"),  # zero-width space and soft hyphen
        ("Vreau să mor", "vreau sa mor"),
        ("şţ ș ț ă â î", "st s t a a i"),
        ("116 111, I'm 15", "116 111 im 15"),
        ("أُرِيدُ أَنْ أَمُوتَ", "اريد ان اموت"),
        ("أريـــد", "اريد"),
        ("إلى آخر", "الي اخر"),
        ("مدرسة", "مدرسه"),
        ("مسؤول", "مسول"),
        ("شيء", "شي"),
        ("١١٦", "116"),
        ("", ""),
    ],
)
def test_normalise(text: str, folded: str) -> None:
    assert normalise(text) == folded


@given(st.text())
def test_normalise_is_stable(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert "  " not in once
    assert once == once.strip()


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("مبيخلونيش", "ما بيخلوني"),  # Egyptian ما ... ش around the verb
        ("ماتقولش", "ما تقول"),
        ("ماكيخلينيش", "ما كيخليني"),  # Maghrebi
        ("مابدي", "ما بدي"),  # Levantine "ما" written onto the verb
        ("مابيخلوني اطلع", "ما بيخلوني اطلع"),
        ("معلش", "معلش"),  # ordinary words that only look so stay whole
        ("مفيش", "مفيش"),
        ("متوحش", "متوحش"),
    ],
)
def test_a_negation_written_onto_an_arabic_verb_is_read_apart(written: str, read: str) -> None:
    assert normalise(written) == read


@given(st.lists(st.text()))
def test_a_word_list_folded_at_once_reads_as_each_word_alone(words: list[str]) -> None:
    assert normalise_each(words) == [normalise(word) for word in words]


def test_the_naughty_strings_fold_alike_at_once_and_alone() -> None:
    assert normalise_each(BLNS) == [normalise(line) for line in BLNS]
