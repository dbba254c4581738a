"""The first guess at a young person's language, from what their device says.

A browser's Accept-Language (its `navigator.languages`, in order) or Telegram's
`language_code` is only a first guess: the conversation opens in it and asks the young
person to choose their language all the same (flows/common/start.yaml).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["browser_guess", "first_guess", "from_accept_language"]

# Codes devices send for a shipped language under another name.
_SAME = {"no": "nb", "nn": "nb", "sh": "sr", "hr": "bs", "prs": "fa", "ara": "ar"}


def from_accept_language(header: str | None) -> list[str]:
    """The header's languages, most wanted first ("ro-RO,ro;q=0.9,en;q=0.5")."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, index, tag))
    return [tag for _, _, tag in sorted(ranked)]


def first_guess(preferred: Iterable[str | None], shipped: Sequence[str], source: str) -> str:
    """The first shipped language among `preferred` ("sr-Latn-RS" counts as "sr"),
    else the source language."""
    for tag in preferred:
        if not tag:
            continue
        code = tag.replace("_", "-").split("-")[0].lower()
        for candidate in (tag.lower(), code, _SAME.get(code, "")):
            if candidate in shipped:
                return candidate
    return source


def browser_guess(browser: object, page: object, shipped: Sequence[str], source: str) -> str | None:
    """The web chat's first guess: the browser's `navigator.languages` ("it-IT,it,en",
    sent by the page with a turn), else the page's own language (its link's, or the
    Accept-Language guess); None when neither names a shipped language."""
    page_lang = page if isinstance(page, str) and page in shipped else None
    if isinstance(browser, str) and browser:
        found = first_guess([*from_accept_language(browser), page_lang], shipped, "")
        return found or page_lang
    return page_lang
