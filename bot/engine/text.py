"""Cleaning what a young person typed before any step looks at it."""

from __future__ import annotations

import re
import unicodedata

# C0/C1 controls (but tab and newline) and the bidi embedding/override/isolate marks,
# which can make text display differently from what it says.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\ufeff]")


def clean_input(text: str, max_chars: int) -> str:
    """NFC text without control or bidi-override characters, at most `max_chars` long."""
    text = unicodedata.normalize("NFC", text[: max_chars * 2])
    text = _UNSAFE.sub("", text)
    # Lone surrogates cannot be stored or sent; drop them rather than fail.
    text = text.encode("utf-8", "ignore").decode("utf-8")
    return text[:max_chars]
