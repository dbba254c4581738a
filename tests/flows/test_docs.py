"""docs/flows.md carries the current step reference, and its YAML examples are valid."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.commands.flows_schema import REGENERATE_DOCS
from bot.config import load_config
from bot.flows.docs import BEGIN, END, step_kinds, step_reference, with_reference
from bot.flows.loader import load_flow, load_flows
from bot.flows.steps import STEP_TYPES
from bot.flows.validate import validate

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "flows.md"


def test_guide_has_the_current_step_reference() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    assert step_reference() in text, (
        f"docs/flows.md has an old step reference. Run `{REGENERATE_DOCS}` and commit it."
    )
    assert text.count(BEGIN) == 1
    assert text.count(END) == 1


def test_reference_covers_every_step_kind() -> None:
    reference = step_reference()
    assert step_kinds() == [k for k in step_kinds() if k in STEP_TYPES]
    assert set(step_kinds()) == set(STEP_TYPES)
    for kind in STEP_TYPES:
        assert f"### `{kind}`" in reference
        assert f"type: {kind}" in reference


def test_with_reference_replaces_only_the_generated_part() -> None:
    stale = f"# Guide\n\nbefore\n\n{BEGIN}\nold text\n{END}\n\nafter\n"
    fresh = with_reference(stale)
    assert fresh.startswith("# Guide\n\nbefore\n\n")
    assert fresh.endswith("\n\nafter\n")
    assert "old text" not in fresh
    assert with_reference(fresh) == fresh


def test_worked_example_loads_and_validates(tmp_path: Path) -> None:
    text = GUIDE.read_text(encoding="utf-8")
    example = text.split("## A worked example", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", example, re.S)
    assert block
    path = tmp_path / "13-15" / "counselling.yaml"
    path.parent.mkdir()
    path.write_text(block.group(1), encoding="utf-8")
    flow, problems = load_flow(path, "13-15")
    assert problems == []
    assert flow is not None
    config, _ = load_config(ROOT / "config.toml")
    flows, _ = load_flows(ROOT / "flows")
    flows.add(flow)
    found = [p for p in validate(flows, config) if p.file == str(path)]
    assert found == [], [str(p) for p in found]


@pytest.mark.parametrize(
    "words", ["safevoice flows validate", "--strict", "record: false", "about_you", "maps_to"]
)
def test_guide_explains(words: str) -> None:
    assert words in GUIDE.read_text(encoding="utf-8")
