"""Remove contact details and identifying numbers from free text, in any script.

Young people type phone numbers, e-mails and @handles into feedback without thinking; a
feedback record must not carry them (DESIGN.md, privacy model). The scrubber errs towards
removing too much: a date or an amount may become ``[number]``, which is a fair price.

Order matters: links and e-mails go first (they contain digits and "@"), then handles, then
digit runs, so a later pass never sees half of an earlier match. Patterns use ``\\d`` and
``\\w``, which in Python match every script's digits and letters (Arabic-Indic, Persian,
Devanagari, full-width...), so "٠٧٢١٢٣٤٥٦٧" is caught like "0721234567".

Then the identity passes (bot/privacy/identity.py): configured place names, street
addresses, handles written without "@" ("insta: maria_p2010"), phone numbers written as
words, and personal names (lists from Faker, loaded once, on first use). They run after the
link, e-mail and @handle passes and before the digit pass, so "maria_p2010" goes whole and
"oh seven two one 234 567" is one phone number; names go last.

``scrub()`` uses a default ``Scrubber``; a deployment with school or place names to remove
builds its own ``Scrubber(extra_names=[...])``. ``Scrubber(identity=False)`` is the
contacts-only scrubber of before (kept for the benchmark, benchmarks/scrubbing.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from bot.privacy import identity

__all__ = ["DEFAULT_MAX_CHARS", "PLACEHOLDERS", "Scrubber", "scrub", "use_places"]

DEFAULT_MAX_CHARS = 2000
PLACEHOLDERS = (
    "[phone]",
    "[email]",
    "[handle]",
    "[link]",
    "[number]",
    "[name]",
    "[address]",
    "[place]",
)

# Invisible characters that can hide or reorder text: bidi embeddings/overrides/isolates,
# marks, zero-width spaces, BOM, tags, soft hyphen, lone surrogates (which also cannot be
# stored as UTF-8). ZWNJ/ZWJ (U+200C/D) stay: Persian words and emoji need them.
_INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufeff\ufff9-\ufffb\U000e0001\U000e0020-\U000e007f\ud800-\udfff]"
)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SPACES = re.compile(r"\s+")

_AT = "[@\uff20\ufe6b]"  # "@", full-width "＠", small "﹫"
_JOINERS = "[\u200c\u200d]*"  # ZWNJ/ZWJ slipped between characters must not hide a match

# Patterns start with a look-behind so a long token is scanned once, not once per position.
_SCHEME_URL = re.compile(r"(?<!\S)\S*://\S*")
_WWW = re.compile(r"(?i)\bwww\d{0,3}\.\S+")
_LOCAL = r"[\w.!#$%&'*+/=?^`{|}~\-]"
_EMAIL = re.compile(
    rf"(?<!{_LOCAL}){_LOCAL}+{_JOINERS}{_AT}{_JOINERS}[\w\-]+(?:\.[\w\-]+)+",
)
# Top-level domains that are not also common words, so "ok.si" or "sad.my" (a missing space)
# stay as typed; any other domain is caught when a path follows ("t.me/ana", "wa.me/4072...").
_TLDS_BARE = (
    "com|net|org|info|biz|io|ly|gl|gg|dev|xyz|tk|ml|ga|cf|ro|md|ru|ua|eu|uk|fr|nl|pl|cz|sk|hu"
    "|bg|gr|rs|ba|hr|mk|tr|au|pk|bd|ir|iq|ae|qa|kw|bh|ye|jo|lb|sy|ps|eg|tn|dz|sd|ng|gh|ke|za"
    "|af|vn|cn|br|mx|ws|cc"
)
_TLDS = _TLDS_BARE + (
    "|co|me|to|app|ai|tv|at|be|it|in|my|id|so|us|ca|ma|de|al|si|om|sa|es|et|ar|by|ph|th|ch"
    "|online|site|link|page|live|top|click|club|shop|store|chat|social"
)
# "ana at gmail dot com", "ana [at] gmail (dot) com", "ana(at)gmail.com". Spaces are allowed
# only around the spelled-out words, so "we met at school. Then" stays as it is.
_AT_WORD = r"(?:\s*[\[({]at[\])}]\s*|\sat\s)"
_DOT_WORD = r"(?:\s*[\[({]dot[\])}]\s*|\sdot\s|\.)"
_OBFUSCATED_EMAIL = re.compile(
    rf"(?i)(?<![\w.+\-])[\w.+\-]+{_AT_WORD}[\w\-]+(?:{_DOT_WORD}[\w\-]+)*"
    rf"{_DOT_WORD}(?:{_TLDS})\b"
)
# Bare domains: an unambiguous top-level domain, or anything that looks like host/path.
_DOMAIN = re.compile(
    rf"(?i)(?<![\w\-.])[\w\-]+(?:\.[\w\-]+)*\.(?:{_TLDS_BARE})\b(?:[/?#]\S*)?"
    r"|(?<![\w\-.])[\w\-]+(?:\.[\w\-]+)*\.[a-z]{2,24}/\S*"
)
_HANDLE = re.compile(rf"{_AT}{_JOINERS}\w[\w.]*")
# IBANs and similar: two letters, two digits, then groups of letters and digits.
# Upper case only, so the words typed after an IBAN are not swallowed with it.
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?\d{1,3})?\b")
# A run of digits with at most three separators between any two of them: spaces, dots,
# dashes, slashes, brackets, Arabic number separators, joiners. Not commas: "ages 12, 13, 14"
# is not an id. The classes are disjoint from \d, so matching stays linear.
_SEP = "[ .\u00b7\\-\u2010-\u2015/()\u066b\u066c\u200c\u200d]"
_DIGITS = re.compile(rf"[+\uff0b]?\(?\d(?:{_SEP}{{0,3}}\d)*")
_LEADING = "([{<'\"«“‘"
_TRAILING = ".,;:!?)]}'\"»”’…"
_PARTIAL_PLACEHOLDER = re.compile(r"\s*\[[a-z]*$")

_MIN_NUMBER_DIGITS = 6
_PHONE_DIGITS = range(7, 16)  # E.164 numbers have at most 15 digits


class Scrubber:
    """A scrubber with its own extra names (schools, shelters, towns: ``[place]``).

    ``identity=False`` keeps only the contact passes (links, e-mails, @handles, numbers).
    """

    def __init__(self, extra_names: Iterable[str] = (), *, identity: bool = True) -> None:
        self.identity = identity
        self._places = _places_pattern(extra_names)

    def __call__(self, text: str, max_chars: int = DEFAULT_MAX_CHARS) -> str:
        """Return ``text`` normalised, without contact details, long numbers, names,
        addresses or configured places, at most ``max_chars`` long. Never raises: on a
        failure it returns a placeholder, not the input.
        """
        if max_chars <= 0:
            return ""
        try:
            return _scrub(str(text), max_chars, self)
        except Exception:  # defence in depth: better to lose a comment than to leak one
            return "[removed]"[:max_chars]


def _places_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    return identity.compile_places(n for n in names if isinstance(n, str) and n.strip())


_DEFAULT = Scrubber()


def scrub(text: str, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """``text`` scrubbed by the default ``Scrubber``; see ``Scrubber`` and ``use_places``."""
    return _DEFAULT(text, max_chars)


def warm() -> None:
    """Load what a first scrub would (the name lists and word frequencies, seconds of
    work): a serving process does it at start-up, not inside a young person's first text."""
    _DEFAULT("Ana Popescu, Strada Florilor 5. اسمي أحمد")


