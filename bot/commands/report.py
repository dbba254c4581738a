"""`safevoice report`: aggregated feedback, with the same small-cell suppression as the
dashboard (k from config.toml), as a table, CSV or JSON on stdout."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.config import load_config
from bot.errors import ConfigError
from bot.runtime import open_database
from bot.services.report import build_report, render
from bot.storage.records import FeedbackFilters


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report",
        help="aggregated feedback per service and week, small counts hidden",
        description=(
            "Aggregated feedback. Counts below the configured k (privacy.k_threshold), and "
            "any that would give them away, are shown as *. Weeks are ISO weeks: 2026-W01."
        ),
    )
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    parser.add_argument(
        "--service", action="append", default=[], help="only this service (repeat for more)"
    )
    parser.add_argument("--age-band", help="only this age band")
    parser.add_argument("--lang", help="only this language")
    parser.add_argument("--flow", help="only this flow id")
    parser.add_argument("--from", dest="week_from", metavar="WEEK", help="first week, 2026-W01")
    parser.add_argument("--to", dest="week_to", metavar="WEEK", help="last week, 2026-W09")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config, _ = load_config(args.config)
    unknown = [s for s in args.service if s not in config.services]
    if unknown:
        known = ", ".join(config.services)
        msg = f"unknown service {unknown[0]!r}; known: {known}"
        raise ConfigError(msg)
    if args.age_band is not None:
        config.band(args.age_band)  # a ConfigError naming the known bands
    try:
        filters = FeedbackFilters(
            services=tuple(args.service),
            age_band=args.age_band,
            language=args.lang,
            flow_id=args.flow,
            week_from=args.week_from,
            week_to=args.week_to,
        )
    except ValueError as exc:
        msg = f"{exc}; write weeks like 2026-W01"
        raise ConfigError(msg) from None
    # An empty database gives an empty report rather than an error.
    with open_database(args.config) as database:
        report = build_report(database.store, filters, k=config.privacy.k_threshold)
    sys.stdout.write(render(report, args.format))
    return 0
