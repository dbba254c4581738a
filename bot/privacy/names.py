"""Given and family names for the shipped languages (en, ro, ar), loaded lazily once.

The lists come from Faker's per-locale person providers (``faker.providers.person.<locale>``),
which ship inside the Faker wheel: nothing is downloaded at run time. Only those modules are
imported, never a ``Faker()`` generator.

Names are compared by a *key*: case-folded, without diacritics (so "Ioniță" and "Ionita" meet)
and, for Arabic, without short vowels and with the alef and teh marbuta variants folded.

Many names are also ordinary words ("Hope", "Will", Romanian "Floare", Arabic "أمل" = hope,
"سعيد" = happy). Those are *ambiguous*: the scrubber removes them only with more evidence
(a cue such as "my name is", a role word such as "worker", or a family name beside them).
Arabic has no capitals to tell a name from a word, so for Arabic the ambiguity is measured: an
adjective or noun is often written with the article (السعيد, الأمل), a personal name rarely
(المحمد), and wordfreq, already a dependency, gives both frequencies.
"""

from __future__ import annotations

import importlib
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from typing import Any

__all__ = ["NameData", "is_arabic", "key", "name_data"]

# Faker locales per shipped language: (module, attributes holding given names, family names).
_LOCALES: dict[str, tuple[str, ...]] = {
    "en": ("en_US", "en_GB", "en_IE"),
    "ro": ("ro_RO",),
    "ar": ("ar_AA", "ar_SA", "ar_PS", "ar_JO", "ar_EG", "ar_DZ"),
}
_GIVEN_ATTRS = ("first_names", "first_names_female", "first_names_male")
_FAMILY_ATTRS = ("last_names",)

# Names that are also ordinary English or Romanian words, capitalised at the start of a
# sentence or in a place name ("Hope House"). Chosen by reading the lists against the devset.
_AMBIGUOUS_LATIN = """
hope grace will mark faith joy rose may june april august summer autumn dawn bill guy art sue
holly amber angel crystal destiny diamond ebony hunter chase grant daisy hazel heather ivy jade
lance melody penny pearl ray robin sandy sky storm sunny misty frank pat page paige brook brooke
drew dean dale glen glenn miles gene iris flora lily rosemary olive violet basil rich mercedes
sierra mason cooper carter parker tanner baker taylor christian jesus jordan georgia sydney
austin victoria virginia houston dakota savannah india china paris florence carol harmony
charity patience honor honour star mercy noble king prince duke earl lord major justice trinity
rusty buck cash sterling royal reed cliff chance bishop marshal marshall carl ruby jack
jewel gay fern heath forest river rain snow winter mandy kelly bailey shelby hayley haley
randy sally rod don kit kay max
floare floarea speranta doina mioara luminita crin crina mugur mugurel narcis narcisa violeta
aurora dor draga sever maxim marin mina lia rada sanda sava toma stela venera atena bebe
lili ica nae rica relu iulie luna pop popa albu dobre preda ene barbu
"""
_AMBIGUOUS_ARABIC = """
أمل سعيد كريم جميل جميلة نور حسن عادل سالم صالح هدى عمر أمين امين نبيل رحيم لطيف لطيفة منير
صابر شريف فرح سلام سلمى وفاء رجاء صبري صبر حياة أمان امان ضحى سماح عزيز عزيزة هادي هادئ زين
يزيد يحيى تيسير رضا ثابت جدير جسور تاج ترف جلاء جليل فاضل كامل ماجد مجيد حليم حكيم رشيد
سليم سليمة شاكر صادق صافي طاهر ظريف عاقل فهيم قوي كبير مالك محمود مسعود منصور ناجح نجاح
نعيم هاني وسيم وديع وحيد ياسمين غالي غالية حنان إيمان ايمان بشرى بشير سعاد سعادة عفاف مريح
راضي راضية مبروك مختار مرتضى مصطفى معين ناصر نصر واثق شهم صفاء نقاء نجمة وردة زهرة ربيع
علي خير خيري فخر عز عزة نعمة نعمت مؤمن أنيس انيس أنيسة باسم باسمة بسمة ضياء ساهر سهر صباح مساء
"""

