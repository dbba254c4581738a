"""Ordinary words of each language, which the misspelling reader leaves as they are.

"violet" is one letter from the Romanian "violat" and "teaching" two from "touching",
yet both are everyday words: a word that people write often (at least once in a million
words, in the word lists of the `wordfreq` package) is never read as a danger word.
The lists ship inside the installed package; nothing is downloaded. They are folded
like the phrases, and read once per process: at start (`warm`, with the other text
checks), or else on the first word that needs them, which then waits about a second.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import wordfreq

from bot.safety.normalise import normalise_each

MIN_LENGTH = 5  # shorter words are never respelt, so need no looking up


@lru_cache(maxsize=4)
def _ordinary(languages: tuple[str, ...]) -> frozenset[str]:
    available = set(wordfreq.available_languages(wordlist="small"))
    words: set[str] = set()
    for lang in languages:
        if lang in available:
            listed = wordfreq.iter_wordlist(lang, wordlist="small")
            words.update(normalise_each([word for word in listed if len(word) >= MIN_LENGTH]))
    return frozenset(words)


class OrdinaryWords:
    """`word in OrdinaryWords(["en", "ro"])`: whether it is an everyday word there."""

    def __init__(self, languages: Iterable[str]) -> None:
        self.languages = tuple(sorted(set(languages)))

    def __contains__(self, word: object) -> bool:
        return word in _ordinary(self.languages)

    def warm(self) -> None:
        """Read the lists now, so no young person's message waits for them."""
        _ordinary(self.languages)
