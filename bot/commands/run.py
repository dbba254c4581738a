"""`safevoice run`: the Telegram bot (long polling; `--webhook URL` for webhook mode)."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from bot.app import load_app
from bot.errors import ConfigError


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "run", help="run the Telegram bot (token from SAFEVOICE_TELEGRAM_TOKEN)"
    )
    parser.add_argument(
        "--webhook", metavar="URL", help="public HTTPS URL Telegram posts updates to"
    )
    parser.add_argument(
        "--listen", default="127.0.0.1:8443", help="HOST:PORT for webhook mode (behind a proxy)"
    )
    parser.add_argument("--library", choices=("aiogram", "ptb"), help="override [telegram] library")
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from bot.channels.telegram.runtime import run

    host, _, port = str(args.listen).rpartition(":")
    if not host or not port.isdigit():
        msg = f"--listen wants HOST:PORT, not {args.listen!r}"
        raise ConfigError(msg)
    app = load_app(args.config)
    asyncio.run(run(app, webhook_url=args.webhook, listen=(host, int(port)), library=args.library))
    return 0
