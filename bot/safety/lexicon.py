"""Danger phrases per language, matched on folded text, compiled once.

The phrases live in plain text files that staff can read and change, one file per
language and category: `bot/safety/lexicons/<lang>.<category>.txt` (see
docs/safety.md). In a file:

- one phrase per line; `#` starts a comment; blank lines are ignored;
- case, accents, Arabic marks, apostrophes and repeated letters do not matter;
- between two words of a phrase one other word may stand
  ("kill myself" also finds "kill fucking myself");
- `...` between two words allows up to six words there;
- `*` at the end of a word lets the word go on ("suicid*" finds "suicide", "suicidal").

Every language's phrases are checked on every text: young people mix languages.
A match says only which category and language matched, never the words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, get_args

from bot.errors import ConfigError
from bot.safety.normalise import normalise

Category = Literal["self_harm", "suicide", "immediate_danger", "held_or_forced", "abuse_now"]
CATEGORIES: tuple[Category, ...] = get_args(Category)
DEFAULT_DIR = Path(__file__).resolve().parent / "lexicons"

GAP = r"(?: \S+)? "  # one other word may stand between the words of a phrase
WIDE_GAP = r"(?: \S+){0,6} "  # `...`: up to six
# Arabic writes "and", "so", "with", "for", "like", "will" and "the" onto the word:
# "واريد" is "and I want". Each Arabic word may carry them in front.
_AR_PREFIX = r"(?:[وف])?(?:[بلكس])?(?:ال|ل)?"
_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")


@dataclass(frozen=True)
class DangerMatch:
    """Which kind of danger a text showed, and in which language's phrases."""

    category: Category
    language: str


class DangerCheck(Protocol):
    """What the engine is given: a text in, a match or None out."""

    def __call__(self, text: str, prefer: str | None = None) -> DangerMatch | None: ...


def _word(word: str, lang: str) -> str:
    wild = word.endswith("*")
    stem = normalise(word.rstrip("*"))
    if not stem or " " in stem:
        return ""
    pattern = re.escape(stem) + (r"\S*" if wild else "")
    if lang == "ar" and _ARABIC_LETTER.match(stem):
        pattern = _AR_PREFIX + pattern
    return pattern


def phrase_pattern(phrase: str, lang: str) -> str:
    """The regular expression for one lexicon line ("" when nothing is left to match)."""
    parts: list[str] = []
    wide = False
    for raw in phrase.replace("…", " ... ").split():
        if raw == "...":
            wide = True
            continue
        # A word that folds into several ("my-self", "can't") is matched as those words.
        pieces = [raw] if raw.endswith("*") else normalise(raw).split()
        for piece in pieces:
            pattern = _word(piece, lang)
            if not pattern:
                continue
            if parts:
                parts.append(WIDE_GAP if wide else GAP)
            parts.append(pattern)
            wide = False
    return "".join(parts)


@dataclass
class Lexicon:
    """Compiled phrases: one regular expression per language, one group per category."""

    patterns: dict[str, re.Pattern[str]] = field(default_factory=dict)
    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    @classmethod
    def from_phrases(cls, phrases: Mapping[str, Mapping[str, Iterable[str]]]) -> Lexicon:
        """`{lang: {category: [phrase, ...]}}` compiled."""
        lexicon = cls()
        for lang, categories in phrases.items():
            groups = []
            for category, lines in categories.items():
                if category not in CATEGORIES:
                    msg = f"unknown danger category {category!r}; known: {', '.join(CATEGORIES)}"
                    raise ConfigError(msg)
                alternatives = sorted({p for line in lines if (p := phrase_pattern(line, lang))})
                lexicon.counts[(lang, category)] = len(alternatives)
                if alternatives:
                    groups.append(f"(?P<{category}>{'|'.join(alternatives)})")
            if groups:
                lexicon.patterns[lang] = re.compile(r"(?<!\S)(?:" + "|".join(groups) + r")(?!\S)")
        return lexicon

    @classmethod
    def load(cls, folder: Path = DEFAULT_DIR) -> Lexicon:
        """Every `<lang>.<category>.txt` in `folder`, or a ConfigError naming file and line."""
        phrases: dict[str, dict[str, list[str]]] = {}
        files = sorted(folder.glob("*.txt")) if folder.is_dir() else []
        if not files:
            msg = f"{folder}: no danger lexicon files (<lang>.<category>.txt) here."
            raise ConfigError(msg)
        for path in files:
            lang, _, category = path.stem.partition(".")
            if category not in CATEGORIES:
                msg = f"{path}: the name should be <lang>.<category>.txt, with a category of "
                raise ConfigError(msg + ", ".join(CATEGORIES))
            phrases.setdefault(lang, {})[category] = read_phrases(path, lang)
        return cls.from_phrases(phrases)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.patterns)

    def missing(self, languages: Iterable[str]) -> list[str]:
        """Each "lang/category" that has no phrases, for the given languages."""
        return [
            f"{lang}/{category}"
            for lang in languages
            for category in CATEGORIES
            if not self.counts.get((lang, category))
        ]

    def match(self, text: str, prefer: str | None = None) -> DangerMatch | None:
        """The first danger phrase in `text`, trying `prefer`'s phrases first; pure."""
        folded = normalise(text)
        if not folded:
            return None
        order = sorted(self.patterns, key=lambda lang: lang != prefer)
        for lang in order:
            found = self.patterns[lang].search(folded)
            if found and found.lastgroup in CATEGORIES:
                return DangerMatch(category=found.lastgroup, language=lang)
        return None

    __call__ = match


def read_phrases(path: Path, lang: str) -> list[str]:
    """The phrases in one file; a line that folds to nothing is an error with its place."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        msg = f"{path}: save this file as UTF-8 text."
        raise ConfigError(msg) from None
    phrases = []
    for number, line in enumerate(text.splitlines(), start=1):
        phrase = line.split("#", 1)[0].strip()
        if not phrase:
            continue
        if not phrase_pattern(phrase, lang):
            msg = f"{path}:{number}: this line has no letters left to look for: {line.strip()!r}"
            raise ConfigError(msg)
        phrases.append(phrase)
    return phrases
