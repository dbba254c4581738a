"""Plural forms and scripts of the catalogs drafted for the programmes' languages.

A catalog's Plural-Forms must pick, for every whole number, the form of the CLDR plural
category Babel holds for the language (Babel's own gettext table lacks ti and pcm and
gives fa a single form). Serbian is written in Latin letters, the script young people
type; Tigrinya in Ge'ez; Persian in Persian letters, not the Arabic look-alikes.
"""

from __future__ import annotations

import re

import pytest
from babel import Locale

from bot.i18n import catalogs
from bot.i18n.translator import read_catalog
from tests.i18n.conftest import ROOT

# The CLDR categories whole numbers fall into, in msgstr[0], msgstr[1], ... order.
FORMS = {
    "uk": ("one", "few", "many"),
    "sr": ("one", "few", "other"),
    "bs": ("one", "few", "other"),
    "fa": ("one", "other"),
    "sw": ("one", "other"),
    "so": ("one", "other"),
    "ti": ("one", "other"),
    "pcm": ("one", "other"),
}


def _strings(lang: str) -> list[str]:
    catalog = catalogs.read(catalogs.po_path(ROOT / "locales", lang), lang)
    found: list[str] = []
    for message in catalog:
        if message.id:
            found += message.string if isinstance(message.string, tuple) else [message.string]
    return found


@pytest.mark.parametrize("lang", sorted(FORMS))
def test_plural_forms_follow_cldr_for_every_whole_number(lang: str) -> None:
    path = catalogs.po_path(ROOT / "locales", lang)
    catalog = catalogs.read(path, lang)
    assert catalog.num_plurals == len(FORMS[lang])
    plural = [m for m in catalog if m.id and m.pluralizable]
    assert plural
    assert all(len(m.string) == len(FORMS[lang]) and all(m.string) for m in plural)
    rule = Locale.parse(lang).plural_form
    chosen = read_catalog(path, lang).plural
    assert [chosen(n) for n in range(1001)] == [FORMS[lang].index(rule(n)) for n in range(1001)]


def test_serbian_catalog_is_in_latin_script() -> None:
    strings = _strings("sr")
    assert not [s for s in strings if re.search(r"[\u0400-\u04FF]", s)]
    assert any(re.search(r"[čćšžđ]", s) for s in strings)


def test_tigrinya_catalog_is_in_geez_script() -> None:
    assert not [s for s in _strings("ti") if not re.search(r"[\u1200-\u137F]", s)]


def test_persian_catalog_uses_persian_letters_not_arabic_look_alikes() -> None:
    strings = _strings("fa")
    assert not [s for s in strings if re.search(r"[\u064A\u0643]", s)]  # Arabic ي ك
    assert all(re.search(r"[\u0600-\u06FF]", s) for s in strings)
    assert any(re.search(r"[پچژگ]", s) for s in strings)
