"""The unseen check set (`tests/safety/checkset/`, see `tests/safety/checkset.md`): well
formed and kept apart from the development set. Its figures are printed, never asserted,
by `benchmarks/danger_signals.py --devset tests/safety/checkset`: asserting them would
invite tuning on it, and then it would no longer measure messages the detector never saw.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.safety.test_devset import DEVSET_FILES, KINDS, LANGUAGES, load_devset

CHECKSET = Path(__file__).resolve().parent / "checkset"
CHECKSET_FILES = load_devset(CHECKSET)


def test_every_language_and_kind_has_its_file() -> None:
    assert set(CHECKSET_FILES) == {(lang, kind) for lang in LANGUAGES for kind in KINDS}


@pytest.mark.parametrize(("lang", "kind"), sorted(CHECKSET_FILES))
def test_each_file_has_distinct_messages(lang: str, kind: str) -> None:
    messages = CHECKSET_FILES[(lang, kind)]
    assert len(messages) >= 12
    assert len({m.casefold() for m in messages}) == len(messages)


def test_no_message_is_also_in_the_development_set() -> None:
    seen = {text.casefold() for messages in DEVSET_FILES.values() for text in messages}
    shared = [
        text for messages in CHECKSET_FILES.values() for text in messages if text.casefold() in seen
    ]
    assert shared == []
