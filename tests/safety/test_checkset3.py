"""The third unseen check set (`tests/safety/checkset3/`, see `tests/safety/checkset3.md`):
well formed and kept apart from the development set and the second check set. Its figures
are printed, never asserted, by `benchmarks/danger_signals.py --devset
tests/safety/checkset3`: asserting them would invite tuning on it, and then it would no
longer measure messages the detector never saw.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.safety.test_checkset import CHECKSET2_FILES
from tests.safety.test_devset import DEVSET_FILES, KINDS, LANGUAGES, load_devset

CHECKSET3 = Path(__file__).resolve().parent / "checkset3"
CHECKSET3_FILES = load_devset(CHECKSET3)
MINIMUM = 30
BENIGN_MINIMUM = 50
HEADER = (
    "# Unseen check set 3: written without looking at bot/safety/, the development set or"
    " the earlier check sets. Never tune phrases, rules or thresholds on it."
)


def test_every_language_and_kind_has_its_file() -> None:
    assert set(CHECKSET3_FILES) == {(lang, kind) for lang in LANGUAGES for kind in KINDS}


@pytest.mark.parametrize(("lang", "kind"), sorted(CHECKSET3_FILES))
def test_each_file_has_enough_distinct_messages(lang: str, kind: str) -> None:
    messages = CHECKSET3_FILES[(lang, kind)]
    assert len(messages) >= (BENIGN_MINIMUM if kind == "benign" else MINIMUM)
    assert len({m.casefold() for m in messages}) == len(messages)


@pytest.mark.parametrize(("lang", "kind"), sorted(CHECKSET3_FILES))
def test_each_file_says_what_it_is_and_not_to_tune_on_it(lang: str, kind: str) -> None:
    lines = (CHECKSET3 / f"{lang}.{kind}.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith(f"# {lang}.{kind}: ")
    assert len(lines[0]) > len(f"# {lang}.{kind}: ")
    assert lines[1] == HEADER


EARLIER = {"development set": DEVSET_FILES, "check set 2": CHECKSET2_FILES}


@pytest.mark.parametrize("name", sorted(EARLIER))
def test_no_message_is_also_in_an_earlier_set(name: str) -> None:
    # Only this set's messages appear in a failure: the earlier sets are not shown here.
    seen = {text.casefold() for messages in EARLIER[name].values() for text in messages}
    shared = [
        text for messages in CHECKSET3_FILES.values() for text in messages
        if text.casefold() in seen
    ]  # fmt: skip
    assert not shared, f"{name}: {shared}"


def test_no_message_is_in_two_files_of_one_language() -> None:
    for lang in LANGUAGES:
        where: dict[str, str] = {}
        for (other, kind), messages in sorted(CHECKSET3_FILES.items()):
            if other != lang:
                continue
            for text in messages:
                assert where.setdefault(text.casefold(), kind) == kind, (lang, text)


def test_no_message_is_both_benign_and_a_danger() -> None:
    for lang in LANGUAGES:
        benign = {m.casefold() for m in CHECKSET3_FILES[(lang, "benign")]}
        danger = {
            m.casefold()
            for (other, kind), messages in CHECKSET3_FILES.items()
            if other == lang and kind not in ("benign", "concern")
            for m in messages
        }
        assert benign & danger == set(), lang
