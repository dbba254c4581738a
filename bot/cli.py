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
# `func(args) -> int`.
COMMANDS = (
    "chat", "flows", "report", "i18n", "run", "serve", "demo", "check", "users", "purge", "migrate",
)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
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
    for name in COMMANDS:
        importlib.import_module(f"bot.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
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
