"""The catalogs checked the way the flows are: each problem as a `Problem` with the
catalog's file and line, so `safevoice flows validate` reports a broken translation
before a young person meets it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from bot.flows.problems import Problem
from bot.i18n import catalogs

_LINE = re.compile(r":(\d+):")
_AT = re.compile(r"^line (\d+) ")


def catalog_problems(locales: Path, languages: Iterable[str]) -> Iterator[Problem]:
    """Errors for catalogs that cannot be read or whose translations would break a
    message ({placeholders}, /commands, plural forms); a missing catalog is a warning."""
    for lang in languages:
        path = catalogs.po_path(locales, lang)
        shown = str(path)
        if not path.exists():
            yield Problem(
                shown,
                1,
                1,
                f"there is no {lang} catalog yet.",
                "Run `safevoice i18n update` to make it, then translate it.",
                "warning",
                "no catalog",
                lang,
            )
            continue
        try:
            catalog = catalogs.read(path, lang)
        except catalogs.CatalogError as exc:
            line = _LINE.search(str(exc).removeprefix(shown))
            reason = str(exc).removeprefix(shown).lstrip(":0123456789 ")
            yield Problem(
                shown,
                int(line.group(1)) if line else 1,
                1,
                reason,
                "",
                "error",
                "broken catalog",
                lang,
            )
            continue
        for problem in catalogs.problems(catalog):
            at = _AT.match(problem)
            yield Problem(
                shown,
                int(at.group(1)) if at else 1,
                1,
                problem[at.end() :] if at else problem,
                "Keep every {name} and /command of the English text, exactly as written.",
                "error",
                "broken translation",
                lang,
            )
