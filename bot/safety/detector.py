"""Reading a message for danger: folded, respelt, matched, and judged in its clause.

1. Folded (normalise.py): case, accents, Arabic letter forms and marks, look-alike
   digits, stretched letters. Spaced-out letters are joined ("k i l l" is "kill"), a few
   emoji read as words, txt speak respelt from the spelling files ("i wnt 2 die"), and
   near misspellings of danger words read as those words (fuzzy.py).
2. Matched against every language's phrases (young people mix languages), the chat's
   language first.
3. Judged in its clause (scope.py): a negation just before it cancels it ("i am not in
   danger"); what an "if" supposes, "a workshop about", a laugh, an everyday use in its
   clause (a `!` line: "i was sold a broken phone") or being told as over ("he used to
   hit me", "...but not anymore", unless it "still" goes on) makes a clear signal a
   possible concern.
4. Added up: two indicators at different places of one message (`~` signs, `?`
   concerns of different kinds) are a clear signal ("no days off | all the money goes
   to him"); one `~` sign alone is no answer at all.

The result names the category, the level (clear, or a possible concern), the phrase
file and line that matched and why: what a safeguarding lead needs, never the words.
`Detector.load(plain=True)` is the phrase-only matcher of 0.1.0, kept to measure against.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from bot.safety.fuzzy import Speller
from bot.safety.geez import fold_geez
from bot.safety.lexicon import ARABIC_LETTER as _ARABIC_LETTER
from bot.safety.lexicon import COMMA, DEFAULT_DIR, Level, LexiconFiles, Phrase, load_files
from bot.safety.normalise import normalise
from bot.safety.ordinary import OrdinaryWords
from bot.safety.scope import Scope

__all__ = ["DangerCheck", "DangerMatch", "Detector"]

# A phrase never runs across a sentence end. A comma closes a clause too, except for the
# parts of an `a + b` line ("my passport, he keeps it"): it is kept as a word of its own.
_SEGMENTS = re.compile(r"[.!?;\n\u061b\u061f\u3002]+")
_COMMAS = re.compile(r"[,:\u060c]+")
_EMOJI = {
    "\U0001f52a": " knife ", "\U0001f5e1": " knife ", "\U0001f52b": " gun ",
    "\U0001f48a": " pills ", "\U0001fa78": " blood ", "\U0001faa2": " rope ",
    "\u26d3": " chains ",
    "\U0001f602": " haha ", "\U0001f923": " haha ", "\U0001f606": " haha ",
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
    phrase: Phrase
    rank: int  # clear signals before concerns, then the order of the files
    _regexes: list[re.Pattern[str]] | None = None

    @property
    def regexes(self) -> list[re.Pattern[str]]:
        """One expression, or one per part of an `a + b` line. Compiled when first needed:
        most phrases are never tried in a process's life, and compiling all of them would
        add seconds to every start."""
        if self._regexes is None:
            patterns = self.phrase.parts or (self.phrase.pattern,)
            self._regexes = [re.compile(r"(?<!\S)(?:" + p + r")(?!\S)") for p in patterns]
        return self._regexes


@dataclass(frozen=True)
class _Found:
    match: DangerMatch
    start: int
    length: int
    sign: bool = False  # a `~` line: counted with others, never the answer alone
    reopened: DangerMatch | None = None  # told as over ("used to"), if it goes on after all


def _uncovered(start: int, end: int, spans: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    at = start
    for a, b in sorted(spans):
        if a > at:
            yield at, a
        at = max(at, b)
    if at < end:
        yield at, end


def _anchor(phrase: Phrase) -> frozenset[str]:
    """The stems a phrase is looked up by: those of its most telling word (the longest
    stems, then the fewest), so that "with men" is tried where "men" is, not "with"."""
    if not phrase.needs:
        return phrase.anchors
    return max(phrase.needs, key=lambda need: (min(map(len, need), default=0), -len(need)))


_Sign = tuple[int, int, int, DangerMatch, bool]  # segment, start, end, match, a `~` line


def _together(signs: list[_Sign]) -> DangerMatch | None:
    """Two indicators at different places of one message are a clear signal: "they keep
    my wages | for the debt", "i owe them | i cant leave". Indicators add up, as on a
    screening checklist; one alone is only asked about (a `?` line) or not at all (`~`).
    Two `?` concerns of one category are still one concern ("something happened | i
    dont know if i can tell"): at least one must be a `~` sign, or the two of two kinds."""
    signs.sort(key=lambda sign: (sign[0], sign[1], -sign[2]))
    for i, (number, _start, end, first, sign) in enumerate(signs):
        for other_number, other_start, _, second, other_sign in signs[i + 1 :]:
            apart = other_number != number or other_start >= end
            kinds = sign or other_sign or first.category != second.category
            if apart and kinds:
                rule = f"{first.rule}+{second.rule}"
                return DangerMatch(first.category, first.language, "clear", rule, "together")
    return None


def _clause_spans(folded: str, scope: Scope) -> list[tuple[int, int]]:
    """The clauses of a folded text as (start, end) character places."""
    words = folded.split(" ")
    offsets = [0]
    for word in words:
        offsets.append(offsets[-1] + len(word) + 1)
    return [
        (offsets[first], offsets[last] - 1) for first, last in scope.clauses(words) if first < last
    ]


class Detector:
    def __init__(self, files: LexiconFiles, *, plain: bool = False) -> None:
        self.files, self.plain = files, plain
        self.languages = files.languages
        # One small expression per phrase, tried only when the text holds a stem its first
        # word begins with: a few phrases are tried per message, not all of them.
        self._compiled: list[_Compiled] = []
        self._anchored: dict[str, list[int]] = {}
        for phrases in files.phrases.values():
            for rank, phrase in enumerate(sorted(phrases, key=lambda p: p.level != "clear")):
                for anchor in _anchor(phrase):
                    self._anchored.setdefault(anchor, []).append(len(self._compiled))
                self._compiled.append(_Compiled(phrase, rank))
        self._scopes = {lang: Scope(files.scopes.get(lang, {})) for lang in files.languages}
        self._ongoing = [scope for scope in self._scopes.values() if scope.ongoing.by_first]
        vocabulary = files.words | files.stems
        self._vocabulary = vocabulary
        ordinary = OrdinaryWords(files.languages)
        # Scope words are never read as a near danger word: "المرشده" stays the worker.
        scoped = {word for lists in files.scopes.values() for entries in lists.values()
                  for entry in entries for word in entry}  # fmt: skip
        self._ordinary = ordinary
        self._speller = Speller(files.words, files.stems, files.keep | scoped, ordinary)
        spelling: dict[str, str] = {}
        for table in files.spelling.values():
            spelling.update(table)
        self._spelling = spelling

    @classmethod
    def load(cls, folder: Path = DEFAULT_DIR, *, plain: bool = False) -> Detector:
        return cls(load_files(folder), plain=plain)

    def warm(self) -> None:
        """Read the everyday word lists now (about a second), not inside a first message."""
        self._ordinary.warm()

    def missing(self, languages: list[str] | tuple[str, ...]) -> list[str]:
        return self.files.missing(languages)

    def counts(self) -> dict[tuple[str, str], int]:
        return self.files.counts()

    # -- reading ----------------------------------------------------------------------------
    def _readings(self, segment: str) -> list[tuple[list[str], set[int]]]:
        """The segment's words as written (spaced letters joined, txt speak respelt), then,
        when any word is near a danger word, once more with those words read as it: with
        the places of the words read so."""
        words: list[str] = []
        for piece in _COMMAS.split(segment):
            folded = normalise(piece).split()
            if folded:
                words.extend([COMMA, *folded] if words else folded)
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
        """The clearest danger in `text`, the `prefer` language's phrases first; pure.

        Every phrase is tried at every place, so a concern early in a text never hides a
        clear signal later. Of the phrases that stand, a clear one wins over a concern,
        the chat's language over others, the earliest place, then the longest phrase."""
        # Ge'ez full stops and question marks end a sentence here as "." and "?" do.
        text = fold_geez(text)
        if not self.plain:
            text = _EMOJI_RE.sub(lambda found: _EMOJI[found.group(0)], text)
        best: tuple[tuple[int, ...], DangerMatch] | None = None
        signs: dict[str, _Sign] = {}  # `?` and `~` lines, by rule
        found_all: list[tuple[int, _Found, int]] = []
        over: list[tuple[int, int]] = []  # where something is told as over: segment, word
        for number, segment in enumerate(_SEGMENTS.split(text)):
            everyday: list[tuple[int, int]] = []  # shared by the readings of a segment
            for words, respelt in self._readings(segment):
                matches = list(self._matches(words, respelt, prefer, everyday))
                found_all.extend((number, *each) for each in matches)
                if matches and not self.plain:
                    langs = {prefer, *(each.match.language for each, _ in matches)}
                    over.extend((number, at) for at in self._over(words, langs))
        # ... unless it is said to go on: "they used to hit us, one of them still does"
        told_over = over or any(found.match.why == "resolved" for _, found, _ in found_all)
        if told_over and self._still(text):
            over = []
            found_all = [(n, replace(f, match=f.reopened), r) if f.reopened else (n, f, r)
                         for n, f, r in found_all]  # fmt: skip
        for number, found, rank in found_all:
            end = found.start + found.length
            if found.match.level == "clear" and any((n, at) >= (number, end) for n, at in over):
                # "he used to hit me, not anymore": told as over, asked about gently
                found = replace(found, match=replace(found.match, level="concern", why="resolved"))
            key = (
                found.match.level != "clear",
                found.match.language != prefer,
                number,
                found.start,
                -found.length,
                rank,
            )
            if not found.sign and (best is None or key < best[0]):
                best = (key, found.match)
            if found.match.level == "concern" and found.match.why == "" and not self.plain:
                place = (number, found.start, end, found.match, found.sign)
                signs.setdefault(found.match.rule, place)
        if best is None or best[1].level == "concern":
            together = _together(list(signs.values()))
            if together is not None:
                return together
        return best[1] if best else None

    def _still(self, text: str) -> bool:
        words = normalise(text).split()
        return any(scope.still(words) for scope in self._ongoing)

    def _over(self, words: list[str], langs: set[str | None]) -> Iterator[int]:
        """Where the words say that what came before is over ("but not anymore"), in the
        chat's language or that of a phrase found."""
        for lang in langs:
            if lang in self._scopes:
                yield from self._scopes[lang].over(words)

    match = __call__

    def _candidates(self, words: list[str]) -> set[int]:
        """The phrases whose first word may stand in `words` and whose every other word
        may too: each word's beginnings (in Arabic, also after up to four joined letters
        of "and", "with", "the") are looked up once, then each phrase is a few set tests."""
        present: set[str] = set()
        for word in set(words):
            starts = range(min(len(word), 5)) if _ARABIC_LETTER.match(word) else (0,)
            for start in starts:
                present.update(word[start:end] for end in range(start + 1, len(word) + 1))
        out: set[int] = set()
        for stem in present:
            out.update(self._anchored.get(stem, ()))
        return {
            index
            for index in out
            if all(not need.isdisjoint(present) for need in self._compiled[index].phrase.needs)
        }

    def _matches(
        self,
        words: list[str],
        respelt: set[int],
        prefer: str | None,
        everyday: list[tuple[int, int]],
    ) -> Iterator[tuple[_Found, int]]:
        """The phrases found in one reading of a segment. `everyday` gathers the places of
        `!` lines over the segment's readings (a respelt word must not undo one)."""
        folded = " ".join(words)
        found: list[tuple[_Found, int]] = []
        clauses: dict[str, list[tuple[int, int]]] = {}  # per language, when first needed
        for index in self._candidates(words):
            compiled = self._compiled[index]
            phrase = compiled.phrase
            for start, end in self._places(compiled, folded, clauses):
                before = folded[:start].split()
                inside = folded[start:end].split()
                if phrase.everyday:
                    if not self.plain:
                        everyday.append((len(before), len(before) + len(inside)))
                    continue
                spelt = any(len(before) <= i < len(before) + len(inside) for i in respelt)
                level, why = phrase.level, "spelling" if spelt else ""
                if spelt and len(inside) == 1:
                    level = "concern"  # one word that only looks like a danger word: ask
                if self.plain:
                    level = "clear"
                else:
                    judged = self._judge(phrase, prefer, before, inside)
                    if judged == "negated":
                        continue
                    if judged is None and self._joking(phrase, prefer, words):
                        judged = "joke"
                    if judged is not None:
                        level, why = "concern", judged
                match = DangerMatch(phrase.category, phrase.lang, level, phrase.rule, why)
                sign = phrase.sign
                if sign and self.plain:
                    continue  # the phrase-only matcher of 0.1.0 had no signs
                # "used to": what it would be if it still goes on
                reopened = None
                if why == "resolved" and phrase.level == "clear" and not spelt:
                    reopened = replace(match, level="clear", why="")
                place = _Found(match, len(before), len(inside), sign, reopened)
                found.append((place, compiled.rank))
        for each, rank in found:
            start, end = each.start, each.start + each.length
            if any(self._near(each.match.language, words, start, end, a, b) for a, b in everyday):
                # "i was sold a broken phone", "sold out": an everyday use, only asked about
                each = replace(each, match=replace(each.match, level="concern", why="everyday"))
            yield each, rank

    def _near(self, lang: str, words: list[str], start: int, end: int, a: int, b: int) -> bool:
        """Whether an everyday use at words a..b reaches a phrase at start..end: where
        they overlap, or stand in one clause ("my mum doesnt let me go out | late")."""
        if a < end and start < b:
            return True
        gap = words[end:a] if end <= a else words[b:start]
        return COMMA not in gap and not self._scopes[lang].breaks(gap)

    def _places(
        self, compiled: _Compiled, folded: str, clauses: dict[str, list[tuple[int, int]]]
    ) -> Iterator[tuple[int, int]]:
        """Where a phrase stands in the text; for `a + b`, the stretch from the first part
        to the last, when no clause word ("but", "and") stands between them."""
        if not compiled.phrase.parts:
            for each in compiled.regexes[0].finditer(folded):
                yield each.span()
            return
        spans = []
        for regex in compiled.regexes:
            found = regex.search(folded)
            if found is None:
                return
            spans.append(found.span())
        start, end = min(a for a, _ in spans), max(b for _, b in spans)
        gaps = [folded[a:b] for a, b in _uncovered(start, end, spans)]
        scope = self._scopes[compiled.phrase.lang]
        if not scope.breaks(" ".join(gaps).split()):
            yield start, end
            return
        # The first of each part were in different clauses; the parts may still meet in
        # one further on ("he threatens | that he will share the video if i block him").
        lang = compiled.phrase.lang
        if lang not in clauses:
            clauses[lang] = _clause_spans(folded, scope)
        for pos, endpos in clauses[lang]:
            found_all = [regex.search(folded, pos, endpos) for regex in compiled.regexes]
            if all(found_all):
                yield (
                    min(f.start() for f in found_all if f),
                    max(f.end() for f in found_all if f),
                )
                return

    def _judge(
        self, phrase: Phrase, prefer: str | None, before: list[str], inside: list[str]
    ) -> str | None:
        """The scope words of the phrase's language and of the chat's: a negation in
        either cancels ("i am not" before a Romanian phrase)."""
        verdicts = [
            self._scopes[lang].judge(before, inside, phrase.words, phrase.category)
            for lang in dict.fromkeys((phrase.lang, prefer))
            if lang in self._scopes
        ]
        if "negated" in verdicts:
            return "negated"
        return next((verdict for verdict in verdicts if verdict), None)

    def _joking(self, phrase: Phrase, prefer: str | None, words: list[str]) -> bool:
        """A laugh in the sentence ("haha", "lol", a laughing emoji), in either language."""
        return any(
            self._scopes[lang].joking(words)
            for lang in dict.fromkeys((phrase.lang, prefer))
            if lang in self._scopes
        )
