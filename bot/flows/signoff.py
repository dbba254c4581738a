"""Sign-off: an advisory group's "yes, young people may see this", tied to exact content.

A sign-off names a flow (`<scope>/<id>`), its `version`, one language, who signed off, in
which role and when, and two fingerprints:
- `content`: the flow's structure with its texts *in that language* (translations
  included), so changing a translation undoes that language's sign-off;
- `source`: the structure with the source texts, the same for every language: a flow
  whose source changed while its `version` stayed the same is an error, because a
  sign-off "for version 2" must mean one content.

Sign-offs live in `signoffs.toml` in the flows folder, beside the flows they are about,
so they are reviewed, kept and moved with them (and show in every diff).
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from bot.errors import FlowError
from bot.flows import signoff_words
from bot.flows.flow import Flow, FlowSet
from bot.flows.problems import Problem
from bot.i18n.translator import Translator

FILE_NAME = "signoffs.toml"
ROLES = ("advisor", "programme_officer", "safeguarding_lead", "admin")
Policy = Literal["allow", "warn", "refuse"]


@dataclass(frozen=True)
class Signoff:
    flow: str  # "<scope>/<id>"
    version: int
    lang: str
    content: str
    source: str
    by: str
    role: str
    at: str  # ISO 8601, UTC


def _digest(value: object) -> str:
    data = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(data.encode("utf-8")).hexdigest()


def _structure(flow: Flow) -> list[object]:
    return [step.model_dump(mode="json", exclude_none=True) for step in flow.steps]


def source_hash(flow: Flow) -> str:
    """The flow as written: steps, options, branches and source texts."""
    return _digest({"id": flow.id, "scope": flow.scope, "steps": _structure(flow)})


def content_hash(flow: Flow, lang: str, translator: Translator) -> str:
    """The flow as a young person reading `lang` meets it: the structure, and each text
    as shown in that language."""
    texts = {}
    for step in flow.steps:
        for part, text in step.texts():
            context = f"{flow.scope}/{flow.id}/{step.id}" + (f"/{part}" if part else "")
            texts[context] = translator.gettext(lang, context, text)
    return _digest({"source": source_hash(flow), "lang": lang, "texts": texts})


def flow_name(flow: Flow) -> str:
    return f"{flow.scope}/{flow.id}"


class SignoffBook:
    """The sign-offs of one flows folder."""

    def __init__(self, path: Path, records: Iterable[Signoff] = ()) -> None:
        self.path = path
        self.records = list(records)

    @classmethod
    def load(cls, flows_dir: Path) -> SignoffBook:
        path = flows_dir / FILE_NAME
        if not path.exists():
            return cls(path)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
            records = [
                Signoff(**{**item, "version": int(item["version"])})
                for item in raw.get("signoff", [])
            ]
        except (
            OSError,
            UnicodeDecodeError,
            tomllib.TOMLDecodeError,
            TypeError,
            KeyError,
            ValueError,
        ) as exc:
            raise _unreadable(path, exc) from None
        return cls(path, records)

    def latest(self, flow: str, lang: str) -> Signoff | None:
        found = [r for r in self.records if r.flow == flow and r.lang == lang]
        return max(found, key=lambda r: r.at) if found else None

    def add(self, record: Signoff) -> None:
        self.records.append(record)
        self.save()

    def save(self) -> None:
        lines = [
            "# Sign-offs of these flows by advisory groups and programme staff.",
            "# Written by `safevoice flows signoff` and the flow studio; each one holds for the",
            "# exact content named by `content` (see docs/codesign.md). Do not edit by hand.",
        ]
        for record in sorted(self.records, key=lambda r: (r.flow, r.lang, r.at)):
            lines.append("")
            lines.append("[[signoff]]")
            for name, value in asdict(record).items():
                # A JSON string is a valid TOML basic string (same escapes).
                shown = (
                    str(value) if isinstance(value, int) else json.dumps(value, ensure_ascii=False)
                )
                lines.append(f"{name} = {shown}")
        self.path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _unreadable(path: Path, exc: Exception) -> FlowError:
    return FlowError(
        f"{path}: the sign-off record cannot be read ({exc}). Each entry is a [[signoff]] "
        "table with flow, version, lang, content, source, by, role and at."
    )


@dataclass(frozen=True)
class Status:
    flow: str
    version: int
    lang: str
    content: str
    state: Literal["signed off", "changed since sign-off", "not signed off"]
    signoff: Signoff | None

    def describe(self) -> str:
        if self.signoff is None:
            return "not signed off"
        who = f"{self.signoff.by} ({self.signoff.role}), {self.signoff.at[:10]}"
        if self.state == "signed off":
            return f"signed off by {who}"
        return f"changed since the sign-off by {who} (v{self.signoff.version})"


def status(
    flows: FlowSet, languages: Iterable[str], translator: Translator, book: SignoffBook
) -> list[Status]:
    """For every flow and language: is its current content the content someone signed off?"""
    rows = []
    langs = list(languages)
    for flow in sorted(flows, key=flow_name):
        for lang in langs:
            current = content_hash(flow, lang, translator)
            record = book.latest(flow_name(flow), lang)
            if record is None:
                state: Literal["signed off", "changed since sign-off", "not signed off"]
                state = "not signed off"
            elif record.content == current:
                state = "signed off"
            else:
                state = "changed since sign-off"
            rows.append(Status(flow_name(flow), flow.header.version, lang, current, state, record))
    return rows


def sign(
    flow: Flow, lang: str, translator: Translator, book: SignoffBook, *, by: str, role: str
) -> Signoff:
    """Record that `by` (in `role`) signed off `flow` in `lang` as it is now."""
    who = " ".join(by.split())
    if not who or len(who) > 120:
        msg = "say who signs off (a name or a group, at most 120 characters)."
        raise FlowError(msg)
    if role not in ROLES:
        msg = f"the role {role!r} cannot sign off; use one of: {', '.join(ROLES)}."
        raise FlowError(msg)
    record = Signoff(
        flow=flow_name(flow),
        version=flow.header.version,
        lang=lang,
        content=content_hash(flow, lang, translator),
        source=source_hash(flow),
        by=who,
        role=role,
        at=datetime.now(UTC).replace(microsecond=0).isoformat(),
    )
    book.add(record)
    signoff_words.keep(
        book.path.parent, record.content, signoff_words.words(flow, lang, translator)
    )
    return record


def version_problems(flows: FlowSet, book: SignoffBook) -> Iterator[Problem]:
    """An error for each flow whose content changed since a sign-off of the same version:
    a version number must name one content, or a sign-off means nothing."""
    for flow in flows:
        name = flow_name(flow)
        current = source_hash(flow)
        for record in book.records:
            if (
                record.flow == name
                and record.version == flow.header.version
                and record.source != current
            ):
                yield Problem(
                    flow.path,
                    1,
                    1,
                    f"flow `{flow.id}` changed since version {record.version} was signed off "
                    f"({record.by}, {record.at[:10]}), but its version is still {record.version}.",
                    f"Raise `version:` to {record.version + 1} at the top of the file, then ask "
                    "for a new sign-off.",
                    kind="version not raised",
                )
                break


def unsigned(rows: Iterable[Status]) -> list[Status]:
    return [row for row in rows if row.state != "signed off"]
