"""`safevoice migrate`: bring the SQL database's schema up to this SafeVoice's version.

`safevoice run` and `serve` create a new database at this version but leave upgrading an
existing one to this command, run once (after a backup) per upgrade; it is safe while
other processes run (bot/storage/migrations.py). `--status` only looks: its exit status
is 0 when the database is at this SafeVoice's version, else 1.
"""

from __future__ import annotations

import argparse
from typing import Any

from bot.runtime import open_database
from bot.storage.migrations import HEAD, current, upgrade


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "migrate",
        help="upgrade the database schema (once per SafeVoice upgrade, after a backup)",
        description="Applies the schema migrations the database lacks and prints the "
        "version before and after. A database from SafeVoice 0.1.0 is kept as it is and "
        "marked version 1. Safe while other SafeVoice processes run.",
    )
    parser.add_argument(
        "--status",
        action="store_true",
        help="only print the version; exit 1 when it is not this SafeVoice's",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Opened as it is: --status must change nothing, and the versions are printed first.
    with open_database(args.config, migrate=False) as database:
        store = database.store
        before = current(store.engine)
        print(f"Database {store.safe_url}: schema version {_shown(before)}.")
        if args.status:
            print(_status(before))
            return 0 if before == HEAD else 1
        for migration in upgrade(store.engine):
            print(f"Applied migration {migration.version}: {migration.title}.")
        after = current(store.engine)
    print(f"Schema version {_shown(after)} (was {_shown(before)}): up to date.")
    return 0


def _shown(version: int | None) -> str:
    return "none" if version is None else str(version)


def _status(version: int | None) -> str:
    if version == HEAD:
        return f"Up to date: this SafeVoice uses version {HEAD}."
    if version is not None and version > HEAD:
        return (
            f"Newer than this SafeVoice, which knows versions up to {HEAD}: upgrade SafeVoice "
            "here before starting it against this database."
        )
    return (
        f"This SafeVoice uses version {HEAD}: back the database up, then run `safevoice "
        "migrate` to upgrade it. Existing data is kept."
    )
