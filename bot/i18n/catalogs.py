"""The catalog files: write the template, merge it into each language, compile, count.

Layout: `locales/safevoice.pot` (the template) and
`locales/<lang>/LC_MESSAGES/safevoice.po` / `.mo` for every shipped language but the
source. Every shipped catalog carries an `X-Review-Status` header: we draft the
translations ourselves, and a language is only ready once a native speaker, with
input from a survivor advisory group, has reviewed it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from babel.core import UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, escape, read_po, unescape, write_po

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
# GNU gettext's width: Poedit and Weblate save catalogs wrapped the way `msgcat` does, so a
# catalog written any other way churns on every save and churns back on the next update.
GNU_WIDTH = 79
_MARK = "@@previous-msgid:"  # a translator comment no one writes, replaced before writing
_PREVIOUS_LINE = re.compile(r'^\|\s*(?:(msgctxt|msgid|msgid_plural)\s+)?("(?:[^"\\]|\\.)*")$')


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
        catalog = read_po(text.splitlines(), locale=lang, domain=DOMAIN, abort_invalid=True)
    except (PoFileError, UnknownLocaleError, ValueError) as exc:
        msg = f"{path}: this catalog is broken ({exc}). Fix the line named, then try again."
        raise CatalogError(msg) from None
    for message in catalog:
        _take_previous(message)
    return catalog


def _take_previous(message: Message) -> None:
    """Babel reads the standard `#| msgid "..."` lines (the text a fuzzy translation was
    made for) as translator comments, and would write them back as `# | msgid`: turn
    them back into the previous msgid they are."""
    previous: dict[str, str] = {}
    keyword = ""
    kept = []
    for comment in message.user_comments:
        if not comment.startswith("|"):
            kept.append(comment)
            continue
        line = _PREVIOUS_LINE.match(comment.strip())
        if line is not None:
            keyword = line.group(1) or keyword
            previous[keyword] = previous.get(keyword, "") + unescape(line.group(2))
    message.user_comments = kept
    # GNU keeps the previous text only while the translation is fuzzy (not yet checked).
    if message.fuzzy and "msgid" in previous:
        ids = [previous["msgid"]]
        if "msgid_plural" in previous:
            ids.append(previous["msgid_plural"])
        message.previous_id = ids


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
    # Babel wraps a long previous msgid as if it were prose, breaking it outside its
    # quotes: write a marker in its place and the `#|` lines ourselves.
    previous: list[str] = []
    for message in catalog:
        if message.previous_id and message.id:
            keywords = ("msgid", "msgid_plural")
            lines = [
                f"{k} {escape(v)}" for k, v in zip(keywords, message.previous_id, strict=False)
            ]
            message.user_comments = [*message.user_comments, f"{_MARK}{len(previous)}"]
            previous.append("\n".join(f"#| {line}" for line in lines))
    buffer = BytesIO()
    write_po(buffer, catalog, width=GNU_WIDTH, include_previous=False)
    for message in catalog:
        message.user_comments = [c for c in message.user_comments if not c.startswith(_MARK)]
    text = _place_previous(buffer.getvalue().decode("utf-8"), previous)
    if extra:
        fields = "".join(f'"{name}: {value}\\n"\n' for name, value in extra.items())
        text = text.replace('"Generated-By:', fields + '"Generated-By:', 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    laid_out = gnu_layout(text, path)
    if path.exists() and _undated(path.read_text(encoding="utf-8")) == _undated(laid_out):
        return  # only the creation date would change: keep the file (no churn in reviews)
    path.write_text(laid_out, encoding="utf-8", newline="\n")


_DATED = re.compile(r'^"POT-Creation-Date: [^"]*"\n', re.MULTILINE)


def _undated(text: str) -> str:
    return _DATED.sub("", text)


def _place_previous(text: str, previous: list[str]) -> str:
    """Put each entry's `#|` lines where GNU's grammar wants them: after the other
    comments, right before `msgctxt`/`msgid` (where the marker was, they are invalid)."""
    entries = text.split("\n\n")
    for index, entry in enumerate(entries):
        marker = re.search(rf"^# {re.escape(_MARK)}(\d+)\n", entry, re.MULTILINE)
        if marker is None:
            continue
        entry = entry[: marker.start()] + entry[marker.end() :]
        start = re.search(r"^(?:msgctxt|msgid) ", entry, re.MULTILINE)
        at = start.start() if start else len(entry)
        entries[index] = entry[:at] + previous[int(marker.group(1))] + "\n" + entry[at:]
    return "\n\n".join(entries)


def gnu_layout(text: str, path: Path) -> str:
    """`text` laid out exactly as GNU gettext lays out a catalog (line breaks, comment
    order), by GNU's own `msgcat`. Babel breaks long lines at other places than GNU, so
    without msgcat the text is kept as Babel wrote it (at the same width)."""
    msgcat = shutil.which("msgcat")
    if msgcat is None:
        return text
    done = subprocess.run(  # noqa: S603 - a fixed program on a catalog we just wrote
        [msgcat, f"--width={GNU_WIDTH}", "-"],
        input=text.encode("utf-8"),
        capture_output=True,
        check=False,
        timeout=120,
    )
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().replace("<stdin>", str(path))
        msg = f"{path}: GNU msgcat could not lay out this catalog:\n{reason}"
        raise CatalogError(msg)
    return done.stdout.decode("utf-8")


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
        # Babel forgets the previous msgid of an entry that was already fuzzy and whose
        # source did not change again: keep it, the translator has not looked yet.
        previous = {(m.id, m.context): m.previous_id for m in catalog if m.previous_id}
        catalog.update(template)
        for message in catalog:
            if message.fuzzy and not message.previous_id:
                message.previous_id = previous.get((message.id, message.context), [])
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
