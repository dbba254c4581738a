"""Guessing which shipped language a short typed text is in (offline, repeatable).

Chosen by measurement (benchmarks/language_detection.py, BENCHMARKS.md): letters decide
first where they can (bot/i18n/scripts.py), then lingua, restricted to the shipped
languages the letters allow, then the rules for languages it cannot tell apart
(bot/i18n/close_languages.py). Only ever a shipped language, or None; the caller offers
the guess for the young person to confirm, never acts on it alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache

from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

from bot.i18n.close_languages import is_pidgin, serbian_or_bosnian
from bot.i18n.scripts import NON_LATIN_LANGUAGES, candidates

_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
# Languages lingua has no model for, and what it is told to weigh instead: Pidgin reads
# as English to it; Serbian in Latin letters as Bosnian or Croatian (its Serbian is Cyrillic).
_STAND_INS = {"pcm": ("en",), "sr": ("sr", "bs", "hr"), "bs": ("bs", "hr", "sr")}


def lingua_language(code: str) -> Language | None:
    """The lingua language for an ISO 639-1 code, or None when lingua has no model."""
    try:
        return Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
    except (AttributeError, ValueError):
        return None


@cache
def _lingua(codes: tuple[str, ...], low_accuracy: bool) -> object:
    languages = {lang for code in codes if (lang := lingua_language(code))}
    if len(languages) < 2:
        return None
    # Loaded whole at once: lazily, the first typed text would wait seconds for the models.
    builder = LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models()
    return (builder.with_low_accuracy_mode() if low_accuracy else builder).build()


class LanguageDetector:
    """`detect(text)`: a shipped language code, or None when the text is too short or unclear."""

    def __init__(
        self,
        shipped: Iterable[str],
        min_confidence: float = 0.0,
        *,
        low_accuracy: bool = False,
        latin_only: bool = False,
    ) -> None:
        self.shipped = tuple(shipped)
        self.min_confidence = min_confidence
        self.low_accuracy = low_accuracy
        # latin_only: lingua weighs only the Latin-script languages; between two others of
        # one script (ar/fa without a telling letter, uk/sr Cyrillic) the first listed wins.
        weighed = [
            lang for lang in self.shipped if not (latin_only and lang in NON_LATIN_LANGUAGES)
        ]
        models = {code for lang in weighed for code in _STAND_INS.get(lang, (lang,))}
        self._models = tuple(sorted(models))

    def warm(self) -> None:
        """Load the models now (a serving process, at start-up) rather than at the first text."""
        _lingua(self._models, self.low_accuracy)

    def detect(self, text: str) -> str | None:
        allowed = candidates(text, self.shipped)
        syllabic = allowed == ("ti",)  # one Ge'ez letter is a syllable: "እወ" is a word
        if len(_LETTERS.findall(text)) < (1 if syllabic else 3):
            return None
        if len(allowed) <= 1:
            return allowed[0] if allowed else None
        guess = self._statistical(text, allowed)
        if "pcm" in allowed and is_pidgin(text, guess):
            return "pcm"
        if guess in ("sr", "bs") and "sr" in allowed and "bs" in allowed:
            # Without a telling word, the one listed first: a deployment lists its own.
            first = next(lang for lang in allowed if lang in ("sr", "bs"))
            return serbian_or_bosnian(text) or first
        return guess

    def _statistical(self, text: str, allowed: Sequence[str]) -> str | None:
        """The most likely of `allowed`, after lingua weighed every shipped model."""
        detector = _lingua(self._models, self.low_accuracy)
        if detector is None or not all(self._weighs(lang) for lang in allowed):
            return allowed[0]
        scores: dict[str, float] = {}
        for value in detector.compute_language_confidence_values(text):  # type: ignore[attr-defined]
            code = value.language.iso_code_639_1.name.lower()
            for lang in allowed:
                if code in _STAND_INS.get(lang, (lang,)) and not _claimed(code, lang, allowed):
                    scores[lang] = scores.get(lang, 0.0) + value.value
        if not scores:
            return None
        best = max(allowed, key=lambda lang: scores.get(lang, 0.0))
        return best if scores.get(best, 0.0) > self.min_confidence else None

    def _weighs(self, lang: str) -> bool:
        return any(code in self._models for code in _STAND_INS.get(lang, (lang,)))


def _claimed(code: str, lang: str, allowed: Sequence[str]) -> bool:
    """A model that is another allowed language's own is not counted for `lang` too."""
    return code != lang and code in allowed
