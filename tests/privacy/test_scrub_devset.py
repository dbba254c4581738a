"""The scrubber on the development set (tests/privacy/scrub_devset/<lang>.txt): precision
and recall per language and kind of placeholder, and the issue's own examples.

Each devset line is ``input<TAB>expected output``. Scores are counted on placeholders: the
output and the expected text are aligned word by word, a placeholder of the output that
lines up with the same placeholder in the expected text is a true positive, any other
placeholder of the output a false positive, and an expected placeholder left unmatched a
false negative. A line expected unchanged that comes out changed costs precision.
benchmarks/scrubbing.py prints the same scores for the old and new scrubbers.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.privacy import scrub

DEVSET = Path(__file__).resolve().parent / "scrub_devset"
LANGUAGES = ("en", "ro", "ar")
# The kinds of the issue (11, item 3); "phone" counts numbers written (partly) as words.
KINDS = ("name", "address", "handle", "phone")
_PLACEHOLDER = re.compile(r"\[(name|address|handle|phone|place|email|link|number)\]")
_WORDS = re.compile(r"\[[a-z]+\]|[^\s\[]+|\[")


def load_devset(lang: str) -> list[tuple[str, str]]:
    pairs = []
    path = DEVSET / f"{lang}.txt"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        text, sep, expected = line.partition("\t")
        assert sep, f"{path.name}:{number}: no tab between input and expected output"
        pairs.append((text, expected))
    return pairs


@dataclass
class Score:
    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[str, str, str]] = field(default_factory=list)

    def precision(self, kind: str) -> float:
        found = self.tp[kind] + self.fp[kind]
        return self.tp[kind] / found if found else 1.0

    def recall(self, kind: str) -> float:
        wanted = self.tp[kind] + self.fn[kind]
        return self.tp[kind] / wanted if wanted else 1.0

    def total(self, counter: Counter[str]) -> int:
        return sum(counter[k] for k in KINDS)

    def overall(self) -> tuple[float, float]:
        tp, fp, fn = self.total(self.tp), self.total(self.fp), self.total(self.fn)
        return (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)


def _kind(word: str) -> str | None:
    m = _PLACEHOLDER.fullmatch(word.strip(".,;:!?()"))
    return m.group(1) if m else None


def score(scrubber: Callable[[str], str], pairs: list[tuple[str, str]]) -> Score:
    result = Score()
    for text, expected in pairs:
        out = scrubber(text)
        if out != expected:
            result.errors.append((text, expected, out))
        got, want = _WORDS.findall(out), _WORDS.findall(expected)
        matcher = difflib.SequenceMatcher(a=want, b=got, autojunk=False)
        for op, a1, a2, b1, b2 in matcher.get_opcodes():
            if op == "equal":
                for word in want[a1:a2]:
                    if (kind := _kind(word)) is not None:
                        result.tp[kind] += 1
                continue
            for word in want[a1:a2]:
                if (kind := _kind(word)) is not None:
                    result.fn[kind] += 1
            wrong = [w for w in got[b1:b2] if _kind(w) is not None]
            for word in wrong:
                result.fp[_kind(word) or ""] += 1
            if not wrong and op != "equal" and not any(_kind(w) for w in want[a1:a2]):
                # Text changed without any placeholder (should not happen): a false positive.
                result.fp["name"] += 1
    return result


@pytest.fixture(scope="module", params=LANGUAGES)
def lang_score(request: pytest.FixtureRequest) -> tuple[str, Score]:
    lang = str(request.param)
    return lang, score(scrub, load_devset(lang))


def test_devset_has_pii_and_plain_lines() -> None:
    for lang in LANGUAGES:
        pairs = load_devset(lang)
        unchanged = [p for p in pairs if p[0] == p[1]]
        assert len(pairs) >= 50, lang
        assert len(unchanged) >= 20, lang
        kinds = Counter(k for _, expected in pairs for k in _PLACEHOLDER.findall(expected))
        for kind in KINDS:
            assert kinds[kind] >= 3, (lang, kind)


def test_devset_recall_and_precision(lang_score: tuple[str, Score]) -> None:
    lang, result = lang_score
    misses = "\n".join(f"{t!r}\n  want {e!r}\n  got  {o!r}" for t, e, o in result.errors)
    for kind in KINDS:
        assert result.recall(kind) >= 0.9, f"{lang} {kind} recall\n{misses}"
        assert result.precision(kind) >= 0.9, f"{lang} {kind} precision\n{misses}"
    precision, recall = result.overall()
    assert precision >= 0.9, misses
    assert recall >= 0.9, misses


def test_devset_lines_meant_to_stay_mostly_do() -> None:
    for lang in LANGUAGES:
        plain = [(t, e) for t, e in load_devset(lang) if t == e]
        changed = [t for t, _ in plain if scrub(t) != t]
        assert len(changed) <= len(plain) // 10, (lang, changed)


def test_scrubbing_twice_changes_nothing_on_the_devset() -> None:
    for lang in LANGUAGES:
        for text, _ in load_devset(lang):
            once = scrub(text)
            assert scrub(once) == once, text
