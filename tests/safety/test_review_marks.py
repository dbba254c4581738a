"""Every phrase file not written by native speakers says so at its top."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.safety.lexicon import DEFAULT_DIR

# Languages whose phrases await native and advisory review.
DRAFTED = (
    *("ro", "ar", "de", "nl", "sv", "nb", "it", "sq", "lv"),
    *("sr", "bs", "uk", "sw", "so", "ti", "fa", "pcm"),
)


@pytest.mark.parametrize(
    "path",
    sorted(p for p in DEFAULT_DIR.glob("*.txt") if p.name.split(".")[0] in DRAFTED),
    ids=lambda p: p.name,
)
def test_drafted_phrase_files_are_marked_for_native_review(path: Path) -> None:
    head = "\n".join(path.read_text(encoding="utf-8").splitlines()[:6]).lower()
    assert "review" in head
    assert "native" in head
