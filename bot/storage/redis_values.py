"""Small conversions every Redis store needs: TTLs in milliseconds, replies as text."""

from __future__ import annotations

from typing import Any

__all__ = ["ms", "text"]


def ms(seconds: float) -> int:
    """A TTL in whole milliseconds, never 0 (PX 0 is an error; a TTL must not vanish)."""
    return max(1, round(seconds * 1000))


def text(raw: Any) -> str:
    """A Redis reply as str, whether the client decodes responses or not."""
    return raw.decode() if isinstance(raw, bytes) else str(raw)
