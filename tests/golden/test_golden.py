"""Golden conversation tests (STYLE point 8).

Each `cases/<name>.yaml` gives an age band, a language and the inputs; the transcript the
real conversation service produces must equal `cases/<name>.txt`. After a deliberate
change, run `pytest tests/golden --update-goldens` and read the diff like any other code.

Inputs are one-key mappings: `send: text`, `click: label, value or number` (with
`earlier: 1` to press a button of the question before the last) or `command: privacy`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.app import App, load_app
from bot.testing import ScriptedChat

ROOT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).parent / "cases"
CASE_FILES = sorted(CASES.glob("*.yaml"))


@pytest.fixture(scope="module")
def app() -> App:
    return load_app(ROOT / "config.toml")


async def play(app: App, case: dict[str, Any]) -> ScriptedChat:
    chat = ScriptedChat(app)
    await chat.start(case.get("language"), band=case.get("age_band"))
    for step in case["inputs"]:
        if "send" in step:
            await chat.send(str(step["send"]))
        elif "click" in step:
            await chat.click(str(step["click"]), earlier=int(step.get("earlier", 0)))
        elif "command" in step:
            await chat.command(str(step["command"]))
        else:
            pytest.fail(f"unknown input {step!r}: use send, click or command")
    return chat


@pytest.mark.parametrize("case_file", CASE_FILES, ids=[p.stem for p in CASE_FILES])
async def test_golden(case_file: Path, app: App, request: pytest.FixtureRequest) -> None:
    case = yaml.safe_load(case_file.read_text(encoding="utf-8"))
    chat = await play(app, case)
    try:
        got = chat.text()
    finally:
        chat.close()
    expected_file = case_file.with_suffix(".txt")
    if request.config.getoption("--update-goldens", default=False):
        expected_file.write_text(got, encoding="utf-8", newline="\n")
        return
    assert expected_file.exists(), f"no golden yet: run pytest {CASES.parent} --update-goldens"
    assert got == expected_file.read_text(encoding="utf-8")


def test_every_case_has_a_golden() -> None:
    goldens = {p.stem for p in CASES.glob("*.txt")}
    assert goldens == {p.stem for p in CASE_FILES}
