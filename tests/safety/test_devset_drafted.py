"""The drafted languages' development sets: the detector measured on each, lighter goals.

The phrase lists of these languages (bot/safety/lexicons/) and their sets
(tests/safety/devset/) are drafts by the SafeVoice team awaiting native-speaker and
survivor-advisory review; the sets are small, so the goals are per language, over all
danger files together, not per category. benchmarks/danger_signals.py prints the figures
per category too.
"""

from __future__ import annotations

import pytest

from tests.safety.test_devset import (
    DANGER,
    DEVSET_FILES,
    DRAFTED_LANGUAGES,
    KINDS,
    SHIPPED,
)

RECALL = 0.8  # share of danger messages with a "clear" match, per language
FALSE_ALARMS = 0.10  # share of benign messages with a "clear" match, per language
CONCERN_RESPONSE = 0.8  # share of concern messages with any match, per language
MINIMUM = {**dict.fromkeys(DANGER, 4), "benign": 20, "concern": 5}


@pytest.mark.parametrize(
    ("lang", "kind"), [(lang, kind) for lang in DRAFTED_LANGUAGES for kind in KINDS]
)
def test_each_drafted_file_has_enough_distinct_messages(lang: str, kind: str) -> None:
    messages = DEVSET_FILES[(lang, kind)]
    assert len(messages) >= MINIMUM[kind], f"{lang}.{kind}: {len(messages)} < {MINIMUM[kind]}"
    assert len(set(messages)) == len(messages)


@pytest.mark.parametrize("lang", DRAFTED_LANGUAGES)
def test_drafted_language_danger_is_caught_clearly(lang: str) -> None:
    messages = [text for category in DANGER for text in DEVSET_FILES[(lang, category)]]
    missed = [text for text in messages if not _clear(lang, text)]
    recall = 1 - len(missed) / len(messages)
    assert recall >= RECALL, f"{lang}: clear recall {recall:.1%} < {RECALL:.0%}; missed {missed}"


@pytest.mark.parametrize("lang", DRAFTED_LANGUAGES)
def test_drafted_language_benign_messages_raise_few_false_alarms(lang: str) -> None:
    messages = DEVSET_FILES[(lang, "benign")]
    alarms = [text for text in messages if _clear(lang, text)]
    rate = len(alarms) / len(messages)
    assert rate <= FALSE_ALARMS, f"{lang}: false alarms {rate:.1%}; alarmed on {alarms}"


@pytest.mark.parametrize("lang", DRAFTED_LANGUAGES)
def test_drafted_language_vague_distress_gets_a_response(lang: str) -> None:
    messages = DEVSET_FILES[(lang, "concern")]
    silent = [text for text in messages if SHIPPED(text, prefer=lang) is None]
    answered = 1 - len(silent) / len(messages)
    assert answered >= CONCERN_RESPONSE, f"{lang}: answered {answered:.1%}; no response {silent}"


@pytest.mark.parametrize("lang", DRAFTED_LANGUAGES)
def test_drafted_language_has_a_phrase_in_every_category(lang: str) -> None:
    assert SHIPPED.missing([lang]) == []


def _clear(lang: str, text: str) -> bool:
    match = SHIPPED(text, prefer=lang)
    return match is not None and match.level == "clear"
