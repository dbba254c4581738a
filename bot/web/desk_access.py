"""Who a web desk account is to the cases: an `Actor` of its organisations, and the parts
of the case page that only a supervisor, or someone acting on a case that is not theirs,
is shown (the reason, the name the young person will read, "take over").

A case of an organisation the account may not see does not exist for it: the queue, the
case page, every action and the websocket answer as for a closed case.
"""

from __future__ import annotations

import asyncio

from bot.services.case_access import REASONS, Actor
from bot.staff.accounts import Account
from bot.storage.cases import Case
from bot.web.html import attrs, csrf_field, esc, options
from bot.web.state import Web

__all__ = [
    "DESKS", "acting_fields", "desk_actor", "take_over_form", "transfer_targets", "worker_id",
]  # fmt: skip

DESKS = (("desk:web", "the web desk (any worker)"), ("desk:telegram", "the Telegram staff group"))


def worker_id(account: Account) -> str:
    return f"web:{account.name}"


def desk_actor(account: Account) -> Actor:
    organisations = None if account.sees_all else frozenset(account.scopes)
    return Actor(worker_id(account), organisations, account.allows("supervisor"))


def _colleagues(case: Case | None, actor: Actor) -> bool:
    """A case claimed by someone else: acting on it needs a supervisor and a reason."""
    return case is not None and case.status == "claimed" and case.worker != actor.id


def acting_fields(case: Case, account: Account, remembered: str, form: str) -> str:
    """Inside the close or transfer form: the reason a supervisor gives for acting on a
    colleague's case, and (closing a case that is not theirs) the name the young person
    will be told ended the chat."""
    actor = desk_actor(account)
    parts = []
    if _colleagues(case, actor) and actor.supervisor:
        parts.append(
            f'<label for="{form}-reason">Why (a supervisor acting on a colleague\'s case; '
            "kept in the audit log)</label>"
            f'<select id="{form}-reason" name="reason" required>'
            f"{options(list(REASONS.items()), None)}</select>"
        )
    mine = case.status == "claimed" and case.worker == actor.id
    if form == "close" and not mine:
        # Not `required`: the worker may claim the case on this page before closing it,
        # and then the name they claimed with is the one the young person is told.
        parts.append(
            f'<label for="close-name">Your display name, if you have not claimed the case '
            "(the young person is told who ended the chat)</label>"
            f'<input id="close-name" name="display_name" maxlength="40"'
            f"{attrs(value=remembered)}>"
        )
    return "".join(parts)


def take_over_form(case: Case, account: Account, remembered: str, csrf: str, base: str) -> str:
    """A supervisor answers a colleague's case themself; the young person is told."""
    actor = desk_actor(account)
    if not (case.open and actor.supervisor and _colleagues(case, actor)):
        return ""
    return (
        f'<form id="take-over-form" method="post" action="{base}/take-over" class="live">'
        f"{csrf_field(csrf)}<h3>Take over from {esc(case.worker_name or 'a colleague')}</h3>"
        '<label for="take-over-name">Your display name (all the young person will see)</label>'
        f'<input id="take-over-name" name="display_name" maxlength="40" required'
        f"{attrs(value=remembered)}>"
        '<label for="take-over-reason">Why (kept in the audit log)</label>'
        f'<select id="take-over-reason" name="reason" required>'
        f"{options(list(REASONS.items()), None)}</select>"
        '<button type="submit">Take over this case</button></form>'
    )


async def transfer_targets(state: Web, account: Account, case: Case) -> list[tuple[str, str]]:
    """The desks that would show `case` (no Telegram group for its organisation: not
    that one), and the web workers who may see it (its organisation's)."""
    organisation = state.cases.organisation_of(case)
    reach = state.cases.receiving_desks(case)
    desks = [(value, name) for value, name in DESKS if value.removeprefix("desk:") in reach]
    accounts = await asyncio.to_thread(state.accounts.all)
    workers = [
        (worker_id(a), f"{a.name} (web desk)")
        for a in accounts
        if a.allows("worker") and not a.disabled and a.name != account.name
        and a.sees(organisation)
    ]  # fmt: skip
    return [*desks, *workers]
