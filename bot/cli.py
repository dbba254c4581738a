"""The `safevoice` command. Each subcommand lives in `bot/commands/<name>.py` and is a
few lines that call the services; this module only dispatches and turns errors into
plain sentences (no traceback ever reaches a person)."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from bot.errors import SafeVoiceError

# Modules under bot.commands, each with `register(subparsers)`; the parser they add sets
# `func(args) -> int`. Their one-line help is repeated here so that `safevoice --help`
# imports none of them (they pull in aiogram, SQLAlchemy, aiohttp...): only the command
# that runs is imported (tests/test_cli.py keeps both copies of the help the same).
COMMANDS: dict[str, str] = {
    "chat": "talk to SafeVoice in this terminal",
    "flows": "check, list and show flow files",
    "report": "aggregated feedback per service and week, small counts hidden",
    "i18n": "translation catalogs (extract, update, ...)",
    "run": "run the Telegram bot (token from SAFEVOICE_TELEGRAM_TOKEN)",
    "serve": "run the web chat, staff dashboard and worker desk (production)",
    "demo": "try SafeVoice in a browser: web chat and staff dashboard on this computer",
    "check": "list what this deployment still lacks (config, secrets, servers)",
    "users": "staff accounts for the web dashboard",
    "purge": "delete feedback older than the retention in config.toml",
    "migrate": "upgrade the database schema (once per SafeVoice upgrade, after a backup)",
}


def _named(argv: Sequence[str] | None) -> str | None:
    """The command `argv` runs, if any (the first word that names one)."""
    words = list(sys.argv[1:] if argv is None else argv)
    for index, word in enumerate(words):
        if word in COMMANDS and (index == 0 or words[index - 1] != "--config"):
            return word
    return None


def build_parser(
    argv: Sequence[str] | None = None, *, every: bool = False
) -> argparse.ArgumentParser:
    """The parser; only the command `argv` names (all with `every`) gets its full
    arguments, the others a placeholder with their help line."""
    parser = argparse.ArgumentParser(
        prog="safevoice",
        description="SafeVoice: anonymous, child-friendly feedback and a way to reach a person.",
    )
    parser.add_argument(
        "--config", help="the config file (default: $SAFEVOICE_CONFIG or ./config.toml)"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log more (never message text)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = _named(argv)
    for name, text in COMMANDS.items():
        if every or name == chosen:
            importlib.import_module(f"bot.commands.{name}").register(sub)
        else:
            sub.add_parser(name, help=text)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except SafeVoiceError as exc:
        print(f"safevoice: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("\nsafevoice: stopped.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