def use_places(names: Iterable[str]) -> None:
    """Make ``scrub()`` remove these places too (the deployment's schools, shelters, towns):
    ``build_runtime`` calls it with ``[privacy] places`` of config.toml, so every write of
    free text in the process, engine and store alike, uses the same list."""
    _DEFAULT._places = _places_pattern(names)


def _scrub(text: str, max_chars: int, scrubber: Scrubber = _DEFAULT) -> str:
    # Bound the work on huge inputs; cut at a space so no half token survives.
    window = max_chars * 4 + 256
    if len(text) > window:
        text = text[:window]
        cut = text.rfind(" ", window - 256)
        text = text[:cut] if cut > 0 else text
    text = _normalise(text)
    text = _SCHEME_URL.sub(_replace_link, text)
    text = _EMAIL.sub("[email]", text)
    text = _OBFUSCATED_EMAIL.sub("[email]", text)
    text = _WWW.sub(_replace_link, text)
    text = _DOMAIN.sub(_replace_link, text)
    text = _HANDLE.sub("[handle]", text)
    if scrubber.identity:
        text = identity.scrub_places(text, scrubber._places)
        text = identity.scrub_addresses(text)
        text = identity.scrub_handles(text)
        text = identity.scrub_number_words(text)
    text = _IBAN.sub(_replace_iban, text)
    text = _DIGITS.sub(_replace_digits, text)
    if scrubber.identity:
        text = identity.scrub_names(text)
    if len(text) > max_chars:
        text = _PARTIAL_PLACEHOLDER.sub("", text[:max_chars]).rstrip()
    return text


def _normalise(text: str) -> str:
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    text = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", text).strip()


def _count_digits(text: str) -> int:
    return sum(1 for ch in text if ch.isdecimal())


def _replace_link(match: re.Match[str]) -> str:
    # Keep the sentence's punctuation: "see (t.me/ana), ok" -> "see ([link]), ok".
    found = match.group()
    core = found.lstrip(_LEADING)
    lead = found[: len(found) - len(core)]
    kept = core.rstrip(_TRAILING)
    return lead + "[link]" + core[len(kept) :]


def _replace_iban(match: re.Match[str]) -> str:
    found = match.group()
    return "[number]" if _count_digits(found) >= 8 else found


def _replace_digits(match: re.Match[str]) -> str:
    found = match.group()
    digits = [ch for ch in found if ch.isdecimal()]
    if len(digits) < _MIN_NUMBER_DIGITS:
        return found
    looks_dialled = found[0] in "+\uff0b(" or unicodedata.decimal(digits[0], 1) == 0
    if looks_dialled and len(digits) in _PHONE_DIGITS:
        return "[phone]"
    return "[number]"
