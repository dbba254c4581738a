"""`safevoice demo`: the web chat, the staff dashboard and the worker desk on this computer,
nothing else needed.

In-memory conversations and cases (`HandoffService` on memory stores, wired by `build_web`:
ask for a person in the chat, answer on the desk), SQLite feedback in
./data/demo-feedback.db (its own file, so demo data never mixes with real feedback), made-up
feedback on first start, and a demo admin login (admins may use the worker desk) with a
fresh random password printed at every start.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.app import load_app
from bot.staff.accounts import AccountError, new_password
from bot.storage.feedback import FeedbackStore
from bot.web import WebSettings, build_web, create_app
from bot.web.demo_data import load_demo_feedback

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


def prepare(
    app_config: str | None, data: Path, settings: WebSettings
) -> tuple[web.Application, str]:
    """The demo web application and the demo account's new password."""
    app = load_app(app_config)
    data.mkdir(parents=True, exist_ok=True)
    store = FeedbackStore(f"sqlite:///{(data / 'demo-feedback.db').resolve()}")
    store.create_schema()
    state = build_web(app, store, settings)
    state.accounts.create_schema()
    load_demo_feedback(store, app.config, dt.date.today())
    password = new_password()
    try:
        state.accounts.add(DEMO_ACCOUNT, "admin", ("*",), password)
    except AccountError:
        state.accounts.reset(DEMO_ACCOUNT, password)
    store.audit("demo", "user-reset", DEMO_ACCOUNT)
    return create_app(state), password


def run(args: argparse.Namespace) -> int:
    settings = WebSettings(host=args.host, port=args.port, demo=True)
    if args.neutral_url:
        settings = WebSettings(host=args.host, port=args.port, demo=True,
                               neutral_url=args.neutral_url)  # fmt: skip
    application, password = prepare(args.config, Path(args.data), settings)
    host = f"[{args.host}]" if ":" in args.host else args.host
    base = f"http://{host}:{args.port}"
    print(
        "SafeVoice demo is running. Everything here is made up; nothing is sent anywhere.\n\n"
        f"  Web chat for young people:  {base}/chat\n"
        f"  Staff dashboard:            {base}/dashboard\n"
        f"  Worker desk:                {base}/desk\n"
        f"  Staff login:                {DEMO_ACCOUNT} / {password}\n\n"
        "Press Ctrl+C to stop.",
        flush=True,
    )
    asyncio.run(_serve(application, args.host, args.port))
    return 0


async def _serve(application: web.Application, host: str, port: int) -> None:
    runner = web.AppRunner(application, access_log=None)  # access logs would hold paths
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
