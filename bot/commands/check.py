"""`safevoice check`: what a deployment lacks, as a checklist.

Reads the config file and the environment, then tries the database and Redis. Exit 0
when nothing fails (warnings allowed), 1 otherwise; nothing is changed anywhere.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from redis.asyncio import Redis

from bot.app import load_app
from bot.errors import SafeVoiceError
from bot.runtime import needs_migrate, open_database
from bot.services.readiness import Item, checklist
from bot.staff.accounts import Accounts
from bot.storage.migrations import HEAD, current, is_empty
from bot.storage.redis_errors import RedisErrors


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "check", help="list what this deployment still lacks (config, secrets, servers)"
    )
    parser.add_argument(
        "--for",
        dest="modes",
        choices=("run", "serve"),
        action="append",
        help="check only for this process (default: both)",
    )
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    try:
        app = load_app(args.config)
    except SafeVoiceError as exc:
        print(Item("fail", "the config, flows or translations cannot be loaded", str(exc)))
        return 1
    items = checklist(app, tuple(args.modes or ("run", "serve")))
    items.append(_database(args.config, app.settings.database_url))
    items.append(asyncio.run(_redis(app.settings.redis_url)))
    for item in items:
        print(item)
    failed = sum(item.level == "fail" for item in items)
    print(f"\n{failed} problem(s) to fix." if failed else "\nReady.")
    return 1 if failed else 0


def _database(config: str | None, url: str) -> Item:
    """The database as `run` and `serve` would find it: they create an empty one, but
    refuse one that needs `safevoice migrate` (bot/runtime.py, `needs_migrate`)."""
    try:
        with open_database(config, url=url, migrate=False) as database:
            engine = database.store.engine
            empty, version, refusal = is_empty(engine), current(engine), needs_migrate(engine)
            staff = _staff_keys(database.accounts) if version == HEAD else None
    except SafeVoiceError as exc:
        return Item("fail", "the database cannot be reached", str(exc))
    if empty:
        return Item("warn", "the database is empty", "`safevoice migrate` (or the first start) "
                    "creates the tables")  # fmt: skip
    if refusal is not None:
        text, _, fix = refusal.partition(". ")
        return Item("fail", f"{text}: `run` and `serve` refuse it", fix)
    if version is not None and version > HEAD:
        newer = f"the database schema is at version {version}, newer than this SafeVoice ({HEAD})"
        return Item("fail", newer, "upgrade SafeVoice to the version that migrated it")
    return staff or Item("ok", f"the database answers (schema version {version})")


def _staff_keys(accounts: Accounts) -> Item | None:
    """A secret key that differs from the one the staff rows were made with (a typo on
    a new machine, a change without SAFEVOICE_PREVIOUS_SECRET_KEYS) locks staff out:
    say so before they find out at the login page. Nothing is said without a key."""
    if accounts.hashes.keys is None:
        return None
    passwords, apps = accounts.locked_out()
    if not passwords and not apps:
        return None
    return Item("warn", f"{passwords} staff password(s) and {apps} authenticator key(s) were "
                "made with a secret key this deployment does not have",
                "give the earlier key in SAFEVOICE_PREVIOUS_SECRET_KEYS (or check "
                "SAFEVOICE_SECRET_KEY for a typo); else `safevoice users reset NAME` and "
                "`reset-mfa NAME` (docs/deploy.md 5.3)")  # fmt: skip


async def _redis(url: str) -> Item:
    errors = RedisErrors(url, "Redis")
    client = Redis.from_url(url, socket_connect_timeout=2.0, socket_timeout=2.0)
    try:
        with errors():
            await client.ping()
    except SafeVoiceError as exc:
        return Item("fail", "Redis cannot be reached", f"{exc}; set SAFEVOICE_REDIS_URL")
    finally:
        await client.aclose()
    return Item("ok", f"Redis answers at {errors.where}")
