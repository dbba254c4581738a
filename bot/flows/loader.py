"""Reading flow files safely: safe YAML only, bounded size and depth, no aliases.

Every problem comes back as a `Problem` with the file, line and column, in words an
author who is not a programmer can act on. Nothing here raises on bad input.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.flows.flow import Flow, FlowSet
from bot.flows.migrate import migrate
from bot.flows.model import FlowHeader
from bot.flows.problems import Problem
from bot.flows.steps import STEP_TYPES, StepBase
from bot.flows.wording import explain, explain_yaml, over_indented, plain_errors, suggest

MAX_BYTES = 256 * 1024
MAX_DEPTH = 12
MAX_NODES = 20_000

Positions = dict[tuple[str, ...], tuple[int, int]]


class _Refused(Exception):
    def __init__(self, message: str, fix: str, line: int, col: int) -> None:
        super().__init__(message)
        self.message, self.fix, self.line, self.col = message, fix, line, col


class _SafeLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases (YAML bombs) and deep or huge documents."""

    depth = 0
    nodes = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise _Refused(
                "this file uses a YAML alias (*name). Flow files may not use aliases.",
                "Write the text out again where you need it.",
                mark.line + 1,
                mark.column + 1,
            )
        self.depth += 1
        self.nodes += 1
        if self.depth > MAX_DEPTH or self.nodes > MAX_NODES:
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise _Refused(
                "this file is nested too deeply or is too big to be a flow.",
                "Split it into smaller flows.",
                mark.line + 1,
                mark.column + 1,
            )
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


# YAML 1.1 reads yes/no/on/off as true/false: an answer label "No" must stay text.
# Dates stay text too: flows never need them, and `text: 2024-05-01` is a text.
_TEXT_TAGS = ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
_SafeLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _TEXT_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _first in "tTfF":
    _SafeLoader.yaml_implicit_resolvers.setdefault(_first, []).insert(
        0, ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"))
    )


def _positions(node: Node, path: tuple[str, ...], out: Positions, problems: list[str]) -> None:
    out[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value) if isinstance(key, ScalarNode) else "?"
            if name in seen:
                line, col = key.start_mark.line + 1, key.start_mark.column + 1
                problems.append(f"{line}:{col}:{name}")
            seen.add(name)
            out[(*path, name)] = (key.start_mark.line + 1, key.start_mark.column + 1)
            _positions(value, (*path, name), out, problems)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _positions(item, (*path, str(index)), out, problems)


