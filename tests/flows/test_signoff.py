"""Sign-off: recorded per flow and language for exact content, undone by any change,
enforced by `serve`/`run` when the config says so, and a version that must move."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from bot.app import load_app
from bot.cli import main
from bot.errors import FlowError
from bot.flows.signoff import FILE_NAME
from tests.fixtures.processes import run_safevoice

ROOT = Path(__file__).resolve().parents[2]
FLOW = "13-15/service_feedback"


def _cli(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    try:
        code = main(["--config", str(project / "config.toml"), "flows", *args])
    except SystemExit as exc:  # argparse refusing an argument
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _sign(project: Path, capsys: pytest.CaptureFixture[str], *langs: str) -> str:
    args = ["signoff", "service_feedback", "--age-band", "13-15"]
    for lang in langs:
        args += ["--lang", lang]
    code, out = _cli(project, capsys, *args, "--by", "Youth advisory group", "--role", "advisor")
    assert code == 0, out
    return out


def _state(out: str, flow: str, lang: str) -> str:
    line = next(
        row for row in out.splitlines() if row.startswith(flow + " ") and f"  {lang} " in row
    )
    return line


def test_a_signoff_holds_for_its_language_and_content(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _sign(project, capsys, "ro")
    assert "signed off by Youth advisory group" in out
    record = (project / "flows" / FILE_NAME).read_text(encoding="utf-8")
    assert 'flow = "13-15/service_feedback"' in record
    assert 'role = "advisor"' in record
    _, out = _cli(project, capsys, "status")
    assert "signed off by Youth advisory group (advisor)" in _state(out, FLOW, "ro")
    assert "not signed off" in _state(out, FLOW, "ar")
    assert re.search(r"^1 of \d+ signed off as they are now\.$", out, re.MULTILINE), out
    code, _ = _cli(project, capsys, "status", "--strict")
    assert code == 1


def test_changing_a_translation_undoes_that_languages_signoff(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _sign(project, capsys, "ro", "ar")
    po = project / "locales" / "ro" / "LC_MESSAGES" / "safevoice.po"
    text = po.read_text(encoding="utf-8")
    marker = 'msgctxt "13-15/service_feedback/thanks"'
    start = text.index('msgstr "', text.index(marker))
    po.write_text(text[: start + 8] + "Mersi! " + text[start + 8 :], encoding="utf-8")
    _, out = _cli(project, capsys, "status")
    assert "changed since the sign-off" in _state(out, FLOW, "ro")
    assert "signed off by" in _state(out, FLOW, "ar")


def test_changed_content_without_a_version_bump_is_an_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _sign(project, capsys, "en")
    path = project / "flows" / "13-15" / "service_feedback.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("style: faces", "style: numbers", 1), "utf-8")
    code, out = _cli(project, capsys, "validate")
    assert code == 1
    assert "changed since version 1 was signed off" in out
    assert "Raise `version:` to 2" in out
    with pytest.raises(FlowError, match="changed since version 1"):
        load_app(project / "config.toml")
    path.write_text(path.read_text("utf-8").replace("\nversion: 1", "\nversion: 2", 1), "utf-8")
    code, out = _cli(project, capsys, "validate")
    assert code == 0, out
    _, out = _cli(project, capsys, "status")
    assert "changed since the sign-off" in _state(out, FLOW, "en")


def _policy(project: Path, value: str) -> None:
    config = project / "config.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('unsigned = "allow"', f'unsigned = "{value}"'), "utf-8")


def test_refuse_stops_serve_and_run_but_not_chat(project: Path) -> None:
    _policy(project, "refuse")
    with pytest.raises(FlowError, match="nobody signed off") as refused:
        load_app(project / "config.toml", live=True)
    assert "safevoice flows status" in str(refused.value)
    assert load_app(project / "config.toml").flows  # chat, demo and previews still start


def test_warn_starts_and_says_which_flows(project: Path, caplog: pytest.LogCaptureFixture) -> None:
    _policy(project, "warn")
    with caplog.at_level(logging.WARNING):
        assert load_app(project / "config.toml", live=True).flows
    assert any("nobody signed off" in r.getMessage() for r in caplog.records)


async def test_serve_refuses_unsigned_flows_with_a_plain_message(project: Path) -> None:
    _policy(project, "refuse")
    done = await run_safevoice(
        "--config", str(project / "config.toml"), "serve", "--port", "1", env={}
    )
    assert done.returncode == 1
    assert "nobody signed off" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_bad_signoff_input_gets_a_clear_answer(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _cli(
        project, capsys, "signoff", "service_feedback", "--age-band", "13-15",
        "--lang", "xx", "--by", "Group", "--role", "advisor",
    )  # fmt: skip
    assert code == 1
    assert "xx is not a shipped language" in out
    code, out = _cli(
        project, capsys, "signoff", "service_feedback", "--age-band", "13-15",
        "--lang", "ro", "--by", "Group", "--role", "hacker",
    )  # fmt: skip
    assert code == 2
    assert "invalid choice" in out
    (project / "flows" / FILE_NAME).write_text("[[signoff]\nflow = 1\n", encoding="utf-8")
    code, out = _cli(project, capsys, "status")
    assert code == 1
    assert "the sign-off record cannot be read" in out
    assert "Traceback" not in out
