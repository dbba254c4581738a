"""Misspellings of danger words, within a bounded number of edits.

A word a young person typed that is not a word of the phrase lists is read as the
nearest one when it is at most one edit away (two for words of eight letters or more):
"suicde", "slaped", "kidnaped", "pasport". Short words are never changed, nor read as
short danger words (too many ordinary words lie one edit from "kill", "hurt" or
"right"), nor are everyday words of the languages (bot/safety/ordinary.py: "violet" is
not the Romanian "violat") or the `keep:` words of the spelling files. The lookup is a
symmetric-delete index: no scan over the vocabulary.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from functools import lru_cache
from itertools import combinations

MIN_LENGTH = 5  # shorter words are never corrected
TARGET_LENGTH = 6  # nor read as a danger word shorter than this ("night" is not "right")
TWO_EDITS_FROM = 8  # words this long may be two edits away


def _deletions(word: str, most: int) -> set[str]:
    out = set()
    for n in range(1, most + 1):
        for gone in combinations(range(len(word)), n):
            out.add("".join(ch for i, ch in enumerate(word) if i not in gone))
    return out


def distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) from `a` to `b`."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, start=1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def _allowed(word: str) -> int:
    return 2 if len(word) >= TWO_EDITS_FROM else 1


class Speller:
    def __init__(
        self,
        words: Iterable[str],
        stems: Iterable[str],
        keep: Iterable[str],
        ordinary: Container[str] = frozenset(),
    ) -> None:
        self.words = {w for w in words if w.isalpha()}
        self.all_stems = tuple(s for s in stems if s.isalpha())
        self.stems = {s for s in self.all_stems if len(s) >= TARGET_LENGTH}
        self.keep = set(keep)
        self.ordinary = ordinary
        self._index: dict[str, set[str]] = {}
        for word in [*self.words, *self.stems]:
            if len(word) < TARGET_LENGTH:
                continue
            self._index.setdefault(word, set()).add(word)
            for gone in _deletions(word, _allowed(word)):
                self._index.setdefault(gone, set()).add(word)
        self._stem_lengths = sorted({len(s) for s in self.stems})
        self.correct = lru_cache(maxsize=4096)(self._correct)

    def _near(self, token: str) -> str | None:
        most = _allowed(token)
        found: set[str] = set(self._index.get(token, ()))
        for gone in _deletions(token, most):
            found |= self._index.get(gone, set())
        best = sorted((d, w) for w in found if (d := distance(token, w)) <= min(most, _allowed(w)))
        return best[0][1] if best else None

    def _correct(self, token: str) -> str:
        """`token` itself, or the danger word (or `*` stem) it is a misspelling of."""
        if len(token) < MIN_LENGTH or token in self.words or token in self.keep:
            return token
        if not token.isalpha() or token.startswith(self.all_stems) or token in self.ordinary:
            return token
        near = self._near(token)
        if near is not None:
            return near
        # A misspelt beginning of a word written with `*` ("suiced" for "suicid*").
        for length in self._stem_lengths:
            for cut in (length - 1, length, length + 1):
                if MIN_LENGTH <= cut <= len(token):
                    near = self._near(token[:cut])
                    if near in self.stems:
                        return near + token[cut:]
        return token
