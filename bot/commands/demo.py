"""`safevoice demo`: `serve` on embedded defaults, with clearly labelled demo data.

The same runtime as production on memory stores (the real handoff service: ask for a
person in the chat, answer on the desk), SQLite feedback in ./data/demo-feedback.db (its
own file, so demo data never mixes with real feedback), made-up feedback on first start,
and a demo admin login (admins may use the worker desk) with a fresh random password
printed at every start.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

from bot.app import load_app
from bot.runtime import Runtime, build_runtime
from bot.staff.accounts import AccountError, new_password
from bot.web import Web, WebSettings, build_web
from bot.web.demo_data import load_demo_feedback
from bot.web.server import serve_web

DEMO_ACCOUNT = "demo"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="try SafeVoice in a browser: web chat and staff dashboard on this computer",
        description="Runs the web chat and the staff dashboard on localhost with made-up "
        "feedback. Needs no token and no servers.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    parser.add_argument("--data", default="data", help="folder for the demo database")
    parser.add_argument("--neutral-url", help="where 'leave quickly' goes")
    parser.set_defaults(func=run)


def prepare(app_config: str | None, data: Path, settings: WebSettings) -> tuple[Runtime, Web, str]:
    """The demo runtime, its web state and the demo account's new password."""
    app = load_app(app_config)
    data.mkdir(parents=True, exist_ok=True)
    runtime = build_runtime(
        app, "demo", database_url=f"sqlite:///{(data / 'demo-feedback.db').resolve()}"
    )
    load_demo_feedback(runtime.store, app.config, dt.date.today())
    password = new_password()
    try:
        runtime.accounts.add(DEMO_ACCOUNT, "admin", ("*",), password)
    except AccountError:
        runtime.accounts.reset(DEMO_ACCOUNT, password, told=False)
    runtime.store.audit("demo", "user-reset", DEMO_ACCOUNT)
    return runtime, build_web(runtime, settings), password


def run(args: argparse.Namespace) -> int:
    # The demo's made-up data on this machine: its one account logs in with the password
    # printed below, no authenticator app (`safevoice serve` asks admins for one).
    settings = WebSettings(host=args.host, port=args.port, demo=True, mfa_roles=())
    if args.neutral_url:
        settings = WebSettings(host=args.host, port=args.port, demo=True, mfa_roles=(),
                               neutral_url=args.neutral_url)  # fmt: skip
    runtime, state, password = prepare(args.config, Path(args.data), settings)

    def announce(base: str) -> None:
        print(
            "SafeVoice demo is running. Everything here is made up; nothing is sent anywhere.\n"
            "(For a real deployment use `safevoice serve`; see docs/deploy.md.)\n\n"
            f"  Web chat for young people:  {base}/chat\n"
            f"  Staff dashboard:            {base}/dashboard\n"
            f"  Worker desk:                {base}/desk\n"
            f"  Flows preview:              {base}/flows\n"
            f"  Staff login:                {DEMO_ACCOUNT} / {password}\n\n"
            "Press Ctrl+C to stop.",
            flush=True,
        )

    asyncio.run(_serve(runtime, state, announce))
    return 0


async def _serve(runtime: Runtime, state: Web, announce: Any) -> None:
    try:
        await serve_web(state, announce=announce)
    finally:
        await runtime.close()
