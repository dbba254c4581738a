"""`safevoice serve`: the production web process on the configured database and Redis.

The web chat, the staff dashboard, the worker desk and the flows preview, on the same
stores as `safevoice run`; any number of `serve` processes can run behind a load
balancer. `--with-bot` also runs the Telegram bot (long polling) in this process, for a
small deployment on one machine.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from bot import heap
from bot.app import load_app
from bot.runtime import build_runtime
from bot.services.readiness import refuse_unready
from bot.web import WebSettings, build_web
from bot.web.server import serve_web


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "serve",
        help="run the web chat, staff dashboard and worker desk (production)",
        description="The production web process: web chat, staff dashboard, worker desk and "
        "flows preview on the configured database and Redis. Host and port come from "
        "[web] in the config file.",
    )
    parser.add_argument("--host", help="address to listen on (default: [web] host)")
    parser.add_argument("--port", type=int, help="port (default: [web] port)")
    parser.add_argument(
        "--with-bot",
        action="store_true",
        help="also run the Telegram bot (long polling) in this process",
    )
    parser.add_argument("--library", choices=("aiogram", "ptb"), help="override [telegram] library")
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    app = load_app(args.config, live=True)
    # With the bot, one check for the one process: its web desk answers Telegram cases.
    refuse_unready(app, "serve", with_bot=args.with_bot)
    settings = WebSettings.from_config(app.config.web, host=args.host, port=args.port)

    async def go() -> None:
        runtime = build_runtime(app, "serve")
        try:
            await runtime.ping()
            stop = asyncio.Event()
            application = build_web(runtime, settings)
            heap.settle()
            web = serve_web(application, stop, announce=_announce)
            if not args.with_bot:
                await web
                return
            from bot.channels.telegram.runtime import run

            # The web app already runs the scheduled work for this process.
            bot = run(runtime, library=args.library, stop=stop, scheduled=False)
            await asyncio.gather(web, bot)
        finally:
            await runtime.close()

    asyncio.run(go())
    return 0


def _announce(base: str) -> None:
    print(f"SafeVoice is serving on {base} (web chat /chat, staff /dashboard, desk /desk).",
          flush=True)  # fmt: skip
