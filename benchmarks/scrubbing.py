"""Free-text scrubber on the development set: precision, recall and time (not a test).

    .venv/bin/python benchmarks/scrubbing.py [--repeat 3] [--lang en] [--show-errors]

The development set (`tests/privacy/scrub_devset/<lang>.txt`, see
`tests/privacy/test_scrub_devset.py`) is lines of feedback written the way young people
write, in en, ro and ar, each with the text the scrubber should return. Every line goes
through two scrubbers:

- new: `scrub()`, contacts plus names, addresses, handles without "@", numbers as words;
- old: `Scrubber(identity=False)`, the contact-only passes as they were before issue 11.

Printed per scrubber, language and kind (name, address, handle, phone, "phone" being the
numbers written partly or wholly as words): precision and recall counted on placeholders
(see the test module for how), and the time per message (mean, median, 99th percentile in
microseconds, best of `--repeat` passes after a warm-up pass, which also loads the lists).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.privacy import Scrubber, scrub
from tests.privacy.test_scrub_devset import KINDS, LANGUAGES, Score, load_devset, score


def timings(fn: Callable[[str], str], texts: list[str], repeat: int) -> list[float]:
    best: list[float] | None = None
    for _ in range(repeat):
        run = []
        for text in texts:
            start = time.perf_counter_ns()
            fn(text)
            run.append((time.perf_counter_ns() - start) / 1000)
        if best is None or sum(run) < sum(best):
            best = run
    return best or []


def row(name: str, lang: str, result: Score) -> str:
    cells = [
        f"{result.precision(k):5.2f} {result.recall(k):5.2f}"
        if result.tp[k] + result.fp[k]
        else f"{'-':>5} {result.recall(k):5.2f}"
        for k in KINDS
    ]
    p, r = result.overall()
    return f"{name:4} {lang:3} " + "  ".join(cells) + f"  {p:5.2f} {r:5.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lang", choices=LANGUAGES)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    languages = (args.lang,) if args.lang else LANGUAGES
    old = Scrubber(identity=False)
    started = time.perf_counter()
    scrub("load the lists")
    print(f"first call (loads name lists): {time.perf_counter() - started:.2f} s\n")
    head = "  ".join(f"{k + ' P/R':>11}" for k in KINDS)
    print(f"{'':8} {head}  {'all P/R':>11}")
    texts: list[str] = []
    for lang in languages:
        pairs = load_devset(lang)
        texts += [t for t, _ in pairs]
        for name, fn in (("old", old), ("new", scrub)):
            result = score(fn, pairs)
            print(row(name, lang, result))
            if args.show_errors and name == "new":
                for text, want, got in result.errors:
                    print(f"    {text!r}\n      want {want!r}\n      got  {got!r}")
    print(f"\ntime per message over {len(texts)} messages (µs): mean / median / p99")
    for name, fn in (("old", old), ("new", scrub)):
        times = sorted(timings(fn, texts, args.repeat))
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(f"{name:4} {statistics.mean(times):8.1f} {statistics.median(times):8.1f} {p99:8.1f}")


if __name__ == "__main__":
    main()
