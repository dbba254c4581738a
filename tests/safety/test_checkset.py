"""The unseen check set (`tests/safety/checkset2/`, see `tests/safety/checkset2.md`): well
formed and kept apart from the development set. The first check set was measured, then
folded into the development set (its messages under `# from the first check set` in
`tests/safety/devset/`), so it no longer measures unseen text; this one takes its place.
Its figures are printed, never asserted, by `benchmarks/danger_signals.py --devset
tests/safety/checkset2`: asserting them would invite tuning on it, and then it would no
longer measure messages the detector never saw.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.safety.test_devset import DEVSET_FILES, KINDS, LANGUAGES, load_devset

CHECKSET2 = Path(__file__).resolve().parent / "checkset2"
CHECKSET2_FILES = load_devset(CHECKSET2)
MINIMUM = 24
BENIGN_MINIMUM = 40
HEADER = (
    "# Unseen check set 2: written without looking at bot/safety/, the development set or"
    " the first check set. Never tune phrases, rules or thresholds on it."
)


def test_every_language_and_kind_has_its_file() -> None:
    assert set(CHECKSET2_FILES) == {(lang, kind) for lang in LANGUAGES for kind in KINDS}


@pytest.mark.parametrize(("lang", "kind"), sorted(CHECKSET2_FILES))
def test_each_file_has_distinct_messages(lang: str, kind: str) -> None:
    messages = CHECKSET2_FILES[(lang, kind)]
    assert len(messages) >= (BENIGN_MINIMUM if kind == "benign" else MINIMUM)
    assert len({m.casefold() for m in messages}) == len(messages)


@pytest.mark.parametrize(("lang", "kind"), sorted(CHECKSET2_FILES))
def test_each_file_says_what_it_is_and_not_to_tune_on_it(lang: str, kind: str) -> None:
    lines = (CHECKSET2 / f"{lang}.{kind}.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith(f"# {lang}.{kind}: ")
    assert len(lines[0]) > len(f"# {lang}.{kind}: ")
    assert lines[1] == HEADER


def test_no_message_is_also_in_the_development_set() -> None:
    seen = {text.casefold() for messages in DEVSET_FILES.values() for text in messages}
    shared = [
        text for messages in CHECKSET2_FILES.values() for text in messages
        if text.casefold() in seen
    ]  # fmt: skip
    assert shared == []


def test_no_message_is_both_benign_and_a_danger() -> None:
    for lang in LANGUAGES:
        benign = {m.casefold() for m in CHECKSET2_FILES[(lang, "benign")]}
        danger = {
            m.casefold()
            for (other, kind), messages in CHECKSET2_FILES.items()
            if other == lang and kind not in ("benign", "concern")
            for m in messages
        }
        assert benign & danger == set(), lang
