"""The step limit stops runaway loops; conditions decide branches as authors expect."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.engine.inputs import Input
from bot.engine.runner import Engine
from bot.flows.loader import load_flows
from bot.flows.model import Branch, Condition
from bot.i18n.translator import Translator
from tests.engine.conftest import says


def _cycle_engine(tmp_path: Path, app: App) -> Engine:
    files = {
        "start": "  - {id: go, type: goto, flow: ping}\n",
        "menu": "  - {id: go, type: goto, flow: ping}\n",
        "ping": "  - {id: go, type: goto, flow: pong}\n",
        "pong": "  - {id: go, type: goto, flow: ping}\n",
    }
    (tmp_path / "common").mkdir()
    for name, steps in files.items():
        text = f"spec_version: 1\nid: {name}\ntitle: {name}\nsteps:\n{steps}"
        (tmp_path / "common" / f"{name}.yaml").write_text(text, encoding="utf-8")
    flows, problems = load_flows(tmp_path)
    assert problems == []
    return Engine(flows, app.config, Translator())


def test_step_limit_stops_a_goto_cycle_between_two_flows(tmp_path: Path, app: App) -> None:
    engine = _cycle_engine(tmp_path, app)
    session, events = engine.start("en")
    assert len(events) == 1
    assert "went wrong" in says(events)[0].text
    assert session.idle
    for inp in (Input.text("hi"), Input.command("menu"), Input.command("person")):
        session, events = engine.resume(session, inp)
        assert "went wrong" in says(events)[-1].text
        assert session.idle


ANSWERS: dict[str, Any] = {"felt_safe": "no", "overall": "4", "liked": ["food", "safe"]}


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        ({"key": "felt_safe", "equals": "no"}, True),
        ({"key": "felt_safe", "equals": "yes"}, False),
        ({"key": "felt_safe", "one_of": ["maybe", "no"]}, True),
        ({"key": "overall", "equals": 4}, True),
        ({"key": "overall", "at_least": 4}, True),
        ({"key": "overall", "at_least": 5}, False),
        ({"key": "overall", "at_most": 4}, True),
        ({"key": "overall", "at_most": 3}, False),
        ({"key": "liked", "equals": "safe"}, True),
        ({"key": "liked", "one_of": ["people"]}, False),
        ({"key": "felt_safe", "at_least": 1}, False),  # not a number: never holds
        ({"key": "missing", "skipped": True}, True),
        ({"key": "missing", "skipped": False}, False),
        ({"key": "felt_safe", "skipped": False}, True),
        ({"key": "missing", "equals": "no"}, False),
        ({"key": "missing", "at_most": 5}, False),
    ],
)
def test_condition(condition: dict[str, Any], holds: bool) -> None:
    assert Condition.model_validate(condition).holds(ANSWERS) is holds


@pytest.mark.parametrize("condition", [{"key": "a"}, {"key": "a", "equals": "x", "at_least": 1}])
def test_condition_needs_exactly_one_test(condition: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="exactly one test"):
        Condition.model_validate(condition)


def test_branch_needs_every_condition() -> None:
    both = Branch.model_validate(
        {
            "when": [{"key": "felt_safe", "equals": "no"}, {"key": "overall", "at_least": 4}],
            "goto": "x",
        }
    )
    assert both.matches(ANSWERS)
    assert not both.matches({**ANSWERS, "overall": "2"})
    assert Branch.model_validate({"goto": "x"}).matches({})
