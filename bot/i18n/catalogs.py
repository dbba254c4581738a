"""The catalog files: write the template, merge it into each language, compile, count.

Layout: `locales/safevoice.pot` (the template) and
`locales/<lang>/LC_MESSAGES/safevoice.po` / `.mo` for every shipped language but the
source. Every shipped catalog carries an `X-Review-Status` header: we draft the
translations ourselves, and a language is only ready once a native speaker, with
input from a survivor advisory group, has reviewed it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from babel.core import UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po, write_po

from bot.errors import SafeVoiceError
from bot.i18n.translator import DOMAIN

REVIEW_HEADER = "X-Review-Status"
DRAFTED = "machine-drafted, needs native review"
# GNU gettext's own forms (the ones Weblate and Poedit show translators), written
# explicitly so the order of msgstr[i] never depends on a library's table.
PLURAL_FORMS = {
    "ro": "nplurals=3; plural=(n==1 ? 0 : (n==0 || (n%100 > 0 && n%100 < 20)) ? 1 : 2);",
    "ar": (
        "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "
        "n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);"
    ),
}
_PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
_COMMAND = re.compile(r"(?<![\w/])/[a-z]+\b")
_PO_LINE = re.compile(
    r'^(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?"(?:[^"\\]|\\.)*"$'
)
_HEADER_LINE = re.compile(r'^"([A-Za-z-]+): (.*)\\n"$', re.MULTILINE)


class CatalogError(SafeVoiceError):
    """A catalog file cannot be read or holds a translation that would break a message."""


def template_path(locales: Path) -> Path:
    return locales / f"{DOMAIN}.pot"


def po_path(locales: Path, lang: str) -> Path:
    return locales / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def header_comment(lang: str) -> str:
    return (
        f"# SafeVoice translations ({lang}).\n"
        "# NEEDS NATIVE-SPEAKER REVIEW: these translations were drafted by the SafeVoice\n"
        "# team, not by a native speaker. Before young people see them, a native speaker\n"
        "# must review every message with input from a survivor advisory group, then set\n"
        f"# {REVIEW_HEADER} to 'reviewed by <who>, <date>'.\n"
        "# Keep {placeholders}, /commands, numbers and emoji exactly as they are."
    )


def read(path: Path, lang: str | None = None) -> Catalog:
    """A .po/.pot file, or a CatalogError that names the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        msg = f"{path}: cannot be read ({exc.strerror})."
        raise CatalogError(msg) from None
    except UnicodeDecodeError:
        msg = f"{path}: this catalog is not saved as UTF-8 text."
        raise CatalogError(msg) from None
    _check_lines(path, text)
    try:
        return read_po(text.splitlines(), locale=lang, domain=DOMAIN, abort_invalid=True)
    except (PoFileError, UnknownLocaleError, ValueError) as exc:
        msg = f"{path}: this catalog is broken ({exc}). Fix the line named, then try again."
        raise CatalogError(msg) from None


def _check_lines(path: Path, text: str) -> None:
    # Babel reads `msgstr Sari peste` (quotes lost in an editor) as "ari pest" without a
    # word; a translation that silently loses letters must stop the build instead.
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or _PO_LINE.match(stripped):
            continue
        msg = (
            f"{path}:{number}: this line is not valid in a catalog: {stripped[:60]!r}. "
            'Each text must be inside "double quotes".'
        )
        raise CatalogError(msg)


def headers(path: Path) -> dict[str, str]:
    """The header fields as written, including ones Babel does not keep (X-Review-Status)."""
    text = path.read_text(encoding="utf-8")
    head = text.split("\n\n", 1)[0]
    return dict(_HEADER_LINE.findall(head))


