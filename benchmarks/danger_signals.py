"""Danger-signal detector on the development set: recall, false alarms, time (not a test).

    .venv/bin/python benchmarks/danger_signals.py [--devset tests/safety/devset]
        [--show-misses] [--repeat 3] [--lang en,de]

The development set (`tests/safety/devset/`, see `tests/safety/test_devset.py`) is
messages written the way young people write, without looking at the phrase lists, in
en, ro and ar (Arabic: MSA, dialects, Arabizi), and smaller drafted sets for the
languages in DRAFTED_LANGUAGES (tests/safety/test_devset_drafted.py). Every message
goes through two detectors, each called as the engine calls it, `detector(text, prefer=lang)`:

- shipped: `Detector.load()`, the shipped lexicons with folding, respelling, fuzzy
  matching and negation / hypothetical scope;
- plain:   `Detector.load(plain=True)`, the 0.1.0-style phrase-only matcher.

Printed, per detector:

- recall on `<lang>.<category>.txt`: a message is caught when the match has level
  "clear" (of any category: what counts is that someone is alerted); "any" also counts
  "concern" matches; "same cat." is the share whose clear match names the file's category;
- on `<lang>.benign.txt`: false alarms (a "clear" match) and the share given "concern";
- on `<lang>.concern.txt`: the share given any response, and the share given "clear";
- time per message: mean, median and 99th percentile in microseconds over every message
  of the set, each message's fastest of `--repeat` passes after one warm-up pass.

`--show-misses` lists the danger messages the shipped detector missed and the benign
messages it alarmed on (with the rule that fired). The targets the test asserts for the
shipped detector: recall >= 0.85 per language and category, false alarms <= 5 % per
language, concern messages answered >= 0.85.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeGuard

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.safety.detector import DangerMatch, Detector
from tests.safety.test_devset import DANGER, DEVSET, DRAFTED_LANGUAGES, LANGUAGES, load_devset

EVERY_LANGUAGE = (*LANGUAGES, *DRAFTED_LANGUAGES)

Check = Callable[..., DangerMatch | None]


@dataclass
class Outcome:
    """What one detector returned for every message of the set, and how long each took."""

    matches: dict[tuple[str, str], list[DangerMatch | None]] = field(default_factory=dict)
    micros: list[float] = field(default_factory=list)


def run(detector: Check, devset: dict[tuple[str, str], list[str]], repeat: int) -> Outcome:
    """Every message through ``detector``: one warm-up pass, then ``repeat`` timed ones."""
    outcome = Outcome()
    for (lang, kind), messages in devset.items():
        outcome.matches[(lang, kind)] = [detector(text, prefer=lang) for text in messages]
    # Each message's fastest of the passes: on a shared machine a pass's total is mostly
    # how often the process waited for a core, not how long the detector took.
    best: list[float] | None = None
    for _ in range(repeat):
        timings = []
        for (lang, _kind), messages in devset.items():
            for text in messages:
                start = time.perf_counter_ns()
                detector(text, prefer=lang)
                timings.append((time.perf_counter_ns() - start) / 1000)
        best = timings if best is None else [min(a, b) for a, b in zip(best, timings, strict=True)]
    outcome.micros = best or []
    return outcome


def share(matches: list[DangerMatch | None], hit: Callable[[DangerMatch | None], bool]) -> float:
    return sum(1 for match in matches if hit(match)) / len(matches) if matches else 0.0


def clear(match: DangerMatch | None) -> TypeGuard[DangerMatch]:
    return match is not None and match.level == "clear"


def concern(match: DangerMatch | None) -> bool:
    return match is not None and match.level == "concern"


def answered(match: DangerMatch | None) -> bool:
    return match is not None


def pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def table(header: list[str], rows: list[list[str]]) -> None:
    """A Markdown table, columns padded, first column left-aligned, the rest right."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        padded = [
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    print(line(header))
    print("| " + " | ".join(":" + "-" * (w - 1) if i == 0 else "-" * (w - 1) + ":"
                            for i, w in enumerate(widths)) + " |")  # fmt: skip
    for row in rows:
        print(line(row))


