"""Inputs that break software, shared by the property tests of every channel.

- `BLNS`: every line of the Big List of Naughty Strings (tests/testdata/blns.txt).
- `DECIMAL_DIGITS`: every code point with a Unicode decimal value (٣, ۳, ३, ３ ...), and
  `ZEROS`, the zero of each script (a script's digits follow its zero).
- `NOT_DECIMAL`: characters `str.isdigit()` or `str.isnumeric()` accept that have no
  decimal value (², ①, ፩, ½, Ⅻ, 五): `int()` refuses them.
- `SPELL`: a number written in one script's digits.
- Hypothesis strategies for arbitrary Unicode (lone surrogates included) and for JSON
  text nested deeper than any limit, with brackets hidden in strings and escapes.

Property tests run derandomized (`SETTINGS`), so CI sees the same cases every time.
"""

from __future__ import annotations

import json
import random
import sys
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

BLNS_FILE = Path(__file__).parent / "testdata" / "blns.txt"
BLNS: tuple[str, ...] = tuple(
    line
    for line in BLNS_FILE.read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
)
_ALL = [chr(code) for code in range(sys.maxunicode + 1)]
DECIMAL_DIGITS: tuple[str, ...] = tuple(
    ch for ch in _ALL if unicodedata.decimal(ch, None) is not None
)
ZEROS: tuple[str, ...] = tuple(ch for ch in DECIMAL_DIGITS if unicodedata.decimal(ch) == 0)
NOT_DECIMAL: tuple[str, ...] = tuple(
    ch for ch in _ALL if (ch.isdigit() or ch.isnumeric()) and unicodedata.decimal(ch, None) is None
)
del _ALL


def spell(number: int, zero: str) -> str:
    """`number` in the digits of the script whose zero is `zero`."""
    return "".join(chr(ord(zero) + int(d)) for d in str(number))


def settings_for(examples: int) -> settings:
    """Deterministic Hypothesis settings: a fixed seed, no example database."""
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# Any code point, lone surrogates and unassigned ones too; and the characters that bite.
any_char = st.characters(codec=None, categories=None)
biting = st.sampled_from(
    ["\u202e", "\u2067", "\u200f", "\u061c", "\ufeff", "\x00", "\r", "\n", "\u0301", "/",
     "²", "፩", "٣", "３", "\ud800", "\U0001f600", "\u200d", " "]
)  # fmt: skip
unicode_text = st.text(any_char | biting, max_size=80) | st.sampled_from(BLNS)
# Now and then a text near the limit (2,000 characters), with invisible marks or not.
long_text = st.builds(
    lambda n, mark, tail: mark * (n % 7) + "x" * n + tail,
    st.integers(1990, 2010),
    st.sampled_from(["", "\u200f", "\u202e"]),
    st.text(any_char, max_size=5),
)
typed = unicode_text | long_text | st.builds(lambda d, z: spell(d, z), st.integers(0, 99),
                                              st.sampled_from(ZEROS))  # fmt: skip

# JSON text, valid or broken, shallow or nested far past any limit, with brackets hidden
# in strings and escapes. Hypothesis draws only a seed; the text is built from it (fast,
# and deterministic like the rest: drawing whole structures cost most of a test's time).
_PIECES = ("[", "]", "{", "}", '"', "\\", '"[', ']"', '"\\"', '"\\\\"', ",", ":", '"a":',
           "1", "null", "true", " ", "\n", "[[[[", "]]]]", '{"k":', "\\u005b", "-", "1e999",
           "NaN", "\ud800", "\\ud800", "\u202e", "x")  # fmt: skip
_OPEN_CLOSE = (("[", "]"), ('{"a":', "}"), ('{"message": [', "]}"), ('[{"b":', "}]"))
_CORES = ('"]]]"', '"\\"[["', "1", "null", '"x"', "[]", "{}", "", '"\\u005b["')


def _value(rng: random.Random, depth: int) -> object:
    roll = rng.random()
    if depth <= 0 or roll < 0.4:
        return rng.choice([None, True, False, rng.randint(-(10**20), 10**20), rng.random(),
                           "".join(rng.choices(_PIECES, k=rng.randint(0, 4)))])  # fmt: skip
    if roll < 0.7:
        return [_value(rng, depth - 1) for _ in range(rng.randint(0, 3))]
    keys = ("kind", "value", "step", "lang", "flow", "band", "preview", "[", "")
    return {rng.choice(keys): _value(rng, depth - 1) for _ in range(rng.randint(0, 4))}


def json_case(seed: int) -> str:
    """One JSON text from `seed`: deeply nested, noise, or a valid value."""
    rng = random.Random(seed)
    kind = rng.randrange(3)
    if kind == 0:
        depth = rng.choice([rng.randint(1, 12), rng.randint(13, 40), rng.randint(41, 5000)])
        opener, closer = rng.choice(_OPEN_CLOSE)
        closing = rng.choice([depth, depth, depth - 1, 0])
        text = opener * depth + rng.choice(_CORES) + closer * closing
        return rng.choice(["", '{"kind": "text", "value": ']) + text
    if kind == 1:
        return "".join(rng.choices(_PIECES, k=rng.randint(0, 80)))
    return json.dumps(_value(rng, rng.randint(0, 10)), ensure_ascii=rng.random() < 0.5)


json_texts = st.builds(json_case, st.integers(0, 2**64 - 1))
