"""Text folded so that spelling, accents and spacing do not hide a danger phrase.

The same folding is applied to the lexicon phrases and to what a young person wrote,
so "Vreau să mor", "vreau sa mor", "VREAU  SAAA MOR" and "vr3au sa m0r" all become
"vreau sa mor". Pure functions; nothing here logs or keeps text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from bot.safety import geez

# Arabic letters that are written in several ways: all alef forms are alef, alef
# maksura and Persian yeh are yeh, teh marbuta is heh, Persian kaf is kaf, and the
# standalone hamza (often left out when typing fast) is dropped. Hamza above or below
# a letter (أ إ ؤ ئ) and madda (آ) come off with the other marks in `_strip_marks`.
_ARABIC = str.maketrans(
    {
        "\u0671": "\u0627",  # alef wasla
        "\u0649": "\u064a",  # alef maksura -> yeh
        "\u06cc": "\u064a",  # Farsi yeh
        "\u0629": "\u0647",  # teh marbuta -> heh
        "\u06a9": "\u0643",  # keheh -> kaf
        "\u0621": None,  # standalone hamza
        "\u0640": None,  # tatweel (kashida): stretches a word, means nothing
    }
)
# Arabic-Indic and Eastern Arabic-Indic digits count as the digits 0-9.
_DIGITS = str.maketrans(
    {chr(0x0660 + i): str(i) for i in range(10)} | {chr(0x06F0 + i): str(i) for i in range(10)}
)
# Letters typed as look-alike digits or signs, inside a word only ("k1ll", "su1cide",
# "5elf h@rm"). A token of digits alone ("116 111", "15") is left as it is.
# Digits, "@" and "$" next to a letter; "!" and "€" only between two letters,
# so "die!" stays "die".
# One pass for the three tables (none of them touches what another one writes), as a
# search: most text holds none of these letters, and a search skips it faster than
# `str.translate` reads it.
_LETTERS = {chr(k): v or "" for k, v in (geez.TABLE | _DIGITS | _ARABIC).items()}
_LETTER = re.compile("[" + re.escape("".join(_LETTERS)) + "]")
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
_LEET_INSIDE = {"!": "i", "€": "e"}
_APOSTROPHES = re.compile(r"['’‘`´ʼʻ′]")
_NOT_WORD = re.compile(r"[^\w]+|_+")
_NOT_WORD_KEEP_LINES = re.compile(r"[^\w\n]+|_+")
_LEETISH = "".join(_LEET) + "".join(_LEET_INSIDE)
# A word holding a look-alike sign (`_unleet` reads it); the others are left alone.
_LEET_TOKEN = re.compile(f"[^\\s{re.escape(_LEETISH)}]*[{re.escape(_LEETISH)}]\\S*")
_REPEATS = re.compile(r"([^\W\d_])\1+")
_LATIN = re.compile(r"[a-z\u00c0-\u024f]")
# The dialects write "not" onto the verb: Levantine "مابدي", "مابيخلوني", Egyptian and
# Maghrebi "مبيخلونيش", "ماتقولش", "ماكيخلينيش" (ما ... ش). They are read as "ما" and the
# verb, so that a negation is seen as one and a phrase finds its verb either way.
_AR_NOT_AROUND = re.compile(r"(?<!\S)ما?([بيتنعك][\u0600-\u06ff]{3,})ش(?!\S)")
_AR_NOT_BEFORE = re.compile(r"(?<!\S)ما(ب[\u0600-\u06ff]{2,})(?!\S)")


def _strip_marks(text: str) -> str:
    """Without accents, cedillas, commas below, Arabic short vowels, shadda or hamza marks,
    and without invisible format characters (zero-width space, soft hyphen, bidi marks)."""
    decomposed = unicodedata.normalize("NFD", text)
    # Looked up once per distinct character, not once per character: a whole word list
    # (ordinary.py) is one text of a few thousand distinct characters.
    marks = "".join(
        ch
        for ch in set(decomposed)
        if unicodedata.combining(ch) or unicodedata.category(ch) == "Cf"
    )
    if marks:
        decomposed = re.sub(f"[{re.escape(marks)}]+", "", decomposed)
    return unicodedata.normalize("NFC", decomposed)


def _letterish(ch: str) -> bool:
    return ch.isalpha() or ch in _LEET


def _unleet(token: str) -> str:
    if not _LATIN.search(token):  # Arabic words keep their digits (no Arabizi here)
        return token
    out = []
    for i, ch in enumerate(token):
        before = i > 0 and _letterish(token[i - 1])
        after = i + 1 < len(token) and _letterish(token[i + 1])
        if ch in _LEET and (before or after):
            out.append(_LEET[ch])
        elif ch in _LEET_INSIDE and before and after:
            out.append(_LEET_INSIDE[ch])
        else:
            out.append(ch)
    return "".join(out)


def normalise(text: str) -> str:
    """`text` folded for matching: words of plain letters separated by single spaces.

    Case-folded; accents and Arabic marks removed; Arabic letter variants, same-sounding
    Ge'ez letters (geez.py) and digits unified; look-alike digits inside words read as
    letters; apostrophes dropped ("can't" is "cant"); other punctuation is a space; a
    letter typed several times in a row counts once ("pleeease" is "please", "kill" is
    "kil").
    """
    return " ".join(_fold(text, _NOT_WORD).split())


def normalise_each(words: Sequence[str]) -> list[str]:
    """`[normalise(w) for w in words]`, folded as one text: a word list of a whole
    language (ordinary.py) takes a fraction of the time. Every step reads within a line,
    so lines do not touch; a word holding a line break is folded on its own."""
    if any("\n" in word for word in words):
        return [normalise(word) for word in words]
    lines = _fold("\n".join(words), _NOT_WORD_KEEP_LINES).split("\n")
    if len(lines) != len(words):  # not expected; never worth a wrong answer
        return [normalise(word) for word in words]
    return [" ".join(line.split()) for line in lines]


def _fold(text: str, not_word: re.Pattern[str]) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _LETTER.sub(lambda found: _LETTERS[found.group(0)], text)
    text = _strip_marks(text)
    text = _APOSTROPHES.sub("", text)
    text = _LEET_TOKEN.sub(lambda found: _unleet(found.group(0)), text)
    text = not_word.sub(" ", text)
    text = _REPEATS.sub(r"\1", text)
    return _AR_NOT_BEFORE.sub(r"ما \1", _AR_NOT_AROUND.sub(r"ما \1", text))