def _read(path: Path, display: str) -> tuple[Any, Positions, list[Problem]]:
    def fail(
        message: str, fix: str = "", line: int = 1, col: int = 1
    ) -> tuple[Any, Positions, list[Problem]]:
        return None, {}, [Problem(display, line, col, message, fix)]

    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return fail(
                f"this file is too large ({size / 1_048_576:.1f} MB); a flow file may be "
                f"at most {MAX_BYTES // 1024} KB.",
                "Split it into smaller flows.",
            )
        data = path.read_bytes()
    except OSError as exc:
        return fail(f"this file cannot be read ({exc.strerror}).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - data.rfind(b"\n", 0, exc.start)
        return fail(
            "this file is not saved as UTF-8 text.", "Save it as UTF-8 and try again.", line, col
        )
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return fail(
            "this file contains a NUL character; it does not look like a text file.",
            "Open it in a text editor and save it again as UTF-8 text.",
            line,
        )
    try:
        # The reader refuses control characters as soon as it is made.
        loader = _SafeLoader(text)
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        return fail(
            f"this file contains a hidden control character (code {exc.character}).",
            "Delete it: retype the text around this place, or copy it from a plain text editor.",
            before.count("\n") + 1,
            len(before) - before.rfind("\n"),
        )
    try:
        node = loader.get_single_node()
        if node is None:
            return fail(
                "this file is empty.",
                "Start from the worked example in docs/flows.md: a flow needs "
                "`spec_version`, `id`, `title` and `steps`.",
            )
        positions: Positions = {}
        dupes: list[str] = []
        _positions(node, (), positions, dupes)
        if dupes:
            row, column, name = dupes[0].split(":", 2)
            where = (int(row), int(column))
            return fail(
                f"`{name}` is written twice in the same place.", "Keep one of them.", *where
            )
        value = loader.construct_document(node)
    except _Refused as exc:
        return fail(exc.message, exc.fix, exc.line, exc.col)
    except yaml.MarkedYAMLError as exc:
        # An unclosed quote is found at the end of the file; point at where it opened.
        unclosed = exc.problem == "found unexpected end of stream" and exc.context_mark
        mark = (exc.context_mark if unclosed else exc.problem_mark) or exc.context_mark
        where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        if exc.problem == "mapping values are not allowed here" and mark is not None:
            lines = text.splitlines()
            indented = over_indented(lines, mark.line)
            if indented:
                row = lines[mark.line]
                return fail(*indented, mark.line + 1, len(row) - len(row.lstrip()) + 1)
        return fail(*explain_yaml(exc.problem), *where)
    except (yaml.YAMLError, RecursionError, ValueError):
        return fail(*explain_yaml(None))
    finally:
        loader.dispose()
    return value, positions, []


def _step_positions(
    raw_steps: list[Any], positions: Positions
) -> dict[tuple[str, ...], tuple[int, int]]:
    out: dict[tuple[str, ...], tuple[int, int]] = {(): positions.get((), (1, 1))}
    for index, raw in enumerate(raw_steps):
        step_id = str(raw.get("id")) if isinstance(raw, dict) else str(index)
        for path, place in positions.items():
            if path[:2] == ("steps", str(index)):
                out[(step_id, *path[2:])] = place
    # Header triggers, under "@" (no step id can be "@"), for messages about them.
    for path, place in positions.items():
        if path[:1] == ("triggers",):
            out[("@", *path)] = place
    return out


def load_flow(
    path: Path, scope: str, display: str | None = None
) -> tuple[Flow | None, list[Problem]]:
    """Load one flow file. Returns the flow (None if it has errors) and every problem found."""
    display = display or str(path)
    raw, positions, problems = _read(path, display)
    if problems:
        return None, problems
    if not isinstance(raw, dict):
        return None, [
            Problem(
                display,
                1,
                1,
                "a flow file must start with fields like `id:` and `steps:`, not a list.",
                "Begin with `spec_version: 1`, `id:`, `title:` and `steps:` at the left edge.",
            )
        ]

    def place(*where: str | int) -> tuple[int, int]:
        key = tuple(str(part) for part in where)
        while key and key not in positions:
            key = key[:-1]
        return positions.get(key, (1, 1))

    raw, migrated = migrate(raw)
    if migrated:
        line, col = place("spec_version")
        return None, [Problem(display, line, col, migrated[0], migrated[1])]
    try:
        header = FlowHeader.model_validate(raw)
    except ValidationError as exc:
        return None, [
            Problem(
                display, *place(*error["loc"]), *explain(error, "flow", FlowHeader.model_fields)
            )
            for error in plain_errors(exc.errors())
        ]
    steps: list[StepBase] = []
    for index, raw_step in enumerate(header.steps):
        if not isinstance(raw_step, dict):
            problems.append(
                Problem(
                    display,
                    *place("steps", index),
                    "each step must be a set of fields like `id:` and `type:`.",
                    "Start the step with `- id: …` and put `type: …` under it.",
                )
            )
            continue
        kind = raw_step.get("type")
        cls = STEP_TYPES.get(kind) if isinstance(kind, str) else None
        if cls is None:
            known = ", ".join(sorted(STEP_TYPES))
            where = place("steps", index, "type")
            what = f"unknown step type `{kind}`" if kind is not None else "this step has no `type:`"
            hint = suggest(kind, STEP_TYPES) if isinstance(kind, str) else ""
            problems.append(Problem(display, *where, f"{what}.{hint}", f"Use one of: {known}."))
            continue
        try:
            steps.append(cls.model_validate(raw_step))
        except ValidationError as exc:
            for error in plain_errors(exc.errors()):
                where = place("steps", index, *error["loc"])
                guide = f"See the `{kind}` example in docs/flows.md."
                found = explain(error, f"`{kind}` step", cls.model_fields, guide)
                problems.append(Problem(display, *where, *found))
    if problems:
        return None, problems
    flow = Flow(header, tuple(steps), scope, display, _step_positions(header.steps, positions))
    return flow, []


def load_flows(root: Path, paths: list[Path] | None = None) -> tuple[FlowSet, list[Problem]]:
    """Load every flow under `root` (folders are age bands, plus `common`), or just `paths`."""
    files = (
        paths if paths is not None else sorted(root.glob("*/*.yaml")) + sorted(root.glob("*/*.yml"))
    )
    flows, problems = FlowSet(), []
    for file in files:
        scope = file.parent.name
        try:
            display = str(file.resolve().relative_to(Path.cwd()))
        except ValueError:
            display = str(file)
        flow, found = load_flow(file, scope, display)
        problems.extend(found)
        if flow is not None:
            if flows.get(scope, flow.id) is not None:
                other = flows.get(scope, flow.id)
                problems.append(
                    Problem(
                        display,
                        1,
                        1,
                        f"another flow in `{scope}` already has the id `{flow.id}`"
                        f" ({other.path if other else ''}).",
                        "Give each flow its own id.",
                    )
                )
                continue
            flows.add(flow)
    return flows, problems
