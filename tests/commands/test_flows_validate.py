"""`safevoice flows validate|list|show`: exit codes, `file:line:col:` lines, --strict."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parents[2]
CONFIG = str(ROOT / "config.toml")
PLACE = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):(?P<col>\d+): ", re.MULTILINE)

GOOD = """\
spec_version: 1
id: extra_{name}
title: A short extra flow
steps:
  - id: hello
    type: message
    text: Hello there.
    next: bye
  - id: bye
    type: end
"""

BROKEN = """\
spec_version: 1
id: broken
title: A broken flow
steps:
  - id: hello
    type: message
    text: Hello there.
    next: nowhere
  - id: ask
    type: sing_a_song
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["--config", CONFIG, "flows", *args])
    return code, capsys.readouterr().out


def test_the_shipped_flows_are_valid(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "validate")
    assert code == 0, out
    assert "0 error(s)" in out


def test_a_folder_of_shipped_flows_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "validate", str(ROOT / "flows" / "13-15"))
    assert code == 0, out


def test_a_broken_file_gives_places_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "13-15" / "broken.yaml"
    broken.parent.mkdir()
    broken.write_text(BROKEN, encoding="utf-8")
    code, out = run(capsys, "validate", str(broken))
    assert code == 1
    places = [m.groupdict() for m in PLACE.finditer(out)]
    assert places, out
    assert all(p["file"].endswith("broken.yaml") for p in places)
    assert {"file": places[0]["file"], "line": "10", "col": "11"} in places  # the step type
    assert "sing_a_song" in out
    assert "not valid" in out.splitlines()[-1]


def test_a_dangling_link_is_found_in_a_given_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flow = tmp_path / "13-15" / "dangling.yaml"
    flow.parent.mkdir()
    flow.write_text(BROKEN.replace("    type: sing_a_song\n", "    type: end\n"), encoding="utf-8")
    code, out = run(capsys, "validate", str(tmp_path))
    assert code == 1
    assert re.search(r"dangling\.yaml:8:\d+: .*nowhere", out), out


def test_strict_promotes_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A 60-word text is too long for ages 8-12: a warning, not an error.
    long_text = " ".join(["word"] * 60) + "."
    flow = tmp_path / "8-12" / "long.yaml"
    flow.parent.mkdir()
    flow.write_text(GOOD.format(name="long").replace("Hello there.", long_text), "utf-8")
    code, out = run(capsys, "validate", str(flow))
    assert code == 0, out
    assert "warning:" in out
    code, out = run(capsys, "validate", "--strict", str(flow))
    assert code == 1
    assert "--strict" in out


def test_a_path_that_does_not_exist_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", CONFIG, "flows", "validate", "no/such/flow.yaml"]) == 1
    assert "no such file" in capsys.readouterr().err


def test_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "list")
    assert code == 0
    assert "13-15/service_feedback" in out
    assert "common/start" in out
    code, out = run(capsys, "show", "service_feedback", "--age-band", "13-15")
    assert code == 0
    assert "- felt_safe (yes_no) key=felt_safe" in out
    assert "-> not_safe  when felt_safe equals 'no'" in out
    assert "=> flow" not in out
    code, out = run(capsys, "show", "menu", "--age-band", "8-12")
    assert "=> flow service_feedback" in out


def test_show_an_unknown_flow(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", CONFIG, "flows", "show", "nope"]) == 1
    assert "no flow 'nope'" in capsys.readouterr().err
