"""Reading a message for danger: folded, respelt, matched, and judged in its clause.

1. Folded (normalise.py): case, accents, Arabic letter forms and marks, look-alike
   digits, stretched letters. Spaced-out letters are joined ("k i l l" is "kill"), a few
   emoji read as words, txt speak respelt from the spelling files ("i wnt 2 die"), and
   near misspellings of danger words read as those words (fuzzy.py).
2. Matched against every language's phrases (young people mix languages), the chat's
   language first.
3. Judged in its clause (scope.py): a negation just before it cancels it ("i am not in
   danger"); an "if" or "a workshop about" before it makes a clear signal a possible
   concern.

The result names the category, the level (clear, or a possible concern), the phrase
file and line that matched and why: what a safeguarding lead needs, never the words.
`Detector.load(plain=True)` is the phrase-only matcher of 0.1.0, kept to measure against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.safety.fuzzy import Speller
from bot.safety.lexicon import DEFAULT_DIR, Level, LexiconFiles, Phrase, load_files
from bot.safety.normalise import normalise
from bot.safety.scope import Scope

__all__ = ["DangerCheck", "DangerMatch", "Detector"]

# Sentence ends and commas close a clause; a phrase never runs across them.
_SEGMENTS = re.compile(r"[.!?;,:\n\u060c\u061b\u061f\u3002]+")
_EMOJI = {
    "\U0001f52a": " knife ", "\U0001f5e1": " knife ", "\U0001f52b": " gun ",
    "\U0001f48a": " pills ", "\U0001fa78": " blood ", "\U0001faa2": " rope ",
    "\u26d3": " chains ",
}  # fmt: skip
_EMOJI_RE = re.compile("|".join(map(re.escape, _EMOJI)))
_REPEATS = re.compile(r"([^\W\d_])\1+")
MAX_JOINED = 40


@dataclass(frozen=True)
class DangerMatch:
    """Which kind of danger a text showed, how clearly, and which phrase said so."""

    category: str
    language: str
    level: Level = "clear"
    rule: str = ""  # "<lang>.<category>:<line>" of the phrase file
    why: str = ""  # what changed the level: "hypothetical", "topic"; "spelling" if respelt


class DangerCheck(Protocol):
    """What the engine is given: a text in, a match or None out."""

    def __call__(self, text: str, prefer: str | None = None) -> DangerMatch | None: ...


@dataclass
class _Compiled:
    regex: re.Pattern[str]
    phrases: list[Phrase]


class Detector:
    def __init__(self, files: LexiconFiles, *, plain: bool = False) -> None:
        self.files, self.plain = files, plain
        self.languages = files.languages
        self._compiled: dict[str, _Compiled] = {}
        for lang, phrases in files.phrases.items():
            # Clear signals first: at one place in a text the first alternative wins.
            ordered = sorted(phrases, key=lambda p: p.level != "clear")
            body = "|".join(f"(?P<p{i}>{p.pattern})" for i, p in enumerate(ordered))
            regex = re.compile(r"(?<!\S)(?:" + body + r")(?!\S)")
            self._compiled[lang] = _Compiled(regex, ordered)
        self._scopes = {lang: Scope(files.scopes.get(lang, {})) for lang in files.languages}
        vocabulary = files.words | files.stems
        self._vocabulary = vocabulary
        self._speller = Speller(files.words, files.stems, files.keep)
        spelling: dict[str, str] = {}
        for table in files.spelling.values():
            spelling.update(table)
        self._spelling = spelling

    @classmethod
    def load(cls, folder: Path = DEFAULT_DIR, *, plain: bool = False) -> Detector:
        return cls(load_files(folder), plain=plain)

    def missing(self, languages: list[str] | tuple[str, ...]) -> list[str]:
        return self.files.missing(languages)

    def counts(self) -> dict[tuple[str, str], int]:
        return self.files.counts()

    # -- reading ----------------------------------------------------------------------------
    def _readings(self, segment: str) -> list[tuple[list[str], set[int]]]:
        """The segment's words as written (spaced letters joined, txt speak respelt), then,
        when any word is near a danger word, once more with those words read as it: with
        the places of the words read so."""
        words = normalise(segment).split()
        if self.plain:
            return [(words, set())]
        written: list[str] = []
        for word in self._join_spaced(words):
            replaced = self._spelling.get(word)
            written.extend(replaced.split() if replaced is not None else [word])
        corrected = [self._speller.correct(word) for word in written]
        respelt = {i for i, (a, b) in enumerate(zip(written, corrected, strict=True)) if a != b}
        readings = [(written, set[int]())]
        if respelt:
            readings.append((corrected, respelt))
        return readings

    def _join_spaced(self, words: list[str]) -> list[str]:
        """Runs of three or more single letters are one spaced-out word: "k i l l m e"."""
        out: list[str] = []
        run: list[str] = []
        for word in [*words, ""]:
            if len(word) == 1 and word.isalpha():
                run.append(word)
                continue
            if len(run) >= 3:
                out.extend(self._split_joined(_REPEATS.sub(r"\1", "".join(run))))
            else:
                out.extend(run)
            run = []
            if word:
                out.append(word)
        return out

    def _split_joined(self, joined: str) -> list[str]:
        """A joined run cut into the fewest words the phrase lists know, or kept whole."""
        if len(joined) > MAX_JOINED:
            return [joined]
        best: list[list[str] | None] = [[]] + [None] * len(joined)
        for end in range(1, len(joined) + 1):
            for start in range(end):
                head = best[start]
                piece = joined[start:end]
                if head is not None and (piece in self._vocabulary or len(piece) == 1):
                    candidate = [*head, piece]
                    current = best[end]
                    if current is None or len(candidate) < len(current):
                        best[end] = candidate
        found = best[-1]
        return found if found and all(len(w) > 1 or w in "ia" for w in found) else [joined]

    # -- matching ---------------------------------------------------------------------------
    def __call__(self, text: str, prefer: str | None = None) -> DangerMatch | None:
        """The clearest danger in `text`, the `prefer` language's phrases first; pure."""
        if not self.plain:
            text = _EMOJI_RE.sub(lambda found: _EMOJI[found.group(0)], text)
        order = sorted(self._compiled, key=lambda lang: lang != prefer)
        concern: DangerMatch | None = None
        for segment in _SEGMENTS.split(text):
            for words, respelt in self._readings(segment):
                folded = " ".join(words)
                for lang in order if folded else ():
                    found = self._match(lang, folded, respelt)
                    if found is not None and found.level == "clear":
                        return found
                    concern = concern or found
        return concern

    match = __call__

    def _match(self, lang: str, folded: str, respelt: set[int]) -> DangerMatch | None:
        compiled = self._compiled[lang]
        concern: DangerMatch | None = None
        for found in compiled.regex.finditer(folded):
            phrase = compiled.phrases[int(str(found.lastgroup)[1:])]
            before = folded[: found.start()].split()
            inside = found.group(0).split()
            spelt = any(len(before) <= i < len(before) + len(inside) for i in respelt)
            level, why = phrase.level, "spelling" if spelt else ""
            if spelt and len(inside) == 1:
                level = "concern"  # one word that only looks like a danger word: ask
            if not self.plain:
                judged = self._scopes[lang].judge(before, inside, phrase.words)
                if judged == "negated":
                    continue
                if judged is not None:
                    level, why = "concern", judged
            else:
                level = "clear"
            match = DangerMatch(phrase.category, lang, level, phrase.rule, why)
            if level == "clear":
                return match
            concern = concern or match
        return concern
