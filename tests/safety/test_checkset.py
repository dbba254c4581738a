"""The unseen check sets (`tests/safety/checkset/` and `tests/safety/checkset2/`, see
`tests/safety/checkset.md` and `tests/safety/checkset2.md`): well formed and kept apart from
the development set and from each other. Their figures are printed, never asserted, by
`benchmarks/danger_signals.py --devset <folder>`: asserting them would invite tuning on them,
and then they would no longer measure messages the detector never saw.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.safety.test_devset import DEVSET_FILES, KINDS, LANGUAGES, load_devset

HERE = Path(__file__).resolve().parent
CHECKSET = HERE / "checkset"
CHECKSET_FILES = load_devset(CHECKSET)
CHECKSET2 = HERE / "checkset2"
CHECKSET2_FILES = load_devset(CHECKSET2)

CHECKSETS = {"checkset": CHECKSET_FILES, "checkset2": CHECKSET2_FILES}
# Fewest distinct messages a file may hold, per set; the second set was written larger.
MINIMUM = {"checkset": 12, "checkset2": 24}
CHECKSET2_BENIGN_MINIMUM = 40
CHECKSET2_HEADER = (
    "# Unseen check set 2: written without looking at bot/safety/, the development set or"
    " the first check set. Never tune phrases, rules or thresholds on it."
)


def _casefolded(files: dict[tuple[str, str], list[str]]) -> set[str]:
    return {text.casefold() for messages in files.values() for text in messages}


@pytest.mark.parametrize("name", sorted(CHECKSETS))
def test_every_language_and_kind_has_its_file(name: str) -> None:
    files = CHECKSETS[name]
    assert set(files) == {(lang, kind) for lang in LANGUAGES for kind in KINDS}


@pytest.mark.parametrize(
    ("name", "lang", "kind"),
    [
        (name, lang, kind)
        for name, files in sorted(CHECKSETS.items())
        for lang, kind in sorted(files)
    ],
)
def test_each_file_has_distinct_messages(name: str, lang: str, kind: str) -> None:
    messages = CHECKSETS[name][(lang, kind)]
    assert len(messages) >= MINIMUM[name]
    assert len({m.casefold() for m in messages}) == len(messages)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_second_check_set_has_plenty_of_benign_look_alikes(lang: str) -> None:
    assert len(CHECKSET2_FILES[(lang, "benign")]) >= CHECKSET2_BENIGN_MINIMUM


@pytest.mark.parametrize(("lang", "kind"), sorted(CHECKSET2_FILES))
def test_each_second_check_set_file_says_what_it_is_and_not_to_tune_on_it(
    lang: str, kind: str
) -> None:
    lines = (CHECKSET2 / f"{lang}.{kind}.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith(f"# {lang}.{kind}: ")
    assert len(lines[0]) > len(f"# {lang}.{kind}: ")
    assert lines[1] == CHECKSET2_HEADER


@pytest.mark.parametrize("name", sorted(CHECKSETS))
def test_no_message_is_also_in_the_development_set(name: str) -> None:
    seen = _casefolded(DEVSET_FILES)
    shared = [
        text
        for messages in CHECKSETS[name].values()
        for text in messages
        if text.casefold() in seen
    ]
    assert shared == []


def test_no_message_of_the_second_check_set_is_also_in_the_first() -> None:
    seen = _casefolded(CHECKSET_FILES)
    shared = [
        text
        for messages in CHECKSET2_FILES.values()
        for text in messages
        if text.casefold() in seen
    ]
    assert shared == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_message_of_the_second_check_set_is_both_benign_and_a_danger(lang: str) -> None:
    benign = {text.casefold() for text in CHECKSET2_FILES[(lang, "benign")]}
    danger = {
        text.casefold()
        for (file_lang, kind), messages in CHECKSET2_FILES.items()
        if file_lang == lang and kind not in ("benign", "concern")
        for text in messages
    }
    assert benign & danger == set()
