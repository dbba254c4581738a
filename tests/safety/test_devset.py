"""The danger-signal development set: well formed, and the detector measured on it.

`tests/safety/devset/` holds messages written the way young people write, independently
of the phrase lists (nobody writing them read `bot/safety/lexicons/` or
`tests/safety/phrases.py`), so they measure the detector instead of repeating it:

- `<lang>.<category>.txt`: clear disclosures of one kind of danger; each should get a
  match at level "clear" (any category: the point is that a person is alerted);
- `<lang>.benign.txt`: ordinary feedback, negations, prevention workshops, look-alike
  words; a "clear" match there is a false alarm;
- `<lang>.concern.txt`: vague distress; it should get some response (a gentle check-in).

One message a line, UTF-8; lines starting with `#` are comments. The figures for both
detectors are printed by `benchmarks/danger_signals.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.safety.detector import DangerMatch, Detector

DEVSET = Path(__file__).resolve().parent / "devset"
LANGUAGES = ("en", "ro", "ar")
# Languages whose sets are drafts, smaller and held to lighter goals
# (tests/safety/test_devset_drafted.py); the goals below are for LANGUAGES only.
DRAFTED_LANGUAGES = ("de", "nl", "sv", "nb", "it", "pcm", "sw", "so", "sr", "bs", "uk", "fa", "sq", "lv", "ti")
DANGER = (
    "suicide",
    "self_harm",
    "immediate_danger",
    "abuse_now",
    "held_or_forced",
    "trafficking",
    "debt_bondage",
    "documents_taken",
    "forced_work",
    "sexual_exploitation",
    "grooming",
    "sextortion",
)
# Trafficking and its means are the project's core; they get more messages.
TRAFFICKING_RELATED = frozenset(
    {
        "held_or_forced",
        "debt_bondage",
        "documents_taken",
        "forced_work",
        "sexual_exploitation",
    }
)
KINDS = (*DANGER, "benign", "concern")
MINIMUM = {
    **{category: 25 for category in DANGER},
    **{category: 30 for category in TRAFFICKING_RELATED},
    "trafficking": 35,
    "benign": 80,
    "concern": 20,
}

RECALL = 0.85  # share of danger messages with a "clear" match, per language and category
FALSE_ALARMS = 0.05  # share of benign messages with a "clear" match, per language
CONCERN_RESPONSE = 0.85  # share of concern messages with any match, per language


def read_messages(path: Path) -> list[str]:
    """The messages of one devset file: stripped lines, no blanks or `#` comments."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def load_devset(folder: Path = DEVSET) -> dict[tuple[str, str], list[str]]:
    """Every file of the folder, by (language, kind); the name must be `<lang>.<kind>.txt`."""
    found: dict[tuple[str, str], list[str]] = {}
    for path in sorted(folder.iterdir()):
        parts = path.name.split(".")
        if len(parts) != 3 or parts[2] != "txt":
            raise ValueError(f"{path.name}: not <lang>.<kind>.txt")
        lang, kind, _ = parts
        if lang not in (*LANGUAGES, *DRAFTED_LANGUAGES) or kind not in KINDS:
            raise ValueError(f"{path.name}: unknown language or kind")
        found[(lang, kind)] = read_messages(path)
    return found


DEVSET_FILES = load_devset()
SHIPPED = Detector.load()


def _share(
    messages: list[str], lang: str, hit: Callable[[DangerMatch | None], bool]
) -> tuple[float, list[str]]:
    """The share of messages for which ``hit(match)`` holds, and the others."""
    misses = [text for text in messages if not hit(SHIPPED(text, prefer=lang))]
    return 1 - len(misses) / len(messages), misses


def _clear(match: DangerMatch | None) -> bool:
    return match is not None and match.level == "clear"


def _any(match: DangerMatch | None) -> bool:
    return match is not None


def test_every_file_is_named_for_a_known_language_and_kind() -> None:
    names = sorted(path.name for path in DEVSET.iterdir())
    every = (*LANGUAGES, *DRAFTED_LANGUAGES)
    expected = sorted(f"{lang}.{kind}.txt" for lang in every for kind in KINDS)
    assert names == expected


@pytest.mark.parametrize(("lang", "kind"), [(lang, kind) for lang in LANGUAGES for kind in KINDS])
def test_each_file_has_enough_distinct_messages(lang: str, kind: str) -> None:
    messages = DEVSET_FILES[(lang, kind)]
    assert len(messages) >= MINIMUM[kind], f"{lang}.{kind}: {len(messages)} < {MINIMUM[kind]}"
    duplicates = sorted({text for text in messages if messages.count(text) > 1})
    assert not duplicates


def test_no_message_is_both_benign_and_a_danger() -> None:
    for lang in LANGUAGES:
        danger = {text.casefold() for kind in DANGER for text in DEVSET_FILES[(lang, kind)]}
        calm = {
            text.casefold() for kind in ("benign", "concern") for text in DEVSET_FILES[(lang, kind)]
        }
        assert not danger & calm, lang


# The goals, per language and category: recall >= RECALL on every danger file, false
# alarms <= FALSE_ALARMS on the benign file, CONCERN_RESPONSE of the concern file answered.
# benchmarks/danger_signals.py prints the figures and, with --show-misses, the messages.


@pytest.mark.parametrize(
    ("lang", "category"), [(lang, category) for lang in LANGUAGES for category in DANGER]
)
def test_each_danger_file_is_caught_clearly(lang: str, category: str) -> None:
    recall, misses = _share(DEVSET_FILES[(lang, category)], lang, _clear)
    assert recall >= RECALL, (
        f"{lang}.{category}: clear recall {recall:.1%} < {RECALL:.0%}; "
        f"missed {len(misses)}: {misses}"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_benign_messages_raise_few_false_alarms(lang: str) -> None:
    calm, alarms = _share(DEVSET_FILES[(lang, "benign")], lang, lambda match: not _clear(match))
    rate = 1 - calm
    assert rate <= FALSE_ALARMS, (
        f"{lang}.benign: false alarms {rate:.1%} > {FALSE_ALARMS:.0%}; alarmed on {alarms}"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_vague_distress_gets_a_response(lang: str) -> None:
    answered, silent = _share(DEVSET_FILES[(lang, "concern")], lang, _any)
    assert answered >= CONCERN_RESPONSE, (
        f"{lang}.concern: answered {answered:.1%} < {CONCERN_RESPONSE:.0%}; no response to {silent}"
    )


# And the detector is never worse than the phrase-only matcher it replaced.
PLAIN = Detector.load(plain=True)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_detector_alarms_less_and_notices_more_than_phrases_alone(lang: str) -> None:
    benign = DEVSET_FILES[(lang, "benign")]
    danger = [text for category in DANGER for text in DEVSET_FILES[(lang, category)]]

    def alarms(detector: Detector) -> int:
        return sum(_clear(detector(text, prefer=lang)) for text in benign)

    def noticed(detector: Detector) -> int:
        return sum(_any(detector(text, prefer=lang)) for text in danger)

    assert alarms(SHIPPED) <= alarms(PLAIN)
    assert noticed(SHIPPED) >= noticed(PLAIN)