def write(catalog: Catalog, path: Path, extra: dict[str, str] | None = None) -> None:
    """Write `catalog`, adding `extra` header fields (Babel drops unknown ones on write)."""
    buffer = BytesIO()
    write_po(buffer, catalog, width=100, include_previous=True)
    text = buffer.getvalue().decode("utf-8")
    if extra:
        lines = "".join(f'"{name}: {value}\\n"\n' for name, value in extra.items())
        text = text.replace('"Generated-By:', lines + '"Generated-By:', 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def write_template(template: Catalog, locales: Path) -> Path:
    path = template_path(locales)
    write(template, path)
    return path


def update(template: Catalog, locales: Path, languages: Iterable[str]) -> list[Path]:
    """Merge the template into each language's catalog; translations are kept, texts that
    changed a little are marked fuzzy (a translator must look again), new ones are empty."""
    written = []
    for lang in languages:
        path = po_path(locales, lang)
        if path.exists():
            catalog = read(path, lang)
            extra = {REVIEW_HEADER: headers(path).get(REVIEW_HEADER, DRAFTED)}
        else:
            catalog = Catalog(locale=lang, domain=DOMAIN, project=template.project, fuzzy=False)
            extra = {REVIEW_HEADER: DRAFTED}
        catalog.update(template)
        catalog.header_comment = header_comment(lang)
        catalog.fuzzy = False
        catalog.version = template.version
        if "EMAIL@ADDRESS" in catalog.last_translator:
            catalog.last_translator = "SafeVoice team (draft, not a native speaker)"
        if "LL@li.org" in catalog.language_team:
            catalog.language_team = f"{lang}: native-speaker reviewers wanted"
        if lang in PLURAL_FORMS:
            catalog.mime_headers = [("Plural-Forms", PLURAL_FORMS[lang])]
        write(catalog, path, extra)
        written.append(path)
    return written


def problems(catalog: Catalog) -> list[str]:
    """Translations that would break a message: Babel's checks, plus our {placeholders}
    and /commands, which must survive translation exactly."""
    found = []
    for message, errors in catalog.check():
        found += [f"{_name(message)}: {error}" for error in errors]
    for message in catalog:
        if not message.id or not message.string:
            continue
        sources = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
        strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        wanted = set(_PLACEHOLDER.findall(" ".join(sources)))
        commands = set(_COMMAND.findall(" ".join(sources)))
        for string in strings:
            if not string:
                continue
            placeholders = set(_PLACEHOLDER.findall(string))
            # Plural forms may leave out {n} ("one answer"), never add unknown names.
            if placeholders - wanted or (len(strings) == 1 and placeholders != wanted):
                found.append(f"{_name(message)}: the {{names}} differ from the source text")
            if commands - set(_COMMAND.findall(string)):
                found.append(f"{_name(message)}: a /command of the source text is missing")
    return found


def _name(message: Message) -> str:
    msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
    where = f"line {message.lineno}" if message.lineno else "?"
    return f"{where} [{message.context}] {msgid[:40]!r}"


def compile_catalogs(locales: Path, languages: Iterable[str]) -> list[Path]:
    """Write a .mo next to each .po. Nothing is written when any catalog has a problem."""
    ready: list[tuple[Catalog, Path]] = []
    errors: list[str] = []
    for lang in languages:
        path = po_path(locales, lang)
        if not path.exists():
            errors.append(f"{path}: missing. Run `safevoice i18n update` first.")
            continue
        catalog = read(path, lang)
        errors += [f"{path}: {problem}" for problem in problems(catalog)]
        ready.append((catalog, path.with_suffix(".mo")))
    if errors:
        msg = "the catalogs have problems, nothing was compiled:\n" + "\n".join(errors)
        raise CatalogError(msg)
    for catalog, target in ready:
        with target.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
    return [target for _, target in ready]


@dataclass(frozen=True)
class Status:
    lang: str
    translated: int
    fuzzy: int
    missing: int
    review: str

    @property
    def complete(self) -> bool:
        return self.fuzzy == 0 and self.missing == 0


def status(template: Catalog, locales: Path, languages: Iterable[str]) -> list[Status]:
    """Per language: how many template messages are translated, fuzzy, or missing."""
    result = []
    for lang in languages:
        path = po_path(locales, lang)
        catalog = read(path, lang) if path.exists() else Catalog(locale=lang)
        review = headers(path).get(REVIEW_HEADER, "unknown") if path.exists() else "no catalog"
        translated = fuzzy = missing = 0
        for wanted in template:
            if not wanted.id:
                continue
            found = catalog.get(wanted.id, context=wanted.context)
            if found is None or not _filled(found):
                missing += 1
            elif found.fuzzy:
                fuzzy += 1
            else:
                translated += 1
        result.append(Status(lang, translated, fuzzy, missing, review))
    return result


def _filled(message: Message) -> bool:
    if isinstance(message.string, (list, tuple)):
        return all(message.string)
    return bool(message.string)
