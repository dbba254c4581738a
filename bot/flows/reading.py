"""How easy a text is to read, per language and age band: a reading-ease score where one
is established for the language, and words young readers stumble on.

Reading ease is Flesch's formula in the form adapted and tested for each language (English:
Flesch 1948; German: Amstad 1978; Italian: Flesch-Vacca 1972; Dutch: Douma 1960), with
syllables counted by pyphen's hyphenation dictionaries. Other languages get no score
rather than an English one that would mislead. Higher is easier; 100 is very easy.
The jargon lists are in `bot/flows/jargon/<lang>.txt`, one word or phrase per line.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pyphen

JARGON_DIR = Path(__file__).parent / "jargon"
# The easiest a text must be, per band's youngest age: below it is a warning.
LOWEST_EASE = ((12, 70.0), (15, 60.0), (99, 50.0))
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# Sentence ends: Latin, Arabic "؟", and Ge'ez "።" (full stop) and "፧" (question mark).
SENTENCE = re.compile(r"[^.!?؟።፧]+[.!?؟።፧]*")
_TOO_SHORT = 8  # words: a button or a short line says too little for a score


def _ease_en(asl: float, asw: float) -> float:
    return 206.835 - 1.015 * asl - 84.6 * asw


def _ease_de(asl: float, asw: float) -> float:
    return 180 - asl - 58.5 * asw


def _ease_it(asl: float, asw: float) -> float:
    return 206 - 0.65 * (asw * 100) - asl


def _ease_nl(asl: float, asw: float) -> float:
    return 206.84 - 0.77 * (asw * 100) - 0.93 * asl


FORMULAS = {"en": _ease_en, "de": _ease_de, "it": _ease_it, "nl": _ease_nl}


@cache
def _hyphenator(lang: str) -> pyphen.Pyphen:
    return pyphen.Pyphen(lang=lang)


def syllables(word: str, lang: str) -> int:
    return len(_hyphenator(lang).positions(word.lower())) + 1


def reading_ease(text: str, lang: str) -> float | None:
    """Flesch reading ease of `text` in `lang`, or None when there is no measure for the
    language or the text is too short to score."""
    formula = FORMULAS.get(lang)
    words = _WORD.findall(text)
    if formula is None or len(words) < _TOO_SHORT:
        return None
    sentences = max(1, sum(1 for s in SENTENCE.findall(text) if _WORD.search(s)))
    asl = len(words) / sentences
    asw = sum(syllables(word, lang) for word in words) / len(words)
    return round(formula(asl, asw), 1)


def lowest_ease(max_age: int) -> float:
    return next(ease for age, ease in LOWEST_EASE if max_age <= age)


@cache
def jargon(lang: str) -> tuple[tuple[str, str], ...]:
    """(phrase, plainer wording) pairs for `lang`: `phrase = plainer` lines of its list."""
    path = JARGON_DIR / f"{lang}.txt"
    if not path.exists():
        return ()
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        phrase, _, plainer = line.partition("=")
        pairs.append((phrase.strip().casefold(), plainer.strip()))
    return tuple(pairs)


def jargon_in(text: str, lang: str) -> list[tuple[str, str]]:
    folded = f" {' '.join(_WORD.findall(text.casefold()))} "
    return [(phrase, plainer) for phrase, plainer in jargon(lang) if f" {phrase} " in folded]
