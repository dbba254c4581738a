"""Which language detector guesses short texts best, among the 18 languages (not a test).

    pip download --no-deps django==5.2.19 -d /tmp/dl     # translation catalogs, read only
    .venv/bin/python benchmarks/language_detection.py --django-wheel /tmp/dl/django-*.whl
        [--split test|dev|all] [--per-cell 120] [--only NAME] [--errors LANG]
        [--langid-path DIR]    # a folder holding py3langid and numpy (pip install --target)
    .venv/bin/python benchmarks/language_detection.py --load   # start-up time and memory

The corpus, built on every run from material installed with pip, never from the project:
- Django's translation catalogs (msgstr of django/conf/locale and contrib, placeholders
  and markup removed): UI sentences of every length in 15 of the 18 languages;
- CLDR through Babel: names of days, months, quarters, languages and countries, in all 18;
- wordfreq's frequent words (4+ letters, where wordfreq has the language);
- benchmarks/data/language_detection_written.tsv for pcm, so and ti, which packages barely
  cover (see its header).
A text found in two languages is dropped: it has no right answer. Every text is put in
"dev" or "test" by a hash of it (1 in 5 dev); the rules in bot/i18n/close_languages.py
were tuned on dev only, and the figures to judge are test's. Printed: % right per
detector by length (1, 2-3, 4-6, 7+ words) and per language, overall (mean over texts,
at most --per-cell per language and length), and how long a guess takes.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import random
import re
import subprocess
import sys
import time
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from babel import Locale
from babel.messages.pofile import read_po

from bot.config import load_config
from bot.i18n.detect import LanguageDetector, lingua_language

# The shipped languages, in config.toml's order (the Serbian/Bosnian tie goes to the first).
LANGS = load_config(Path(__file__).resolve().parents[1] / "config.toml")[0].languages.shipped
DJANGO = {"sr": "sr_Latn"}  # Django's folder for a code, where it differs
CLDR = {"sr": "sr_Latn"}
BUCKETS = ("1", "2-3", "4-6", "7+")
WRITTEN = Path(__file__).parent / "data" / "language_detection_written.tsv"
TERRITORIES = tuple(
    [
        "IT",
        "DE",
        "RS",
        "RO",
        "NG",
        "SE",
        "NL",
        "KE",
        "TZ",
        "UG",
        "AT",
        "NO",
        "BA",
        "LV",
        "AL",
        "GB",
        "US",
        "FR",
        "ES",
        "GR",
        "TR",
        "EG",
        "ER",
        "ET",
        "SO",
        "AF",
        "IR",
        "UA",
        "SY",
        "IQ",
        "CN",
        "JP",
        "IN",
        "BR",
        "CA",
        "AU",
        "ZA",
        "MA",
        "CH",
        "BE",
        "PL",
        "HU",
        "HR",
        "ME",
        "MK",
    ]
)
_CLEAN = re.compile(
    r"%(?:\([^)]*\))?[-+ #0]*\d*(?:\.\d+)?[sdfi]|\{[^}]*\}|<[^>]+>|&[a-z]+;|\\n|[\"“”„«»]"
)
_WORDS = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def bucket(text: str) -> str:
    n = len(_WORDS.findall(text))
    return "1" if n <= 1 else "2-3" if n <= 3 else "4-6" if n <= 6 else "7+"


def django_texts(wheel: Path) -> Iterator[tuple[str, str]]:
    with zipfile.ZipFile(wheel) as zf:
        for name in zf.namelist():
            if not name.endswith("LC_MESSAGES/django.po"):
                continue
            folder = name.split("/locale/")[1].split("/")[0]
            for lang in LANGS:
                if folder == DJANGO.get(lang, lang) or (lang == "en" and folder == "de"):
                    with zf.open(name) as fh, contextlib.redirect_stdout(io.StringIO()):
                        catalog = read_po(fh)  # quiet: Babel prints notes on plural forms
                    for message in catalog:
                        if not message.id or message.fuzzy:
                            continue
                        ids = message.id if isinstance(message.id, tuple) else (message.id,)
                        strs = message.string if isinstance(message.string, tuple) else (
                            message.string,)  # fmt: skip
                        for text in ids if lang == "en" else strs:
                            yield lang, text


def cldr_texts() -> Iterator[tuple[str, str]]:
    for lang in LANGS:
        loc = Locale.parse(CLDR.get(lang, lang))
        yield from ((lang, v) for v in loc.days["format"]["wide"].values())
        yield from ((lang, v) for v in loc.months["format"]["wide"].values())
        yield from ((lang, v) for v in loc.quarters["format"]["wide"].values())
        yield from ((lang, loc.languages[c]) for c in LANGS if c in loc.languages)
        yield from ((lang, loc.territories[c]) for c in TERRITORIES if c in loc.territories)


def wordfreq_texts() -> Iterator[tuple[str, str]]:
    from wordfreq import available_languages, top_n_list

    have = set(available_languages())
    for lang in LANGS:
        if lang in have:  # not sr/bs: wordfreq answers both with one Serbo-Croatian list
            words = [w for w in top_n_list(lang, 1500) if len(w) >= 4 and w.isalpha()]
            yield from ((lang, w) for w in words[:300])


def written_texts() -> Iterator[tuple[str, str, str]]:
    for line in WRITTEN.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            lang, split, text = line.split("\t")
            yield lang, text, split


def split_of(text: str) -> str:
    digest = hashlib.sha1(text.encode(), usedforsecurity=False).digest()  # a split, not a secret
    return "dev" if digest[0] % 5 == 0 else "test"


def corpus(wheel: Path | None, per_cell: int) -> list[tuple[str, str, str, str]]:
    """(lang, bucket, split, text), at most `per_cell` per language, length and split."""
    seen: dict[str, set[str]] = defaultdict(set)
    fixed: dict[str, str] = {}
    sources = [cldr_texts(), wordfreq_texts()] + ([django_texts(wheel)] if wheel else [])
    for source in sources:
        for lang, raw in source:
            text = " ".join(_CLEAN.sub(" ", raw).split()).strip(" :.,;")
            if len(re.findall(r"[^\W\d_]", text)) >= 3 and len(text) <= 200:
                seen[text.lower()].add(lang)
    for lang, raw, split in written_texts():
        seen[raw.lower()].add(lang)
        fixed[raw.lower()] = split
    cells: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for key, langs in sorted(seen.items()):
        if len(langs) == 1:
            (lang,) = langs
            split = fixed.get(key) or split_of(key)
            cells[lang, bucket(key), split].append(key)
    rows = []
    rng = random.Random(13)
    for (lang, size, split), texts in sorted(cells.items()):
        picked = texts if len(texts) <= per_cell else rng.sample(texts, per_cell)
        rows += [(lang, size, split, text) for text in picked]
    return rows


def detectors(langid_path: str | None) -> dict[str, Callable[[str], str | None]]:
    from langdetect import DetectorFactory, LangDetectException, detect_langs
    from lingua import LanguageDetectorBuilder

    DetectorFactory.seed = 0
    to_ours = {"no": "nb", "hr": "sr"}

    def langdetect_restricted(text: str) -> str | None:
        try:
            guesses = detect_langs(text)
        except LangDetectException:
            return None
        for guess in guesses:
            lang = to_ours.get(guess.lang, guess.lang)
            if lang in LANGS:
                return lang
        return None

    supported = [lang for code in LANGS if (lang := lingua_language(code))]
    plain = LanguageDetectorBuilder.from_languages(*supported).build()

    def lingua_restricted(text: str) -> str | None:
        found = plain.detect_language_of(text)
        return found.iso_code_639_1.name.lower() if found else None

    found: dict[str, Callable[[str], str | None]] = {
        "langdetect": langdetect_restricted,
        "lingua": lingua_restricted,
        "chosen (letters+lingua+rules)": LanguageDetector(LANGS).detect,
        "letters+lingua low accuracy+rules": LanguageDetector(LANGS, low_accuracy=True).detect,
        "letters+lingua Latin-only+rules": LanguageDetector(LANGS, latin_only=True).detect,
    }
    if langid_path:
        sys.path.insert(0, langid_path)
        import py3langid

        ours = [c for c in LANGS if c not in ("ti", "so", "pcm", "nb")] + ["hr", "no"]
        py3langid.set_languages(ours)

        def langid(text: str) -> str | None:
            lang = str(py3langid.classify(text)[0])
            return to_ours.get(lang, lang)

        found["py3langid"] = langid
    return found


_LOAD = {
    "langdetect": (
        "from langdetect import DetectorFactory, detect_langs; DetectorFactory.seed = 0; "
        "detect_langs('Ich möchte mit jemandem reden')"
    ),
    "chosen (letters+lingua+rules)": (
        "from bot.i18n.detect import LanguageDetector; "
        f"d = LanguageDetector({LANGS!r}); d.warm(); d.detect('Ich möchte mit jemandem reden')"
    ),
    "letters+lingua low accuracy+rules": (
        "from bot.i18n.detect import LanguageDetector; "
        f"d = LanguageDetector({LANGS!r}, low_accuracy=True); d.warm(); d.detect('Hallo du')"
    ),
    "letters+lingua Latin-only+rules": (
        "from bot.i18n.detect import LanguageDetector; "
        f"d = LanguageDetector({LANGS!r}, latin_only=True); d.warm(); d.detect('Hallo du')"
    ),
}


ROOT = str(Path(__file__).resolve().parents[1])


def load_costs() -> None:
    """Start-up time and peak memory of each detector for all 18 languages, each in a
    fresh process (so one's models do not count for another)."""
    print("| detector | load and first guess | peak memory of the process |")
    print("| --- | ---: | ---: |")
    for name, code in _LOAD.items():
        program = (
            f"import resource, sys, time; sys.path.insert(0, {ROOT!r}); "
            "t = time.perf_counter(); "
            f"{code}; print(time.perf_counter() - t, "
            "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
        )
        out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                             check=True).stdout.split()  # fmt: skip
        print(f"| {name} | {float(out[0]):.1f} s | {int(out[1]) // 1024} MB |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--django-wheel", type=Path)
    parser.add_argument("--langid-path")
    parser.add_argument("--split", default="test", choices=("test", "dev", "all"))
    parser.add_argument("--per-cell", type=int, default=120)
    parser.add_argument("--only")
    parser.add_argument("--errors", help="print the chosen detector's misses for LANG")
    parser.add_argument("--load", action="store_true", help="only start-up time and memory")
    args = parser.parse_args()
    if args.load:
        load_costs()
        return
    rows = [r for r in corpus(args.django_wheel, args.per_cell) if args.split in ("all", r[2])]
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for lang, size, _, _ in rows:
        counts[lang, size] += 1
    print(f"{len(rows)} texts ({args.split}); per language x length:")
    for lang in LANGS:
        print(f"  {lang:4}", " ".join(f"{size}:{counts[lang, size]:>4}" for size in BUCKETS))
    for name, detect in detectors(args.langid_path).items():
        if args.only and args.only not in name:
            continue
        right: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        start = time.perf_counter()
        for lang, size, _, text in rows:
            guess = detect(text)
            for key in ((lang, size), (lang, "*"), ("*", size), ("*", "*")):
                right[key][0] += guess == lang
                right[key][1] += 1
            if args.errors == lang and guess != lang and name.startswith("chosen"):
                print(f"    miss {lang} -> {guess}: {text}")
        took = (time.perf_counter() - start) / max(len(rows), 1) * 1e6
        long = [right["*", "4-6"][i] + right["*", "7+"][i] for i in (0, 1)]
        print(f"\n## {name}: overall {pct(right['*', '*'])}, 4+ words {pct(long)}, "
              f"{took:.0f} µs a text")  # fmt: skip
        print("| lang | " + " | ".join(BUCKETS) + " | all |")
        print("| --- |" + " ---: |" * (len(BUCKETS) + 1))
        for lang in (*LANGS, "*"):
            cells = [pct(right[lang, size]) for size in (*BUCKETS, "*")]
            print(f"| {lang} | " + " | ".join(cells) + " |")


def pct(cell: list[int]) -> str:
    return f"{100 * cell[0] / cell[1]:.1f}" if cell[1] else "–"


if __name__ == "__main__":
    main()
