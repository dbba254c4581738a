"""Tigrinya (Ge'ez script) folding: part of `normalise`, and of cutting a message into sentences.

Called by `normalise` (so phrases and messages fold alike) and by the detector before it
cuts a message into sentences (so ። ends one). It changes only Ge'ez characters, so it
runs on every text, whatever the chat's language.

- Letters Tigrinya writers use interchangeably, because they sound the same, are
  written as one: the ሠ series as ሰ, the ፀ series as ጸ ("ሠራሕ" and "ሰራሕ" are one word).
- Ge'ez punctuation is read as the marks the detector already knows: ። and ፧ end a
  sentence, ፣ ፤ ፥ ፦ are commas, and the word separator ፡ is a space.
"""

from __future__ import annotations

_SERIES = 8  # letters per Ge'ez series (seven vowel orders and the labialised form)
_SAME_SOUND = {0x1220: 0x1230, 0x1340: 0x1338}  # ሠ -> ሰ, ፀ -> ጸ (first letter of each series)
_PUNCTUATION = {
    "\u1362": ".",  # ። full stop
    "\u1367": "?",  # ፧ question mark
    "\u1363": ",",  # ፣ comma
    "\u1364": ",",  # ፤ semicolon
    "\u1365": ",",  # ፥ colon
    "\u1366": ",",  # ፦ preface colon
    "\u1361": " ",  # ፡ word space
}
TABLE: dict[int, str] = {ord(mark): plain for mark, plain in _PUNCTUATION.items()} | {
    start + i: chr(target + i) for start, target in _SAME_SOUND.items() for i in range(_SERIES)
}


def fold_geez(text: str) -> str:
    """`text` with same-sounding Ge'ez letters unified and Ge'ez punctuation made plain."""
    return text.translate(TABLE)
