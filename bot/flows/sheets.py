"""Flow texts as a spreadsheet, both ways, for advisory groups and translators.

`rows` lists one row per text: band, flow, step, part, the source text, one column per
language, notes for translators and the band's length limit. `apply` takes edited rows
back: changed source texts are written into the flow files (only the text itself, the
rest of the file stays as it was), changed translations into the catalogs. Rows that
would change the structure (a step or button that does not exist) are refused with a
message each; a spreadsheet that changes nothing changes no file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog

from bot.config import Config
from bot.flows.flow import FlowSet
from bot.flows.loader import load_flows
from bot.i18n import catalogs
from bot.i18n.extract import build_template, flow_texts

FIXED = ("band", "flow", "step", "part")
NOTES = "notes for translators"
LIMIT = "max characters"


@dataclass(frozen=True)
class Row:
    band: str
    flow: str
    step: str
    part: str
    source: str
    translations: dict[str, str]
    notes: str = ""
    limit: int | None = None

    @property
    def context(self) -> str:
        return f"{self.band}/{self.flow}/{self.step}" + (f"/{self.part}" if self.part else "")


def columns(config: Config) -> list[str]:
    source = config.languages.source
    others = [lang for lang in config.languages.shipped if lang != source]
    return [*FIXED, source, *others, NOTES, LIMIT]


def rows(flows: FlowSet, config: Config, locales: Path) -> list[Row]:
    """Every flow text with its translations, in file order (common first, then bands)."""
    limits = {band.id: band.max_message_chars for band in config.age_bands}
    shipped = [lang for lang in config.languages.shipped if lang != config.languages.source]
    found = {lang: _catalog(locales, lang) for lang in shipped}
    out = []
    for flow in sorted(flows, key=lambda f: (f.scope != "common", f.scope, f.id)):
        for item in flow_texts(flow, limits):
            step, _, part = item.context.split("/", 2)[2].partition("/")
            translated = {}
            for lang, catalog in found.items():
                message = catalog.get(item.text, context=item.context) if catalog else None
                string = message.string if message and not message.fuzzy else ""
                translated[lang] = string if isinstance(string, str) else ""
            out.append(
                Row(
                    flow.scope,
                    flow.id,
                    step,
                    part,
                    item.text,
                    translated,
                    "; ".join(item.comments),
                    limits.get(flow.scope, min(limits.values(), default=None)),
                )
            )
    return out


def _catalog(locales: Path, lang: str) -> Catalog | None:
    path = catalogs.po_path(locales, lang)
    return catalogs.read(path, lang) if path.exists() else None


@dataclass
class Outcome:
    refused: list[str] = field(default_factory=list)  # "row 7: ..." for each row not applied
    warnings: list[str] = field(default_factory=list)
    changed_files: list[Path] = field(default_factory=list)
    texts: int = 0
    translations: int = 0


def apply(
    edited: Iterable[tuple[int, Mapping[str, str]]],
    flows_dir: Path,
    config: Config,
    locales: Path,
) -> Outcome:
    """Apply the edited rows (row number, column -> value) to flow files and catalogs."""
    outcome = Outcome()
    flows, _ = load_flows(flows_dir)
    current = {row.context: row for row in rows(flows, config, locales)}
    source_lang = config.languages.source
    langs = [lang for lang in config.languages.shipped if lang != source_lang]
    new_sources: dict[tuple[str, str], dict[tuple[str, str], str]] = {}
    new_strings: dict[str, dict[str, str]] = {lang: {} for lang in langs}  # context -> text
    seen: set[str] = set()
    for number, values in edited:
        band, flow_id, step, part = (values.get(name, "").strip() for name in FIXED)
        if not any((band, flow_id, step, part)):
            continue  # an empty line
        context = f"{band}/{flow_id}/{step}" + (f"/{part}" if part else "")
        if context in seen:
            outcome.refused.append(f"row {number}: {context} is in the sheet twice.")
            continue
        seen.add(context)
        row = current.get(context)
        if row is None:
            outcome.refused.append(
                f"row {number}: there is no text {context!r} in the flows. A spreadsheet "
                "can change words, not steps or buttons: add those in the flow file, then "
                "export again."
            )
            continue
        source = values.get(source_lang, "")
        if not source.strip():
            outcome.refused.append(
                f"row {number}: the {source_lang} text of {context} is empty; a step "
                "always needs its text."
            )
            continue
        problem = _broken(row.source, source, values, langs)
        if problem:
            outcome.refused.append(f"row {number}: {context}: {problem}")
            continue
        if source != row.source:
            new_sources.setdefault((row.band, row.flow), {})[(row.step, row.part)] = source
        for lang in langs:
            string = values.get(lang, "")
            if string != row.translations.get(lang, ""):
                new_strings[lang][context] = string
        for lang, text in (
            (source_lang, source),
            *((lang, values.get(lang, "")) for lang in langs),
        ):
            if row.limit and len(text) > row.limit:
                who = "every age band" if row.band == "common" else f"ages {row.band}"
                outcome.warnings.append(
                    f"row {number}: the {lang} text of {context} has {len(text)} "
                    f"characters; for {who} keep it under {row.limit}."
                )
    if outcome.refused:
        return outcome  # all or nothing: a half-applied sheet is harder to review
    for key, texts in new_sources.items():
        path = Path(flows.flows[key].path)
        path.write_text(replace_texts(path.read_text(encoding="utf-8"), texts), encoding="utf-8")
        outcome.changed_files.append(path)
        outcome.texts += len(texts)
    outcome.changed_files += _write_catalogs(new_sources, new_strings, flows_dir, config, locales)
    outcome.translations = sum(len(strings) for strings in new_strings.values())
    return outcome


def _broken(source: str, new_source: str, values: Mapping[str, str], langs: list[str]) -> str:
    """Why a row cannot be applied: a translation that drops a {name} or /command."""
    for lang in langs:
        string = values.get(lang, "")
        if not string:
            continue
        probe = Catalog(locale=None)
        probe.add(new_source, string, context="sheet")
        found = catalogs.problems(probe)
        if found:
            reason = found[0].split("] ", 1)[-1].split(": ", 1)[-1]
            return f"the {lang} text: {reason}"
    return ""


def _write_catalogs(
    new_sources: Mapping[tuple[str, str], Mapping[tuple[str, str], str]],
    new_strings: Mapping[str, Mapping[str, str]],
    flows_dir: Path,
    config: Config,
    locales: Path,
) -> list[Path]:
    if not new_sources and not any(new_strings.values()):
        return []
    reloaded, _ = load_flows(flows_dir)  # the flow files as just written
    limits = {band.id: band.max_message_chars for band in config.age_bands}
    template = build_template(reloaded, limits=limits)
    changed = []
    for lang, strings in new_strings.items():
        if not strings and not new_sources:
            continue
        path = catalogs.po_path(locales, lang)
        if new_sources:
            catalogs.update(template, locales, [lang])  # changed texts become fuzzy
        catalog = catalogs.read(path, lang)
        for context, string in strings.items():
            message = next((m for m in catalog if m.context == context), None)
            if message is None:
                continue
            message.string = string
            message.flags.discard("fuzzy")
            message.previous_id = []
        extra = {catalogs.REVIEW_HEADER: catalogs.headers(path).get(catalogs.REVIEW_HEADER, "")}
        catalogs.write(catalog, path, extra)
        changed.append(path)
    if new_sources:
        catalogs.write_template(template, locales)
    return changed


def replace_texts(text: str, texts: Mapping[tuple[str, str], str]) -> str:
    """`text` (a flow file) with the given step texts, button labels or scale labels
    replaced, each written as a double-quoted YAML string in the same place."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    spans: list[tuple[int, int, str]] = []
    for step in _items(_get(root, "steps")):
        step_id = _scalar(_get(step, "id"))
        for (wanted, part), new in texts.items():
            if wanted != step_id:
                continue
            node = _find(step, part)
            if node is not None:
                spans.append((node.start_mark.index, node.end_mark.index, new))
    for start, end, new in sorted(spans, reverse=True):
        text = text[:start] + json.dumps(new, ensure_ascii=False) + text[end:]
    return text


def _get(node: yaml.Node | None, name: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if _scalar(key) == name:
                return value  # type: ignore[no-any-return]
    return None


def _items(node: yaml.Node | None) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _scalar(node: yaml.Node | None) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else ""


def _find(step: yaml.Node, part: str) -> yaml.Node | None:
    if not part:
        return _get(step, "text")
    if part.startswith("point") and part[5:].isdigit():
        labels = _items(_get(step, "labels"))
        index = int(part[5:]) - 1
        return labels[index] if 0 <= index < len(labels) else None
    for option in _items(_get(step, "options")):
        if _scalar(_get(option, "value")) == part:
            return _get(option, "label")
    return None
