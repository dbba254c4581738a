"""Shared helpers for the translation tests (the scratch copy `project` is in
tests/fixtures/project.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.commands import i18n as i18n_command
from bot.errors import SafeVoiceError

ROOT = Path(__file__).resolve().parents[2]
# The translated languages in `[languages] shipped` (all but the source, English).
SHIPPED = ("ro", "it", "sr", "bs", "sq", "lv", "sv", "nb", "nl", "de", "sw", "uk", "ar", "fa",
           "ti", "so", "pcm")  # fmt: skip
# Every catalog in locales/: each one must be complete and safe to show before a language
# can be added to `[languages] shipped`.
CATALOGS = tuple(
    sorted(p.parent.parent.name for p in (ROOT / "locales").glob("*/LC_MESSAGES/safevoice.po"))
)


def run_i18n(config: Path, *argv: str) -> int:
    """`safevoice --config CONFIG i18n ARGV...`, with the exit code the CLI would give."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--config")
    i18n_command.register(parser.add_subparsers())
    args = parser.parse_args(["--config", str(config), "i18n", *argv])
    try:
        return int(args.func(args))
    except SafeVoiceError:
        return 1
