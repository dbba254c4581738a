"""`safevoice --help` starts fast: it imports no command and no heavy library."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
from pathlib import Path

from bot.cli import COMMANDS, build_parser

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("aiogram", "telegram", "sqlalchemy", "aiohttp", "redis", "babel", "pydantic")


def test_help_imports_no_command_and_no_heavy_library() -> None:
    probe = (
        "import sys, contextlib, io\n"
        "from bot.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['--help'])\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = done.stdout.split()
    assert [m for m in loaded if m.split(".")[0] in HEAVY] == []
    assert [m for m in loaded if m.startswith("bot.commands.")] == []


def test_help_lines_match_each_command_module() -> None:
    parser = build_parser(every=True)
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {choice.dest: choice.help for choice in sub._choices_actions}
    assert helps == COMMANDS
    for name in COMMANDS:
        assert hasattr(importlib.import_module(f"bot.commands.{name}"), "register")


def test_a_command_after_config_still_gets_its_arguments() -> None:
    args = build_parser(["--config", "x.toml", "report", "--help-not"]).parse_known_args(
        ["--config", "x.toml", "report"]
    )[0]
    assert args.command == "report"
    assert callable(args.func)
