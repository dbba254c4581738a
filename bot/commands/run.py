"""`safevoice run`: the Telegram bot (long polling; `--webhook URL` for webhook mode)."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any
from urllib.parse import urlsplit

from bot import heap
from bot.app import load_app
from bot.errors import ConfigError
from bot.runtime import build_runtime
from bot.services.readiness import refuse_unready


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


def listen_address(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isascii() or not port.isdigit() or not 0 < int(port) < 65536:
        msg = f"--listen wants HOST:PORT, not {value!r}"
        raise ConfigError(msg)
    return host.strip("[]"), int(port)


def main(args: argparse.Namespace) -> int:
    from bot.channels.telegram.runtime import run

    listen = listen_address(str(args.listen))
    if args.webhook is not None:
        parts = urlsplit(args.webhook)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            msg = f"--webhook wants the https:// address Telegram posts to, not {args.webhook!r}"
            raise ConfigError(msg)
    app = load_app(args.config, live=True)
    refuse_unready(app, "run")

    async def go() -> None:
        runtime = build_runtime(app, "run")
        heap.settle()
        try:
            await run(runtime, webhook_url=args.webhook, listen=listen, library=args.library)
        finally:
            await runtime.close()

    asyncio.run(go())
    return 0
