"""PII scrubbing of free text: realistic messages in English, Romanian and Arabic, odd input,
and properties that must hold for any text at all."""

from __future__ import annotations

import re
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.privacy import scrub

BLNS = Path(__file__).resolve().parents[1] / "testdata" / "blns.txt"

# What must never survive: six digits joined by at most a few separators, a handle, a scheme.
LEAKS = re.compile(r"\d(?:[ .\-/()]{0,3}\d){5}|[@＠﹫]\w|://")


def assert_clean(out: str) -> None:
    assert not LEAKS.search(out), out
    assert not re.search(r"\d{6,}", out), out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # English
        ("Call me on +40 721 234 567 please", "Call me on [phone] please"),
        ("my number is 07712 345678, text me", "my number is [phone], text me"),
        ("ring (020) 7946-0958 after 6", "ring [phone] after 6"),
        ("email me: sam.jones99@gmail.com", "email me: [email]"),
        ("sam at hotmail dot com", "[email]"),
        ("sam [at] yahoo [dot] co [dot] uk", "[email]"),
        ("find me on insta @sammy_j.2010!", "find me on insta [handle]!"),
        ("snap is @sam2010 and tiktok @sam.j", "snap is [handle] and tiktok [handle]"),
        ("see https://example.org/my-page?id=7 ok", "see [link] ok"),
        ("my page (www.facebook.com/sam.jones).", "my page ([link])."),
        ("message me on t.me/sammyj or wa.me/447712345678", "message me on [link] or [link]"),
        ("go to bit.ly/3xYz", "go to [link]"),
        ("my card 4111 1111 1111 1111", "my card [number]"),
        ("case number 123456", "case number [number]"),
        # Romanian
        ("Sună-mă la 0721 234 567 sau la 0721.234.567", "Sună-mă la [phone] sau la [phone]"),
        ("nr meu e (0721) 234-567", "nr meu e [phone]"),
        ("CNP-ul meu este 5090101123456", "CNP-ul meu este [number]"),
        ("IBAN RO49 AAAA 1B31 0075 9384 0000 pe numele meu", "IBAN [number] pe numele meu"),
        ("scrie-mi pe ioana.popescu@yahoo.ro", "scrie-mi pe [email]"),
        ("mă găsești pe facebook.com/ioana.p", "mă găsești pe [link]"),
        ("Îmi place școala, dar mâncarea e rece.", "Îmi place școala, dar mâncarea e rece."),
        # Arabic, with Arabic-Indic and Persian digits
        ("رقمي ٠٧٢١٢٣٤٥٦٧ اتصل بي", "رقمي [phone] اتصل بي"),
        ("اتصل على +٤٠ ٧٢١ ٢٣٤ ٥٦٧", "اتصل على [phone]"),
        ("شماره من ۰۹۱۲۳۴۵۶۷۸۹ است", "شماره من [phone] است"),
        ("بريدي ahmad@example.com شكرا", "بريدي [email] شكرا"),
        ("حسابي @ahmad_99 على انستغرام", "حسابي [handle] على انستغرام"),
        ("البريد أحمد@مثال.com", "البريد [email]"),
        ("الموظفون لطفاء جدا", "الموظفون لطفاء جدا"),
        # full-width digits and at sign
        ("call ０７２１２３４５６７", "call [phone]"),
        ("me＠example.com", "[email]"),
    ],
)
def test_realistic_messages(text: str, expected: str) -> None:
    assert scrub(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I am 15 and my brother is 12.",
        "We had 3 meals a day, 7 days a week.",
        "ages 12, 13, 14 in my room",
        "In 2024 it got better. Score 9/10",
        "ok.si am fost la școală.Then I was sad.my room was cold",
        "we met at school. Then we went home.",
        "Am 16 ani și stau în camera 204.",
        "عمري ١٥ سنة",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert scrub(text) == text


def test_invisible_and_reordering_characters_are_removed() -> None:
    assert scrub("abc\u202edcba\u202c") == "abcdcba"
    assert scrub("a\u2066b\u2069c\u200bd\ufeff") == "abcd"
    assert scrub("bell\x07 and\x00 nul") == "bell and nul"


def test_invisible_characters_cannot_hide_a_number() -> None:
    assert scrub("0721\u200b234\u200e567") == "[phone]"
    assert scrub("07\u202e21 23\u200c4 567") == "[phone]"
    assert scrub("@\u200dana_maria") == "[handle]"


def test_joiners_needed_by_persian_and_emoji_stay() -> None:
    assert scrub("می\u200cخواهم") == "می\u200cخواهم"
    family = "👩\u200d👩\u200d👧"
    assert scrub(family) == family


def test_whitespace_is_collapsed_and_text_nfc_normalised() -> None:
    decomposed = "s\u0327coala  \n\t  e\u0301"
    assert scrub(decomposed) == unicodedata.normalize("NFC", "s\u0327coala e\u0301")
    assert scrub("   ") == ""


def test_length_is_capped_without_half_placeholders() -> None:
    assert len(scrub("a" * 5000)) == 2000
    assert scrub("abc", max_chars=2) == "ab"
    assert scrub("anything", max_chars=0) == ""
    out = scrub("hello 0721234567", max_chars=10)
    assert out == "hello"


def test_long_input_is_fast_and_clean() -> None:
    nasty = " ".join(["a.b.c.d.e"] * 2000 + ["x@y"] * 2000 + ["1 2 3"] * 2000)
    started = time.process_time()
    for text in (nasty, "a" * 100_000, "@" * 100_000, "1." * 50_000, "x" * 9000 + "://"):
        assert_clean(scrub(text, max_chars=100_000))
    assert time.process_time() - started < 2


def test_never_raises_on_the_big_list_of_naughty_strings() -> None:
    lines = BLNS.read_text(encoding="utf-8").splitlines()
    assert len(lines) > 500
    for line in lines:
        out = scrub(line)
        assert isinstance(out, str)
        assert_clean(out)
        out.encode("utf-8")  # storable: no lone surrogates


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_any_text_comes_out_clean(text: str) -> None:
    out = scrub(text)
    assert_clean(out)
    assert len(out) <= 2000
    assert out == out.strip()
    assert scrub(out) == out  # scrubbing twice changes nothing


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet=st.sampled_from("0123456789٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹ .-/()+"), max_size=30),
            st.sampled_from(["@", "＠", "://", "www.", ".com", "t.me/", " at ", " dot "]),
            st.text(max_size=10),
        ),
        max_size=20,
    ).map("".join),
    st.integers(1, 3000),
)
def test_contact_like_text_comes_out_clean(text: str, max_chars: int) -> None:
    out = scrub(text, max_chars=max_chars)
    assert_clean(out)
    assert len(out) <= max_chars


def test_surrogates_and_non_str_never_raise() -> None:
    assert scrub("a\ud800b") == "ab"
    assert scrub(12345678) == "[number]"  # type: ignore[arg-type]
