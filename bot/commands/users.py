"""`safevoice users`: staff accounts for the dashboard (add, list, disable, enable, reset,
reset-mfa, password).

New passwords are random and printed once; `password` sets one the person types (asked
twice, never echoed, checked like every password). Every change goes to the audit log.
"""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Callable
from typing import Any

from bot.runtime import end_staff_sessions, open_database
from bot.staff.accounts import ROLES, AccountError, Accounts, new_password
from bot.staff.keys import MissingSecretKey
from bot.storage.feedback import FeedbackStore

Ask = Callable[[str], str]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("users", help="staff accounts for the web dashboard")
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="add an account; prints its new password once")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument(
        "--scope",
        nargs="+",
        default=[],
        metavar="ORG",
        help="organisations it may see (config services' `organisation`); * for all",
    )
    sub.add_parser("list", help="list accounts")
    for action, text in (
        ("disable", "stop an account from logging in (ends its sessions)"),
        ("enable", "let a disabled account log in again"),
        ("reset", "give an account a new random password"),
        ("reset-mfa", "remove an account's authenticator app (lost phone and codes)"),
        ("password", "set an account's password to one typed now (asked twice)"),
    ):
        sub.add_parser(action, help=text).add_argument("name")
    parser.set_defaults(func=run)


# Changes after which the account's open web logins must end at once (a disabled
# account's end by themselves: the web re-reads the account at every request).
ENDS_LOGINS = ("reset", "password", "reset-mfa")
ISSUED = (
    "It opens only their account page, to choose their own password at their first login, "
    "and expires if unused ([web] issued_password_hours)."
)


def run(args: argparse.Namespace) -> int:
    with open_database(args.config) as database:
        try:
            status = _act(args, database.store, database.accounts, getpass.getpass)
        except (AccountError, MissingSecretKey) as err:
            print(f"safevoice: {err}")
            return 2
    if status == 0 and args.action in ENDS_LOGINS:
        if end_staff_sessions(args.config, args.name):
            print(f"{args.name}'s open web logins have ended.")
        else:
            print(
                "safevoice: Redis could not be reached, so open web logins of this account "
                "end only at their timeout (30 minutes idle, 12 hours at most)"
            )
    return status


def _act(args: argparse.Namespace, store: FeedbackStore, accounts: Accounts, ask: Ask) -> int:
    if args.action == "list":
        for account in accounts.all():
            state = "disabled" if account.disabled else "active"
            mfa = "app" if accounts.second_factor.enrolled(account.name) else "password"
            scopes = ",".join(account.scopes) or "-"
            print(f"{account.name}\t{account.role}\t{scopes}\t{state}\t{mfa}")
        return 0
    if args.action == "reset-mfa":
        accounts.remove_second_factor(args.name)
        store.audit("cli", "user-mfa-reset", args.name)
        print(f"{args.name} logs in with the password only until they set up a new app.")
        return 0
    if args.action == "password":
        typed = ask(f"New password for {args.name}: ")
        if ask("The same again: ") != typed:
            print("safevoice: the two passwords are not the same; nothing changed")
            return 2
        accounts.reset(args.name, typed, issued=True)
        store.audit("cli", "user-password", args.name)
        print(f"{args.name}: password changed.")
        print(ISSUED)
        return 0
    password = new_password()
    if args.action == "add":
        if args.role not in ("admin", "advisor") and not args.scope:  # advisors hold none
            print("safevoice: give --scope ORG (or --scope '*') so the account sees something")
            return 2
        account = accounts.add(args.name, args.role, tuple(args.scope), password, issued=True)
        detail = f"{account.name} role={account.role} scopes={','.join(account.scopes)}"
        store.audit("cli", "user-add", detail)
        print(f"Added {account.name} ({account.role}). Password (shown only now): {password}")
        print(ISSUED)
    elif args.action == "reset":
        accounts.reset(args.name, password, issued=True)
        store.audit("cli", "user-reset", args.name)
        print(f"New password for {args.name} (shown only now): {password}")
        print(ISSUED)
    else:
        accounts.set_disabled(args.name, args.action == "disable")
        store.audit("cli", f"user-{args.action}", args.name)
        print(f"{args.name}: {args.action}d.")
    return 0