def recall_rows(
    devset: dict[tuple[str, str], list[str]], outcomes: dict[str, Outcome]
) -> list[list[str]]:
    rows = []
    for lang in EVERY_LANGUAGE:
        pooled: dict[str, list[DangerMatch | None]] = {name: [] for name in outcomes}
        pooled_same: dict[str, int] = dict.fromkeys(outcomes, 0)
        total = 0
        for category in DANGER:
            key = (lang, category)
            if key not in devset:
                continue
            total += len(devset[key])
            row = [f"{lang} {category}", str(len(devset[key]))]
            for name, outcome in outcomes.items():
                matches = outcome.matches[key]
                same = sum(1 for m in matches if clear(m) and m.category == category)
                pooled[name] += matches
                pooled_same[name] += same
                row += [pct(share(matches, clear)), pct(share(matches, answered))]
                row.append(pct(same / len(matches)))
            rows.append(row)
        if not total:
            continue  # a language filtered out with --lang
        row = [f"**{lang} all danger**", str(total)]
        for name in outcomes:
            row += [pct(share(pooled[name], clear)), pct(share(pooled[name], answered))]
            row.append(pct(pooled_same[name] / total if total else 0.0))
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devset", type=Path, default=DEVSET, help="folder of devset files")
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed passes (each message's fastest is kept)"
    )
    parser.add_argument(
        "--show-misses", action="store_true", help="list misses and false alarms (shipped)"
    )
    parser.add_argument(
        "--lang", help="only these languages' files, comma-separated (while writing phrases)"
    )
    args = parser.parse_args()

    devset = {
        key: messages
        for key, messages in load_devset(args.devset).items()
        if args.lang is None or key[0] in args.lang.split(",")
    }
    detectors: dict[str, Check] = {
        "shipped": Detector.load(),
        "plain": Detector.load(plain=True),
    }
    outcomes = {name: run(detector, devset, args.repeat) for name, detector in detectors.items()}
    names = list(outcomes)

    danger_n = sum(len(v) for (_, kind), v in devset.items() if kind in DANGER)
    benign_n = sum(len(v) for (_, kind), v in devset.items() if kind == "benign")
    concern_n = sum(len(v) for (_, kind), v in devset.items() if kind == "concern")
    print(
        f"danger-signal detector on {args.devset}: {danger_n} danger, {benign_n} benign, "
        f"{concern_n} concern messages; Python {sys.version.split()[0]}"
    )

    print("\nRecall on danger files (clear = caught; any = clear or concern; same cat. = "
          "clear match of the file's category)\n")  # fmt: skip
    header = ["file", "n"]
    for name in names:
        header += [f"{name} clear", f"{name} any", f"{name} same cat."]
    table(header, recall_rows(devset, outcomes))

    print("\nBenign files (false alarm = clear match)\n")
    rows = []
    for lang in EVERY_LANGUAGE:
        if (lang, "benign") not in devset:
            continue
        row = [lang, str(len(devset[(lang, "benign")]))]
        for name in names:
            matches = outcomes[name].matches[(lang, "benign")]
            row += [pct(share(matches, clear)), pct(share(matches, concern))]
        rows.append(row)
    header = ["lang", "n"]
    for name in names:
        header += [f"{name} false alarms", f"{name} concern"]
    table(header, rows)

    print("\nConcern files (response = clear or concern)\n")
    rows = []
    for lang in EVERY_LANGUAGE:
        if (lang, "concern") not in devset:
            continue
        row = [lang, str(len(devset[(lang, "concern")]))]
        for name in names:
            matches = outcomes[name].matches[(lang, "concern")]
            row += [pct(share(matches, answered)), pct(share(matches, clear))]
        rows.append(row)
    header = ["lang", "n"]
    for name in names:
        header += [f"{name} any response", f"{name} clear"]
    table(header, rows)

    print(f"\nTime per message (each message's fastest of {args.repeat} passes)\n")
    rows = []
    for name in names:
        micros = sorted(outcomes[name].micros)
        p99 = micros[min(len(micros) - 1, int(0.99 * len(micros)))] if micros else 0.0
        rows.append(
            [
                name,
                str(len(micros)),
                f"{statistics.fmean(micros):.1f}" if micros else "-",
                f"{statistics.median(micros):.1f}" if micros else "-",
                f"{p99:.1f}",
            ]
        )
    table(["detector", "messages", "mean µs", "p50 µs", "p99 µs"], rows)

    if args.show_misses:
        shipped = outcomes["shipped"]
        print("\nShipped detector: danger messages without a clear match")
        for (lang, kind), messages in devset.items():
            if kind not in DANGER:
                continue
            for text, match in zip(messages, shipped.matches[(lang, kind)], strict=True):
                if not clear(match):
                    level = f"concern {match.rule}" if match else "none"
                    print(f"  {lang}.{kind}: {text!r} ({level})")
        print("\nShipped detector: benign messages with a clear match")
        for (lang, kind), messages in devset.items():
            if kind != "benign":
                continue
            for text, match in zip(messages, shipped.matches[(lang, kind)], strict=True):
                if clear(match):
                    print(f"  {lang}.benign: {text!r} ({match.category} {match.rule})")
        print("\nShipped detector: concern messages without any response")
        for (lang, kind), messages in devset.items():
            if kind != "concern":
                continue
            for text, match in zip(messages, shipped.matches[(lang, kind)], strict=True):
                if match is None:
                    print(f"  {lang}.concern: {text!r}")


if __name__ == "__main__":
    main()
