"""Right-to-left text: which languages, and keeping left-to-right pieces readable in them.

Inside Arabic text, a phone number like "116 111" is shown as "111 116" by the Unicode
bidi algorithm (the space between the digits takes the direction of the Arabic around
it), and a message that starts with "SafeVoice" or "/stop" can be laid out left to
right as a whole. Wrapping each left-to-right piece in FIRST STRONG ISOLATE ... POP
DIRECTIONAL ISOLATE keeps the piece intact and lets the Arabic decide the direction.
Channels that draw text themselves (Telegram, the web chat) call `isolate` when a
`Say` has `rtl=True`; the catalogs stay free of invisible characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FSI = "\u2068"  # FIRST STRONG ISOLATE
PDI = "\u2069"  # POP DIRECTIONAL ISOLATE
RTL_LANGUAGES = ("ar", "fa", "he", "ur", "ps", "ckb")

# A /command, or a run of Latin letters and digits that may hold spaces, dots, dashes
# or a leading + between them ("116 111", "+40 21 300", "SafeVoice", "e-mail").
_LTR = re.compile(
    r"/[A-Za-z_]+"
    r"|\+?[A-Za-z0-9](?:[A-Za-z0-9]|[ .\-](?=[A-Za-z0-9]))*"
)


def is_rtl(lang: str, rtl_languages: Iterable[str] = RTL_LANGUAGES) -> bool:
    """True for right-to-left languages; "ar-EG" counts as "ar"."""
    return lang.replace("_", "-").split("-")[0].lower() in tuple(rtl_languages)


def isolate(text: str, rtl: bool) -> str:
    """`text` with each left-to-right piece isolated when the text is right to left.

    Text that is not right to left comes back unchanged, and so does text that was
    already isolated (calling this twice is safe).
    """
    if not rtl or FSI in text or "\u2066" in text:  # FSI, or LRI from bot/i18n/numbers.py
        return text
    return _LTR.sub(lambda found: f"{FSI}{found.group(0)}{PDI}", text)


def strip_isolates(text: str) -> str:
    """`text` without isolate marks (FSI, LRI, PDI): for comparing, searching or lengths."""
    return text.replace(FSI, "").replace("\u2066", "").replace(PDI, "")


def visual_order(text: str) -> str:
    """Right-to-left `text` laid out for a terminal that draws characters left to right
    as they come (no bidi of its own): each line reordered by the Unicode bidi algorithm
    (python-bidi), numbers and /commands isolated first so they keep their order, and
    no invisible marks left. Readable, but not for copying: the characters are reversed."""
    from bidi import get_display  # only `safevoice chat --bidi visual` needs it

    out = []
    for line in text.split("\n"):
        shown = get_display(isolate(strip_isolates(line), True), base_dir="R")
        out.append(strip_isolates(shown).replace("\u2067", "").replace("\u2066", ""))
    return "\n".join(out)
