"""`safevoice chat --age-band BAND --lang LANG`: the conversation in a terminal."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from bot.app import App, load_app
from bot.channels.console import run_console
from bot.errors import ConfigError
from bot.runtime import build_runtime


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "chat",
        help="talk to SafeVoice in this terminal",
        description=(
            "The conversation in a terminal, one line per input. Choose an option by its "
            "number or label, type s to skip, /stop or end of input (Ctrl-D) to leave. "
            "Sessions stay in memory; finished feedback goes to the configured database."
        ),
    )
    parser.add_argument("--age-band", help="start as this age band (for example 13-15)")
    parser.add_argument("--lang", help="start in this language (default: the source language)")
    parser.add_argument(
        "--bidi",
        choices=("terminal", "visual"),
        default="terminal",
        help="right-to-left text: laid out by the terminal (default), or reordered here "
        "for terminals that show Arabic backwards (visual)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    app = load_app(args.config)
    config = app.config
    band = args.age_band
    if band is not None:
        config.band(band)  # a ConfigError naming the known bands
    lang = args.lang or config.languages.source
    if lang not in config.languages.shipped:
        known = ", ".join(config.languages.shipped)
        msg = f"unknown language {lang!r}; shipped: {known}"
        raise ConfigError(msg)
    return asyncio.run(_chat(app, lang, band, args.bidi))


async def _chat(app: App, lang: str, band: str | None, bidi: str = "terminal") -> int:
    runtime = build_runtime(app, "chat")
    try:
        return await run_console(
            runtime.conversation, lang=lang, band=band, stdin=sys.stdin, stdout=sys.stdout,
            bidi=bidi,
        )  # fmt: skip
    finally:
        await runtime.close()
