"""Numbers in a sentence, written the way the chat's language writes them."""

from __future__ import annotations

from babel.core import UnknownLocaleError
from babel.numbers import format_decimal

__all__ = ["LRI", "PDI", "format_count", "number_in_text"]

LRI = "\u2066"  # LEFT-TO-RIGHT ISOLATE: a number is always read left to right
PDI = "\u2069"  # POP DIRECTIONAL ISOLATE


def format_count(n: int, lang: str) -> str:
    """`n` with the language's grouping: 2,000 in English, 2.000 in Romanian."""
    try:
        return str(format_decimal(n, locale=lang))
    except (UnknownLocaleError, ValueError):
        return f"{n:,}"


def number_in_text(number: str, rtl: bool) -> str:
    """A phone number as it goes into a sentence: isolated left to right in right-to-left
    text, so "116 111" is not drawn "111 116" (the space between the digit groups takes
    the direction of the Arabic around it); unchanged in left-to-right text. Every
    helpline number shown to a young person goes through here."""
    if not rtl or number.startswith(LRI):
        return number
    return f"{LRI}{number.strip()}{PDI}"
