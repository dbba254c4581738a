"""Typed text: one normal form, no invisible tricks, digits read by their value.

`clean_text` keeps what a young person meant: letters, emoji (with their zero-width
joiners and variation selectors), tabs and new lines, and right-to-left text as typed.
It takes away what only changes how text is shown or stored: C0/C1 controls, the bidi
embedding, override and isolate marks, byte-order marks and lone surrogates.

It never shortens: a message over `[engine] max_input_chars` (counted after cleaning)
is refused by the engine with a sentence that says so, never cut without a word.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MAX_DIGITS", "clean_text", "digits_of", "number_of"]

# C0/C1 controls (but tab and newline), the bidi embedding/override/isolate marks, the
# left-to-right / right-to-left / Arabic letter marks, the deprecated format characters
# and the byte-order mark. Zero-width joiners stay: emoji and Persian words need them.
_UNSAFE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u206f\ufeff]"
)
_SURROGATES = re.compile(r"[\ud800-\udfff]")
# A number longer than this is not an answer anyone means (and int() refuses 4,300 digits).
MAX_DIGITS = 18


def clean_text(text: str) -> str:
    """NFC text without control, bidi-override or lone surrogate characters.

    Carriage returns become new lines (Windows pastes), so line breaks survive."""
    # Lone surrogates cannot be stored or sent, and NFC refuses none: drop them first.
    text = _SURROGATES.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _UNSAFE.sub("", unicodedata.normalize("NFC", text))


def digits_of(text: str) -> str | None:
    """`text` (spaces around it ignored) as ASCII digits, when every character is a
    decimal digit of some script: Arabic-Indic ٣, Persian ۳, Devanagari ३ and fullwidth ３
    are all 3. Superscripts (²), circled numbers (①) and Ethiopic numerals (፩) have no
    decimal value: they are not digits here, so the text is not a number (None)."""
    stripped = text.strip()
    if not stripped or len(stripped) > MAX_DIGITS:
        return None
    out = []
    for ch in stripped:
        value = unicodedata.decimal(ch, None)
        if value is None:
            return None
        out.append(chr(ord("0") + value))
    return "".join(out)


def number_of(text: str) -> int | None:
    """The whole number `text` spells (see `digits_of`), or None when it is not one."""
    digits = digits_of(text)
    return int(digits) if digits is not None else None
