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
    assert "there is no flow 'nope'." in capsys.readouterr().err


def test_show_a_flow_written_per_band_suggests_the_age_band(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Regression: `flows show service_feedback` said there was no such flow while
    listing it, without suggesting `--age-band`."""
    assert main(["--config", CONFIG, "flows", "show", "service_feedback"]) == 1
    err = capsys.readouterr().err
    assert "is written for each age band (8-12, 13-15, 16-17, 18-24)" in err
    assert "`safevoice flows show service_feedback --age-band 8-12`" in err
    assert main(["--config", CONFIG, "flows", "show", "servce_feedback"]) == 1
    assert "Did you mean `service_feedback`?" in capsys.readouterr().err


def test_an_unreadable_flow_is_not_also_reported_missing_elsewhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Regression: a file that failed to parse was also reported, in another file that
    goes to it, as "flow ... does not exist"."""
    project = _project(tmp_path)
    (project / "flows" / "13-15" / "post_survey.yaml").write_text(
        GOOD.format(name="x")
        .replace("id: extra_x", "id: post_survey")
        .replace("    text: Hello", "   text: Hello"),
        encoding="utf-8",
    )
    (project / "flows" / "13-15" / "after.yaml").write_text(
        "spec_version: 1\nid: after\ntitle: After\nsteps:\n"
        "  - {id: go, type: goto, flow: post_survey}\n",
        encoding="utf-8",
    )
    code, out = _validate(capsys, project)
    assert code == 1
    assert "post_survey.yaml:7:" in out
    assert "does not exist" not in out
    assert "1 error(s)" in out


def _project(tmp_path: Path) -> Path:
    """A copy of config.toml, flows/ and locales/ whose catalogs a test may break."""
    import shutil

    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    shutil.copytree(ROOT / "flows", tmp_path / "flows")
    shutil.copytree(ROOT / "locales", tmp_path / "locales", ignore=shutil.ignore_patterns("*.mo"))
    return tmp_path


def _validate(capsys: pytest.CaptureFixture[str], project: Path, *args: str) -> tuple[int, str]:
    code = main(["--config", str(project / "config.toml"), "flows", "validate", *args])
    return code, capsys.readouterr().out


def test_validate_reports_a_broken_catalog_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path)
    po = project / "locales" / "ro" / "LC_MESSAGES" / "safevoice.po"
    lines = po.read_text(encoding="utf-8").splitlines()
    where = next(i for i, line in enumerate(lines) if line.startswith('msgstr "') and i > 30)
    lines[where] = "msgstr Sari peste"  # the quotes lost in an editor
    po.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out = _validate(capsys, project)
    assert code == 1
    assert f"{po}:{where + 1}:1: " in out
    assert "double quotes" in out
    assert "Traceback" not in out


def test_validate_reports_a_translation_that_loses_a_placeholder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path)
    po = project / "locales" / "ar" / "LC_MESSAGES" / "safevoice.po"
    text = po.read_text(encoding="utf-8")
    start = text.index("{name}", text.index('msgstr "', text.index("{name}")))
    po.write_text(text[:start] + "{nmae}" + text[start + len("{name}") :], encoding="utf-8")
    code, out = _validate(capsys, project)
    assert code == 1
    assert re.search(rf"^{re.escape(str(po))}:\d+:1: .*names.*differ", out, re.MULTILINE), out


def _two_new_flows(project: Path) -> None:
    for name in ("one", "two"):
        (project / "flows" / "13-15" / f"extra_{name}.yaml").write_text(
            GOOD.format(name=name), encoding="utf-8"
        )


def test_summary_counts_warnings_per_language_and_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path)
    _two_new_flows(project)
    code, out = _validate(capsys, project, "--summary")
    assert code == 0
    # Two new flows, one text each, untranslated in each of the shipped languages.
    assert re.search(r"^ro\s+untranslated\s+2 warnings$", out, re.MULTILINE), out
    assert re.search(r"^ar\s+untranslated\s+2 warnings$", out, re.MULTILINE), out
    assert "0 error(s)" in out
    assert "has no ro translation" not in out  # counted, not listed


def test_kind_and_language_filters_show_only_those_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path)
    _two_new_flows(project)
    code, out = _validate(capsys, project, "--kind", "untranslated", "--lang", "ar")
    assert code == 0
    assert out.count("has no ar translation") == 2
    assert "has no ro translation" not in out
    code, out = _validate(capsys, project, "--kind", "too long")
    assert "0 error(s), 0 warning(s): valid." in out
