"""The danger phrase files, read and compiled once (the format: docs/safety.md).

Per language, in `bot/safety/lexicons/`:

- `<lang>.<category>.txt`: one phrase per line; `#` starts a comment. A line starting
  with `?` is a possible concern (a gentle question), the others are clear signals; a
  line starting with `~` is one sign of a pattern: alone it is not answered, and two
  signs or concerns of different lines in one message are a clear signal. A line
  starting with `!` is an everyday use of danger words ("sold out"): a phrase it
  overlaps is only asked about.
  Case, accents, Arabic marks, apostrophes and repeated letters do not matter; one
  other word may stand between two words of a phrase, `...` allows up to six; `*` at
  the end of a word lets it go on; `@name` is any alternative of a group; `a + b`
  means both parts in one clause, in any order.
- `<lang>.groups.txt`: `@name: one | two words | thr*`, the alternatives of a group, so
  persons, tenses, genders and dialect forms are written once and used everywhere.
- `<lang>.scope.txt`: `negation:`, `hypothetical:`, `topic:`, `clause:` and `subject:`
  word lists
  (bot/safety/scope.py).
- `<lang>.spelling.txt`: `wnt = want` (a word read as another before matching) and
  `keep: word | word` (ordinary words never read as a near danger word).

Nothing here keeps or logs what a young person wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from bot.errors import ConfigError
from bot.safety.normalise import normalise

Category = Literal[
    "suicide", "self_harm", "immediate_danger", "abuse_now", "held_or_forced",
    "trafficking", "debt_bondage", "documents_taken", "forced_work",
    "sexual_exploitation", "grooming", "sextortion",
]  # fmt: skip
CATEGORIES: tuple[Category, ...] = get_args(Category)
Level = Literal["clear", "concern"]
SCOPES = (
    "negation", "hypothetical", "condition", "topic", "professional", "clause", "joiner",
    "joke", "subject", "resolved", "former", "habit", "ongoing",
)  # fmt: skip
EXTRA_FILES = ("groups", "scope", "spelling")
DEFAULT_DIR = Path(__file__).resolve().parent / "lexicons"

COMMA = ","  # a comma in a text, kept as a word: no gap reaches across it
GAP = r"(?: [^\s,]+)? "  # one other word may stand between the words of a phrase
WIDE_GAP = r"(?: [^\s,]+){0,6} "  # `...`: up to six
# Arabic writes "and", "so", "with", "for", "like", "will" and "the" onto the word:
# "واريد" is "and I want". Each Arabic word may carry them in front, and a verb the
# dialects' future and progressive letters (Egyptian "هيقتلني", "حيقتلني", Iraqi "ديضربني").
_AR_PREFIX = r"(?:[وف])?(?:[بلكس]|[عه](?=ال)|[حهد](?=[يتنا]))?(?:ال|ل)?"
# ... and the pronoun written onto its end: a word of three letters or more may carry
# one ("جواز" finds "جوازي", "جوازها"; "ضرب" finds "ضربني"), and an object pronoun of a
# phrase stands for the others (me, us, her, them): "يضربني" also finds "يضربها",
# "يضربهم". Egyptian and Maghrebi "ش" after it (of "ما ... ش") is allowed too.
_AR_SUFFIX = r"(?:و?ل?(?:ني|نا|ها|هم|هن|كم|كي|ه|ك|ي)|وا?)?ش?"
_AR_OBJECT = re.compile(r"^(?P<base>.{3,}?)(?P<object>وني|ونا|ني|نا|ها|هم|هن)$")
_AR_OBJECTS = r"(?:وني|ونا|ني|نا|ها|هم|هن)ش?"
ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")
_GROUP_NAME = re.compile(r"@([a-z][a-z0-9_]*)")


@dataclass(frozen=True)
class Phrase:
    """One line of a category file, compiled."""

    lang: str
    category: Category
    level: Level
    line: int
    pattern: str
    words: frozenset[str] = frozenset()  # its own words: a "not" among them is meant
    # The stems its first word can begin with: a text holding none of them is not tried.
    anchors: frozenset[str] = frozenset()
    # `a + b`: parts that must all stand in one clause, in any order; `pattern` is "".
    parts: tuple[str, ...] = ()
    sign: bool = False  # a `~` line: one sign among others, never an answer on its own
    # Per word of the phrase, the stems one of which the text must hold: a phrase is tried
    # only when every word of it may be there (a cheap test before the expression).
    needs: tuple[frozenset[str], ...] = ()
    # A `!` line: an everyday use ("sold out", "i was sold a broken phone"). It is never an
    # answer; a phrase it overlaps in the text is only asked about.
    everyday: bool = False

    @property
    def rule(self) -> str:
        """Where it is written: what a safeguarding lead looks up (never the text)."""
        return f"{self.lang}.{self.category}:{self.line}"


@dataclass
class LexiconFiles:
    """Everything in a lexicon folder, per language."""

    phrases: dict[str, list[Phrase]] = field(default_factory=dict)
    scopes: dict[str, dict[str, list[tuple[str, ...]]]] = field(default_factory=dict)
    spelling: dict[str, dict[str, str]] = field(default_factory=dict)
    keep: set[str] = field(default_factory=set)
    words: set[str] = field(default_factory=set)  # every literal word of every phrase
    stems: set[str] = field(default_factory=set)  # words written with `*`

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.phrases)

    def counts(self) -> dict[tuple[str, str], int]:
        out: dict[tuple[str, str], int] = {}
        for lang, phrases in self.phrases.items():
            for phrase in phrases:
                out[(lang, phrase.category)] = out.get((lang, phrase.category), 0) + 1
        return out

    def missing(self, languages: Iterable[str]) -> list[str]:
        """Each "lang/category" that has no phrases, for the given languages."""
        counts = self.counts()
        return [
            f"{lang}/{category}"
            for lang in languages
            for category in CATEGORIES
            if not counts.get((lang, category))
        ]


@dataclass(frozen=True)
class Group:
    pattern: str
    words: frozenset[str]
    firsts: frozenset[str] = frozenset()  # the first stem of each alternative


def _word(
    word: str, lang: str, files: LexiconFiles | None, into: set[str] | None
) -> tuple[str, str]:
    """The expression for one word of a phrase, and the stem it is looked up by ("" and
    "" when nothing is left)."""
    wild = word.endswith("*")
    stem = normalise(word.rstrip("*"))
    if not stem or " " in stem:
        return "", ""
    if files is not None:
        (files.stems if wild else files.words).add(stem)
    if into is not None:
        into.add(stem)
    if wild:
        pattern, key = re.escape(stem) + r"\S*", stem
    elif lang == "ar" and ARABIC_LETTER.match(stem) and (found := _AR_OBJECT.match(stem)):
        key = found.group("base")
        pattern = re.escape(key) + _AR_OBJECTS
    elif lang == "ar" and ARABIC_LETTER.match(stem) and len(stem) >= 3:
        pattern, key = re.escape(stem) + _AR_SUFFIX, stem
    else:
        pattern, key = re.escape(stem), stem
    if lang == "ar" and ARABIC_LETTER.match(stem):
        pattern = _AR_PREFIX + pattern
    return pattern, key


def phrase_pattern(
    phrase: str,
    lang: str,
    groups: dict[str, Group] | None = None,
    files: LexiconFiles | None = None,
    into: set[str] | None = None,
    first: set[str] | None = None,
    needs: list[frozenset[str]] | None = None,
    strict: bool = False,
) -> str:
    """The regular expression for one phrase ("" when nothing is left to match); its
    words go `into` the set given, the stems its first word may begin with into `first`.
    Raises KeyError naming an unknown `@group`."""
    parts: list[str] = []
    wide = False
    for raw in phrase.replace("…", " ... ").split():
        if raw == "...":
            wide = True
            continue
        named = _GROUP_NAME.fullmatch(raw)
        if raw.startswith("@") and not named:
            raise KeyError(raw[1:])  # "@keep*": a group already holds every form
        # A word that folds into several ("my-self", "can't") is matched as those words.
        keep_whole = named or raw.endswith("*")
        pieces = [raw] if keep_whole else normalise(raw).split()
        for piece in pieces:
            if named:
                group = (groups or {})[named.group(1)]
                pattern = group.pattern
                if into is not None:
                    into.update(group.words)
                if first is not None and not parts:
                    first.update(group.firsts)
                if needs is not None:
                    needs.append(group.firsts)
            else:
                pattern, key = _word(piece, lang, files, into)
                if first is not None and not parts and pattern:
                    first.add(key)
                if needs is not None and pattern:
                    needs.append(frozenset({key}))
            if not pattern:
                continue
            if parts:
                # an everyday use is said word for word ("sold me for a phone" is none)
                parts.append(WIDE_GAP if wide else " " if strict else GAP)
            parts.append(pattern)
            wide = False
    return "".join(parts)


def _lines(path: Path) -> Iterable[tuple[int, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        msg = f"{path}: save this file as UTF-8 text."
        raise ConfigError(msg) from None
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.split("#", 1)[0].strip()
        if content:
            yield number, content


def _alternatives(text: str) -> list[str]:
    return [alt.strip() for alt in text.split("|") if alt.strip()]


def read_groups(path: Path, lang: str, files: LexiconFiles) -> dict[str, Group]:
    groups: dict[str, Group] = {}
    for number, line in _lines(path):
        head, colon, rest = line.partition(":")
        named = _GROUP_NAME.fullmatch(head.strip())
        if not colon or not named:
            msg = f"{path}:{number}: write a group as `@name: one | two | three`"
            raise ConfigError(msg)
        words: set[str] = set()
        firsts: set[str] = set()
        try:
            patterns = [
                phrase_pattern(alt, lang, {}, files, words, firsts) for alt in _alternatives(rest)
            ]
        except KeyError:
            msg = f"{path}:{number}: a group cannot use another group"
            raise ConfigError(msg) from None
        patterns = [p for p in patterns if p]
        if not patterns:
            msg = f"{path}:{number}: this group has no words to look for"
            raise ConfigError(msg)
        alternation = "(?:" + "|".join(sorted(set(patterns))) + ")"
        groups[named.group(1)] = Group(alternation, frozenset(words), frozenset(firsts))
    return groups


def read_phrases(
    path: Path, lang: str, category: Category, groups: dict[str, Group], files: LexiconFiles
) -> list[Phrase]:
    """The phrases of one file; a line that folds to nothing is an error with its place."""
    phrases = []
    for number, line in _lines(path):
        level: Level = "concern" if line[:1] in "?~!" else "clear"
        sign, everyday = line.startswith("~"), line.startswith("!")
        text = line.removeprefix("?").removeprefix("~").removeprefix("!").strip()
        words: set[str] = set()
        compiled: list[tuple[str, set[str]]] = []
        needs: list[frozenset[str]] = []
        parts = [part.strip() for part in text.split("+")]
        if len(parts) > 1 and not all(parts):
            msg = f"{path}:{number}: write `words + other words`, with words on both sides of +"
            raise ConfigError(msg)
        for part in parts:
            anchors: set[str] = set()
            try:
                pattern = phrase_pattern(
                    part, lang, groups, files, words, anchors, needs, strict=everyday
                )
            except KeyError as exc:
                msg = f"{path}:{number}: there is no group @{exc.args[0]} in {lang}.groups.txt"
                raise ConfigError(msg) from None
            if not pattern:
                msg = f"{path}:{number}: this line has no letters left to look for: {line!r}"
                raise ConfigError(msg)
            compiled.append((pattern, anchors))
        # Any part must be there, so the one with the fewest stems is the cheapest test.
        fewest = min((anchors for _, anchors in compiled), key=len)
        together = tuple(pattern for pattern, _ in compiled) if len(compiled) > 1 else ()
        pattern = "" if together else compiled[0][0]
        phrases.append(
            Phrase(
                lang, category, level, number, pattern, frozenset(words), frozenset(fewest),
                together, sign, tuple(set(needs)), everyday,
            )
        )  # fmt: skip
    return phrases


def read_scope(path: Path) -> dict[str, list[tuple[str, ...]]]:
    scope: dict[str, list[tuple[str, ...]]] = {name: [] for name in SCOPES}
    for number, line in _lines(path):
        head, colon, rest = line.partition(":")
        if not colon or head.strip() not in SCOPES:
            msg = f"{path}:{number}: start the line with one of {', '.join(SCOPES)} and ':'"
            raise ConfigError(msg)
        for alt in _alternatives(rest):
            words = tuple(normalise(alt).split())
            if words:
                scope[head.strip()].append(words)
    return scope


def read_spelling(path: Path, files: LexiconFiles) -> dict[str, str]:
    spelling: dict[str, str] = {}
    for number, line in _lines(path):
        if line.startswith("keep:"):
            files.keep.update(normalise(w) for w in _alternatives(line[5:]))
            continue
        wrong, equals, right = line.partition("=")
        key = normalise(wrong)  # digits alone stay digits: "2 = to" keeps its "2"
        if not equals or not key or " " in key or not normalise(right):
            msg = f"{path}:{number}: write a spelling as `wrong = right` (one word on the left)"
            raise ConfigError(msg)
        # Letters typed twice count once, so "nn" is read as "n": a word that folds into
        # one letter, or into another line's word, would respell every such word.
        meaning = normalise(right)
        if (len(key) == 1 < len(wrong.strip())) or spelling.get(key, meaning) != meaning:
            msg = f"{path}:{number}: {wrong.strip()!r} is read as {key!r} (letters typed twice"
            raise ConfigError(msg + " count once), which is another word: leave it out")
        spelling[key] = meaning
    return spelling


def load_files(folder: Path = DEFAULT_DIR) -> LexiconFiles:
    """Every file of a lexicon folder, or a ConfigError naming the file and line."""
    paths = sorted(folder.glob("*.txt")) if folder.is_dir() else []
    if not paths:
        msg = f"{folder}: no danger lexicon files (<lang>.<category>.txt) here."
        raise ConfigError(msg)
    files = LexiconFiles()
    by_lang: dict[str, dict[str, Path]] = {}
    for path in paths:
        lang, _, kind = path.stem.partition(".")
        if kind not in CATEGORIES and kind not in EXTRA_FILES:
            msg = f"{path}: the name should be <lang>.<category>.txt, with a category of "
            raise ConfigError(msg + ", ".join(CATEGORIES))
        by_lang.setdefault(lang, {})[kind] = path
    for lang, kinds in by_lang.items():
        groups = read_groups(kinds["groups"], lang, files) if "groups" in kinds else {}
        if "scope" in kinds:
            files.scopes[lang] = read_scope(kinds["scope"])
        if "spelling" in kinds:
            files.spelling[lang] = read_spelling(kinds["spelling"], files)
        phrases = files.phrases.setdefault(lang, [])
        for category in CATEGORIES:
            if category in kinds:
                phrases.extend(read_phrases(kinds[category], lang, category, groups, files))
    return files
