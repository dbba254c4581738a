"""Try the danger lexicon by hand: `python -m bot.safety check "some words"`, or
`python -m bot.safety coverage` for how many phrases each language and category has.

For staff reviewing the phrase files; prints only what they typed themselves.
"""

from __future__ import annotations

import sys

from bot.errors import SafeVoiceError
from bot.safety.detector import Detector
from bot.safety.lexicon import CATEGORIES, DEFAULT_DIR


def main(argv: list[str]) -> int:
    try:
        lexicon = Detector.load(DEFAULT_DIR)
    except SafeVoiceError as exc:
        print(exc, file=sys.stderr)
        return 2
    if argv[:1] == ["check"] and len(argv) > 1:
        found = lexicon.match(" ".join(argv[1:]))
        if found is None:
            print("no match")
        else:
            why = f", {found.why}" if found.why else ""
            print(f"{found.category} ({found.level}, {found.rule}{why})")
        return 0 if found else 1
    if argv[:1] == ["coverage"]:
        counts = lexicon.counts()
        print("language  " + "  ".join(f"{c:>16}" for c in CATEGORIES))
        for lang in lexicon.languages:
            row = "  ".join(f"{counts.get((lang, c), 0):>16}" for c in CATEGORIES)
            print(f"{lang:<8}  {row}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
