"""`safevoice purge`: delete free text and records older than the configured retention.

The running web service does the same once a day; this is for cron and for right now.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from bot.runtime import open_database
from bot.staff.retention import purge


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "purge",
        help="delete feedback older than the retention in config.toml",
        description="Deletes free text older than privacy.text_retention_days and whole "
        "records older than privacy.record_retention_days. Written to the audit log.",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with open_database(args.config) as database:
        config = database.config
        done = purge(database.store, config.privacy, dt.date.today(), "cli")
    print(
        f"Deleted {done.texts} free-text answer(s) older than "
        f"{config.privacy.text_retention_days} days and {done.records} record(s) older than "
        f"{config.privacy.record_retention_days} days."
    )
    return 0
