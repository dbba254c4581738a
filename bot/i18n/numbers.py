"""Numbers in a sentence, written the way the chat's language writes them."""

from __future__ import annotations

from babel.core import UnknownLocaleError
from babel.numbers import format_decimal

__all__ = ["format_count"]


def format_count(n: int, lang: str) -> str:
    """`n` with the language's grouping: 2,000 in English, 2.000 in Romanian."""
    try:
        return str(format_decimal(n, locale=lang))
    except (UnknownLocaleError, ValueError):
        return f"{n:,}"
