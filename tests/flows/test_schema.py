"""The JSON Schema for flow files: generated from the models, shipped, never stale."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from bot.commands.flows_schema import REGENERATE, write_schema
from bot.flows.schema import flow_schema, schema_text
from bot.flows.steps import STEP_TYPES

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "flows" / "flow.schema.json"
HEADER = "# yaml-language-server: $schema=../flow.schema.json"


def test_shipped_schema_is_current() -> None:
    shipped = SHIPPED.read_text(encoding="utf-8") if SHIPPED.exists() else ""
    assert shipped == schema_text(), (
        f"flows/flow.schema.json is out of date with the step models. Regenerate it with "
        f"`{REGENERATE}` (or `safevoice flows schema`) and commit the result."
    )


def test_write_schema_writes_and_reports_changes(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "flow.schema.json"
    assert write_schema(target) is True
    assert write_schema(target) is False
    assert json.loads(target.read_text(encoding="utf-8")) == flow_schema()


def test_every_step_kind_is_offered_with_its_docstring() -> None:
    schema = flow_schema()
    one_of = schema["properties"]["steps"]["items"]["oneOf"]
    names = [ref["$ref"].removeprefix("#/$defs/") for ref in one_of]
    assert names == [f"{kind}_step" for kind in sorted(STEP_TYPES)]
    for kind, cls in STEP_TYPES.items():
        step = schema["$defs"][f"{kind}_step"]
        assert step["properties"]["type"]["const"] == kind
        assert "type" in step["required"]
        assert step["additionalProperties"] is False
        assert step["description"], kind
        assert step["description"] in " ".join((cls.__doc__ or "").split())
        assert "```yaml" in step["markdownDescription"]
        assert set(step["properties"]) == set(cls.model_fields)


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in _refs(item)]
    return []


def test_every_reference_resolves() -> None:
    schema = flow_schema()
    for ref in _refs(schema):
        assert ref.startswith("#/$defs/")
        assert ref.removeprefix("#/$defs/") in schema["$defs"], ref


def test_header_fields_match_the_format() -> None:
    schema = flow_schema()
    assert schema["$schema"].endswith("2020-12/schema")
    assert set(schema["required"]) == {"spec_version", "id", "title", "steps"}
    assert schema["additionalProperties"] is False


def _examples(doc: str) -> list[Any]:
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", doc, re.S)]


def test_docstring_examples_are_valid_steps() -> None:
    for kind, cls in STEP_TYPES.items():
        examples = [step for block in _examples(cls.__doc__ or "") for step in block]
        assert examples, f"`{kind}` has no YAML example in its docstring"
        for example in examples:
            assert example["type"] == kind
            cls.model_validate(example)


def test_every_shipped_flow_points_editors_at_the_schema() -> None:
    files = sorted((ROOT / "flows").glob("*/*.yaml"))
    assert files
    for path in files:
        assert path.read_text(encoding="utf-8").splitlines()[0] == HEADER, path
