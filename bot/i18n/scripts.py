"""Which shipped languages a text can be in, judged from its letters alone.

Letters settle what statistics on three words cannot: Ge'ez letters are Tigrinya here,
پ چ ژ گ and the Persian forms of ی and ک are Persian (an Arabic keyboard writes ي and ك),
Cyrillic is Ukrainian unless it has Serbian letters (ђ ј љ њ ћ џ), ẹ ọ and acute tone
marks are Nigerian Pidgin's Naijá spelling. Pure: text in, a set of
candidate languages out; the statistical detector chooses among them when more than one
is left (bot/i18n/detect.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_GEEZ = re.compile(r"[\u1200-\u139f\u2d80-\u2ddf\uab00-\uab2f]")
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_PERSIAN_ONLY = re.compile("[\u067e\u0686\u0698\u06af\u06cc\u06a9]")  # پ چ ژ گ ی ک
_ARABIC_ONLY = re.compile("[\u0629\u064a\u0643\u0649]")  # ة ي ك ى
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_SERBIAN_CYRILLIC = re.compile("[ђјљњћџЂЈЉЊЋЏ]")
_UKRAINIAN_ONLY = re.compile("[іїєґІЇЄҐ]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")

# Latin letters only some shipped languages write; a text with several keeps only the
# languages that write them all ("å" and "ä": Swedish, not Norwegian or German).
_LATIN_LETTERS = (
    # Naijá spelling: dot-below vowels and acute tone marks, which no other shipped
    # language writes (Italian marks its final vowels with a grave accent).
    (re.compile("[ẹọẸỌáíúÁÍÚ]"), frozenset({"pcm"})),
    (re.compile("[ăâîșțşţĂÂÎȘȚŞŢ]"), frozenset({"ro"})),
    (re.compile("[āēīūģķļņĀĒĪŪĢĶĻŅ]"), frozenset({"lv"})),
    (re.compile("[øæØÆ]"), frozenset({"nb"})),
    (re.compile("[åÅ]"), frozenset({"sv", "nb"})),
    (re.compile("[äöÄÖ]"), frozenset({"sv", "de"})),
    (re.compile("[üßÜ]"), frozenset({"de"})),
    (re.compile("[đćĐĆ]"), frozenset({"sr", "bs"})),
    (re.compile("[čšžČŠŽ]"), frozenset({"sr", "bs", "lv"})),
    (re.compile("[çÇ]"), frozenset({"sq"})),
    (re.compile("[ëË]"), frozenset({"sq", "nl"})),
    (re.compile("[àèìòùÀÈÌÒÙ]"), frozenset({"it"})),
)

GEEZ_LANGUAGES = ("ti", "am")
ARABIC_LANGUAGES = ("ar", "fa", "ur", "ps", "ckb")
CYRILLIC_LANGUAGES = ("uk", "sr", "ru", "bg", "mk")
# Languages written only in another script here (Serbian is typed in Latin letters too).
NON_LATIN_LANGUAGES = frozenset((*GEEZ_LANGUAGES, *ARABIC_LANGUAGES, *CYRILLIC_LANGUAGES)) - {"sr"}


def candidates(text: str, shipped: Iterable[str]) -> tuple[str, ...]:
    """The shipped languages `text` can be written in, in `shipped` order.

    Empty when the text has letters of no shipped language's script (or no letters).
    Serbian is counted among the Latin languages as well, since young people type it
    in Latin letters.
    """
    langs = tuple(shipped)
    if _GEEZ.search(text):
        return tuple(lang for lang in langs if lang in GEEZ_LANGUAGES)
    if _ARABIC_SCRIPT.search(text):
        return _arabic(text, langs)
    if _CYRILLIC.search(text):
        return _cyrillic(text, langs)
    if _LATIN.search(text):
        return _latin(text, tuple(lang for lang in langs if lang not in NON_LATIN_LANGUAGES))
    return ()


def _latin(text: str, found: tuple[str, ...]) -> tuple[str, ...]:
    narrowed = set(found)
    for letters, writers in _LATIN_LETTERS:
        if letters.search(text) and narrowed & writers:
            narrowed &= writers
    return tuple(lang for lang in found if lang in narrowed)


def _arabic(text: str, langs: tuple[str, ...]) -> tuple[str, ...]:
    found = tuple(lang for lang in langs if lang in ARABIC_LANGUAGES)
    if _PERSIAN_ONLY.search(text) and "fa" in found:
        return ("fa",)
    if _ARABIC_ONLY.search(text) and "ar" in found:
        return ("ar",)
    return found


def _cyrillic(text: str, langs: tuple[str, ...]) -> tuple[str, ...]:
    found = tuple(lang for lang in langs if lang in CYRILLIC_LANGUAGES)
    if _SERBIAN_CYRILLIC.search(text) and "sr" in found:
        return ("sr",)
    if _UKRAINIAN_ONLY.search(text) and "uk" in found:
        return ("uk",)
    return found
