"""docs/config.md documents every key of config.toml and every environment variable.

The keys come from the pydantic models in bot/config.py (walked from `Config`), so a new
field, a changed default or a changed range fails here until the reference says so; a
key the reference describes but the code no longer has fails too.

Names in the reference: `section.key` for `[section]`, `[[age_bands]]` fields as
`age_bands[].key`, `[services.<id>]` fields as `services.<id>.key`.
"""

from __future__ import annotations

import ast
import json
import re
import tomllib
import types
import typing
from collections.abc import Iterator
from pathlib import Path

import annotated_types
import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from bot.config import Config
from tests.parsing import parse_python

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "config.md"
HEADING = re.compile(r"^#{2,4} `([^`]+)`", re.MULTILINE)
TOML_BLOCK = re.compile(r"```toml\n(.*?)```", re.DOTALL)


def _models(annotation: object) -> tuple[str, type[BaseModel]] | None:
    """("", M) for a model field, ("[]", M) for a tuple of M, (".<id>", M) for a dict of M."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "", annotation
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):  # `Model | None` is still a section
        found = [_models(arg) for arg in args if arg is not type(None)]
        return found[0] if len(found) == 1 else None
    inner = (args[0] if origin is tuple else args[-1]) if args else None
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        return ("[]" if origin is tuple else ".<id>"), inner
    return None


def walk(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, FieldInfo, str]]:
    """(dotted name, field, "section" | "array" | "table-map" | "key") for every field."""
    for name, field in model.model_fields.items():
        path = prefix + name
        nested = _models(field.annotation)
        if nested is None:
            yield path, field, "key"
            continue
        suffix, inner = nested
        kind = {"": "section", "[]": "array", ".<id>": "table-map"}[suffix]
        yield path, field, kind
        yield from walk(inner, f"{path}{suffix}.")


def heading(path: str, kind: str) -> str:
    if kind == "section":
        return f"[{path}]"
    if kind == "array":
        return f"[[{path}]]"
    if kind == "table-map":
        return f"[{path}.<id>]"
    return path


def toml_value(value: object) -> str | None:
    """How a default is written in the reference; None when it is not a plain value."""
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, tuple | list):
        parts = [toml_value(item) for item in value]
        return None if None in parts else "[" + ", ".join(typing.cast(list[str], parts)) + "]"
    if isinstance(value, dict) and not value:
        return "{}"
    return None


def sections(text: str) -> dict[str, str]:
    """Each documented name with the text under its heading, up to the next heading."""
    found = list(HEADING.finditer(text))
    ends = [match.start() for match in found[1:]] + [len(text)]
    return {match.group(1): text[match.end() : end] for match, end in zip(found, ends, strict=True)}


def bounds(field: FieldInfo) -> list[int]:
    limits = []
    for item in field.metadata:
        if isinstance(item, annotated_types.Ge):
            limits.append(int(typing.cast(int, item.ge)))
        if isinstance(item, annotated_types.Le):
            limits.append(int(typing.cast(int, item.le)))
    return limits


@pytest.fixture(scope="module")
def documented() -> dict[str, str]:
    return sections(REFERENCE.read_text(encoding="utf-8"))


ENTRIES = [(heading(path, kind), field, kind) for path, field, kind in walk(Config)]


def test_the_walk_finds_the_nested_models() -> None:
    names = {name for name, _, _ in ENTRIES}
    assert {"[web]", "web.trusted_proxies", "[[age_bands]]", "age_bands[].keep"} <= names
    assert {"[services.<id>]", "services.<id>.organisation", "handoff.hours"} <= names


@pytest.mark.parametrize(("name", "field", "kind"), ENTRIES, ids=[e[0] for e in ENTRIES])
def test_every_key_is_documented_with_its_default_and_range(
    documented: dict[str, str], name: str, field: FieldInfo, kind: str
) -> None:
    assert name in documented, f"docs/config.md has no heading ### `{name}`"
    body = documented[name]
    if kind != "key":
        return
    if field.is_required():
        assert "required" in body, f"{name}: say that it is required"
    else:
        default = toml_value(field.get_default(call_default_factory=True))
        if default is not None:
            wanted = "not set" if default == "not set" else f"`{default}`"
            assert wanted in body, f"{name}: the default is {wanted}; the reference says otherwise"
    for limit in bounds(field):
        assert str(limit) in body, f"{name}: the allowed range includes {limit}; say so"
    assert "```toml" in body or "Example:" in body, f"{name}: give an example"


def test_the_reference_names_no_key_the_code_lacks(documented: dict[str, str]) -> None:
    known = {name for name, _, _ in ENTRIES}
    variables = set(environment_variables())
    stale = [name for name in documented if name not in known | variables]
    assert not stale, f"docs/config.md describes keys bot/config.py does not have: {stale}"


def environment_variables() -> Iterator[str]:
    """Every SAFEVOICE_* name the package reads with os.environ / os.getenv."""
    for path in sorted((ROOT / "bot").rglob("*.py")):
        tree = parse_python(path)
        for node in ast.walk(tree):
            arg: ast.expr | None = None
            if isinstance(node, ast.Call) and node.args:
                func = ast.unparse(node.func)
                if func in ("os.environ.get", "os.getenv", "os.environ.setdefault"):
                    arg = node.args[0]
            elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
                arg = node.slice
            if isinstance(arg, ast.Constant) and str(arg.value).startswith("SAFEVOICE_"):
                yield str(arg.value)


def test_every_environment_variable_is_documented(documented: dict[str, str]) -> None:
    names = set(environment_variables())
    assert {"SAFEVOICE_SECRET_KEY", "SAFEVOICE_CONFIG"} <= names
    missing = sorted(name for name in names if name not in documented)
    assert not missing, f"docs/config.md has no heading ### `NAME` for {missing}"


def test_the_examples_are_toml_and_the_full_example_loads() -> None:
    blocks = TOML_BLOCK.findall(REFERENCE.read_text(encoding="utf-8"))
    assert blocks
    for block in blocks:
        tomllib.loads(block)  # each example on its own is valid TOML
    full = max(blocks, key=len)
    config = Config.model_validate(tomllib.loads(full))
    assert config.web.trusted_proxies


def test_the_shipped_config_uses_only_documented_keys(documented: dict[str, str]) -> None:
    raw = tomllib.loads((ROOT / "config.toml").read_text(encoding="utf-8"))

    def names(value: object, model: type[BaseModel], prefix: str) -> Iterator[str]:
        assert isinstance(value, dict)
        for key, item in value.items():
            field = model.model_fields[key]
            nested = _models(field.annotation)
            if nested is None:
                yield prefix + key
            elif nested[0] == "":
                yield from names(item, nested[1], f"{prefix}{key}.")
            elif nested[0] == "[]":
                for entry in item:
                    yield from names(entry, nested[1], f"{prefix}{key}[].")
            else:
                for entry in item.values():
                    yield from names(entry, nested[1], f"{prefix}{key}.<id>.")

    used = set(names(raw, Config, ""))
    assert used, "config.toml read as empty"
    assert not sorted(used - set(documented))
