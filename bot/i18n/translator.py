"""Looking up translations: flow texts by context, the engine's own sentences, plurals.

Catalogs are read from `locales/<lang>/LC_MESSAGES/safevoice.po` once at start-up;
lookups are pure dictionary reads. A missing translation falls back to the source
text and is logged once (without any message text from a young person).
"""

from __future__ import annotations

import gettext
import logging
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.pofile import read_po

DOMAIN = "safevoice"
SYSTEM = "system"
log = logging.getLogger(__name__)

Key = tuple[str | None, str]


class _Formatter(string.Formatter):
    """`str.format` that leaves unknown {names} alone instead of failing."""

    def get_value(self, key: int | str, args: object, kwargs: dict[str, object]) -> object:  # type: ignore[override]
        return kwargs.get(str(key), "{" + str(key) + "}")


_FORMAT = _Formatter()


@dataclass
class Catalog:
    language: str
    messages: dict[Key, str | tuple[str, ...]] = field(default_factory=dict)
    plural: Callable[[int], int] = field(default=lambda n: int(n != 1))
    fuzzy: bool = False


@dataclass
class Translator:
    source: str = "en"
    catalogs: dict[str, Catalog] = field(default_factory=dict)
    missing: set[tuple[str, str | None, str]] = field(default_factory=set)

    @classmethod
    def load(cls, locales: Path, languages: Iterable[str], source: str = "en") -> Translator:
        translator = cls(source=source)
        for lang in languages:
            if lang == source:
                continue
            path = locales / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
            if path.exists():
                translator.catalogs[lang] = read_catalog(path, lang)
        return translator

    def _lookup(self, lang: str, context: str | None, msgid: str) -> str | tuple[str, ...] | None:
        if lang == self.source:
            return None
        catalog = self.catalogs.get(lang)
        found = catalog.messages.get((context, msgid)) if catalog else None
        if not found and (lang, context, msgid) not in self.missing:
            self.missing.add((lang, context, msgid))
            log.warning("missing %s translation for %s", lang, context or "(no context)")
        return found or None

    def gettext(self, lang: str, context: str | None, msgid: str) -> str:
        found = self._lookup(lang, context, msgid)
        return found if isinstance(found, str) else msgid

    def ngettext(self, lang: str, context: str | None, singular: str, plural: str, n: int) -> str:
        found = self._lookup(lang, context, singular)
        catalog = self.catalogs.get(lang)
        if isinstance(found, tuple) and catalog:
            index = catalog.plural(n)
            if 0 <= index < len(found) and found[index]:
                return found[index]
        return singular if n == 1 else plural

    def system(self, lang: str, text: str, **values: object) -> str:
        """One of the engine's own sentences (context "system"), with {names} filled in."""
        return _FORMAT.vformat(self.gettext(lang, SYSTEM, text), (), values)

    def system_plural(self, lang: str, singular: str, plural: str, n: int, **values: object) -> str:
        text = self.ngettext(lang, SYSTEM, singular, plural, n)
        return _FORMAT.vformat(text, (), {"n": n, **values})


def read_catalog(path: Path, lang: str) -> Catalog:
    with path.open("rb") as handle:
        po = read_po(handle, locale=lang, domain=DOMAIN)
    catalog = Catalog(language=lang, plural=gettext.c2py(po.plural_expr), fuzzy=po.fuzzy)
    for message in po:
        if not message.id or message.fuzzy:
            continue
        msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
        if isinstance(message.string, (list, tuple)):
            if any(message.string):
                catalog.messages[(message.context, msgid)] = tuple(message.string)
        elif message.string:
            catalog.messages[(message.context, msgid)] = message.string
    return catalog