_AR_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
# Not "ى" to "ي": that would make the preposition "على" the name "علي".
_AR_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه"})
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
# An Arabic word that is written with the article this often (difference of zipf values)
# against its bare form is a word, not a personal name.
_ARTICLE_RATIO = -1.2


def is_arabic(token: str) -> bool:
    return bool(_ARABIC.search(token))


def key(token: str) -> str:
    """The form in which names are compared."""
    if is_arabic(token):
        return _AR_DIACRITICS.sub("", token).translate(_AR_FOLD)
    decomposed = unicodedata.normalize("NFKD", token.casefold())
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return folded.replace("ß", "ss").replace("’", "'")


@dataclass(frozen=True)
class NameData:
    given: frozenset[str] = field(default_factory=frozenset)
    family: frozenset[str] = field(default_factory=frozenset)
    ambiguous: frozenset[str] = field(default_factory=frozenset)

    def is_given(self, k: str) -> bool:
        return k in self.given

    def is_family(self, k: str) -> bool:
        return k in self.family

    def is_name(self, k: str) -> bool:
        return k in self.given or k in self.family

    def is_clear(self, k: str) -> bool:
        """A name that is not also an ordinary word."""
        return (k in self.given or k in self.family) and k not in self.ambiguous


_lock = threading.Lock()
_cache: list[NameData] = []


def name_data() -> NameData:
    """The lists, loaded on first use (Faker's modules and wordfreq's Arabic table)."""
    if _cache:
        return _cache[0]
    with _lock:
        if not _cache:
            _cache.append(_load())
    return _cache[0]


def _values(locale: str, attrs: tuple[str, ...]) -> set[str]:
    try:
        module: Any = importlib.import_module(f"faker.providers.person.{locale}")
    except ImportError:
        return set()
    found: set[str] = set()
    for attr in attrs:
        for value in getattr(module.Provider, attr, ()) or ():
            if isinstance(value, str):
                found.add(value)
    return found


def _split(names: set[str]) -> set[str]:
    """Keys of each name and of each part of a compound ("Ana-Maria", "تاج الدّين")."""
    keys: set[str] = set()
    for name in names:
        keys.add(key(name))
        for part in re.split(r"[\s\-]+", name):
            if len(part) > 1:
                keys.add(key(part))
    return keys


def _load() -> NameData:
    given: set[str] = set()
    family: set[str] = set()
    arabic: set[str] = set()
    for locales in _LOCALES.values():
        for locale in locales:
            first, last = _values(locale, _GIVEN_ATTRS), _values(locale, _FAMILY_ATTRS)
            given |= _split(first)
            family |= _split(last)
            arabic |= {n for n in first | last if is_arabic(n) and " " not in n}
    # One-letter keys and Arabic particles are never names on their own.
    for particle in ("ال", "ابو", "ام", "بن", "بنت", "عبد", "الدين", "ابن"):
        given.discard(particle)
        family.discard(particle)
    given = {k for k in given if len(k) > 1}
    family = {k for k in family if len(k) > 1}
    ambiguous = {key(w) for w in (_AMBIGUOUS_LATIN + _AMBIGUOUS_ARABIC).split()}
    ambiguous |= _arabic_words(arabic)
    return NameData(frozenset(given), frozenset(family), frozenset(ambiguous))


def _arabic_words(names: set[str]) -> set[str]:
    """Keys of the Arabic names that are also common words (see the module's docstring)."""
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # pragma: no cover - wordfreq is a dependency
        return {key(n) for n in names}
    words = set()
    for name in names:
        plain = _AR_DIACRITICS.sub("", name)
        bare = zipf_frequency(plain, "ar")
        with_article = zipf_frequency("ال" + plain, "ar")
        if bare > 0 and with_article - bare > _ARTICLE_RATIO:
            words.add(key(name))
    return words
