"""Guessing which shipped language a short text is written in (langdetect, offline).

Used when a young person types instead of pressing a language button; the guess is
only ever offered among the shipped languages, and scripts decide first where they can
(Arabic letters are Arabic here, whatever the statistics say about short texts).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from langdetect import DetectorFactory, LangDetectException, detect_langs

DetectorFactory.seed = 0  # langdetect is random unless seeded; answers must be repeatable.
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f]")
_LETTERS = re.compile(r"\w", re.UNICODE)


class LanguageDetector:
    def __init__(self, shipped: Iterable[str], min_probability: float = 0.5) -> None:
        self.shipped = tuple(shipped)
        self.min_probability = min_probability

    def detect(self, text: str) -> str | None:
        """A shipped language code, or None when the text is too short or unclear."""
        if len(_LETTERS.findall(text)) < 3:
            return None
        if _ARABIC.search(text) and "ar" in self.shipped:
            return "ar"
        try:
            guesses = detect_langs(text)
        except LangDetectException:
            return None
        for guess in guesses:
            if guess.lang in self.shipped and guess.prob >= self.min_probability:
                return str(guess.lang)
        return None
