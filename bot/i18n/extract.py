"""Finding every text to translate: flow texts (from flow files) and the engine's own.

Two ways in, one source of truth (`flow_texts`):
- `extract_flows` is a Babel extractor (entry point `safevoice_flows`), so
  `pybabel extract -F babel.cfg -o locales/safevoice.pot .` works like for any project;
- `build_template` makes the same template in memory for `safevoice i18n extract`,
  with the system texts added.

A flow text's context is `"<scope>/<flow>/<step>"` (or `".../<part>"` for a button or
scale label), exactly what the engine looks up (`_Turn.t`). Age-band and service labels
are not here: they are translated in config.toml.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from babel.messages.catalog import Catalog

from bot.errors import FlowError
from bot.flows.flow import COMMON, Flow, FlowSet
from bot.flows.loader import load_flow
from bot.flows.steps import StepBase
from bot.i18n.system import SYSTEM_PLURALS, SYSTEM_TEXTS
from bot.i18n.translator import SYSTEM

PROJECT = "SafeVoice"
_POINT = re.compile(r"^point(\d+)$")
# One line for every translator: what must survive translation untouched.
KEEP_NOTE = "Keep {placeholders}, /commands, numbers and emoji exactly as they are."


@dataclass(frozen=True)
class FlowText:
    context: str
    text: str
    location: str  # "flows/<scope>/<file>.yaml"
    line: int
    comments: tuple[str, ...]


def _where(step: StepBase, part: str) -> tuple[str, ...]:
    """The path of a text inside its step, for the line number in the template."""
    if not part:
        return (step.id, "text")
    values = [option.value for option in getattr(step, "options", ())]
    if part in values:
        return (step.id, "options", str(values.index(part)), "label")
    point = _POINT.match(part)
    if point:
        return (step.id, "labels", str(int(point.group(1)) - 1))
    return (step.id,)


def _audience(scope: str) -> str:
    return "every age band" if scope == COMMON else f"ages {scope}"


def flow_texts(flow: Flow, limits: Mapping[str, int] | None = None) -> Iterator[FlowText]:
    """Every text of `flow` to translate, with its context, place and notes for translators:
    what the text is, which question a button belongs to, which end of a scale a label is,
    and (given the age bands' `limits`) how long the translation may be."""
    # The last three parts ("flows/<scope>/<file>") read the same from any working folder.
    location = "/".join(Path(flow.path).parts[-3:])
    limit = _limit_note(flow.scope, limits or {})
    for step in flow.steps:
        question = step.text or ""
        for part, text in step.texts():
            context = f"{flow.scope}/{flow.id}/{step.id}" + (f"/{part}" if part else "")
            notes = [_what(step, part, flow.scope), *_belongs(step, part, question), *limit]
            line = flow.where(*_where(step, part))[0]
            yield FlowText(context, text, location, line, tuple(notes))


def _what(step: StepBase, part: str, scope: str) -> str:
    what = "a message"
    if part:
        what = "a scale label (a button)" if _POINT.match(part) else "a button"
    return f"{what} in the `{step.kind}` step, for {_audience(scope)}"


def _belongs(step: StepBase, part: str, question: str) -> list[str]:
    if not part or not question:
        return []
    notes = [f"answers the question: {_quote(question)}"]
    point = _POINT.match(part)
    if point:
        number, points = int(point.group(1)), len(getattr(step, "labels", ()))
        end = ", the lowest" if number == 1 else ", the highest" if number == points else ""
        notes.append(f"point {number} of {points}{end}")
    return notes


def _limit_note(scope: str, limits: Mapping[str, int]) -> list[str]:
    if not limits:
        return []
    if scope in limits:
        return [f"at most {limits[scope]} characters (the limit for ages {scope})"]
    band = min(limits, key=lambda b: limits[b])
    return [f"at most {limits[band]} characters (shown to every band; ages {band} allow least)"]


def _quote(text: str, width: int = 48) -> str:
    one_line = " ".join(text.split())
    if len(one_line) > width:
        one_line = one_line[: width - 1] + "\u2026"
    return f"\u201c{one_line}\u201d"


def extract_flows(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """Babel extractor for flow files: `[safevoice_flows: flows/**.yaml]` in babel.cfg.

    The scope (age band or `common`) is the flow file's folder, as for the engine; a
    mapping option `scope = ...` can say it for a file that is not in such a folder.
    Each text comes out as `pgettext(context, text)` so Babel keeps its context.
    """
    name = str(getattr(fileobj, "name", "") or "")
    scope = str(options.get("scope") or (Path(name).parent.name if name else ""))
    if not scope:
        msg = "cannot tell the flow's age band: the file has no folder; set `scope` in babel.cfg"
        raise FlowError(msg)
    flow = _load(fileobj, name, scope)
    for item in flow_texts(flow):
        yield item.line, "pgettext", (item.context, item.text), list(item.comments)


def _load(fileobj: IO[bytes], name: str, scope: str) -> Flow:
    data = fileobj.read()
    # The loader reads paths (with its size and safety checks); give it one.
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / scope / (Path(name).name or "flow.yaml")
        path.parent.mkdir()
        path.write_bytes(data)
        flow, problems = load_flow(path, scope, name or str(path))
    if flow is None:
        listing = "\n".join(str(problem) for problem in problems)
        msg = f"cannot extract texts from a flow with errors:\n{listing}"
        raise FlowError(msg)
    return flow


def build_template(
    flows: FlowSet | Iterator[Flow] | list[Flow],
    *,
    version: str = "1",
    system: bool = True,
    limits: Mapping[str, int] | None = None,
) -> Catalog:
    """The message template (.pot): every flow text, then the engine's own sentences.
    `limits` (age band -> max_message_chars) adds each text's length limit to its notes."""
    template = Catalog(
        project=PROJECT,
        version=version,
        header_comment=(
            "# Translation template for SafeVoice. Do not translate this file: run\n"
            "# `safevoice i18n update` and translate locales/<lang>/LC_MESSAGES/safevoice.po.\n"
            f"# {KEEP_NOTE}"
        ),
        msgid_bugs_address="",
        fuzzy=False,
    )
    for flow in flows:
        for item in flow_texts(flow, limits):
            found = template.get(item.text, context=item.context)
            if found is not None:
                found.locations.append((item.location, item.line))
                continue
            template.add(
                item.text,
                context=item.context,
                locations=[(item.location, item.line)],
                auto_comments=item.comments,
            )
    if system:
        for text in SYSTEM_TEXTS:
            template.add(text, context=SYSTEM, auto_comments=("said by the engine",))
        for singular, plural in SYSTEM_PLURALS:
            template.add(
                (singular, plural),
                context=SYSTEM,
                auto_comments=("said by the engine; {n} is a number",),
            )
    return template
