"""The web desk's worker tools: approved replies, the outcome form on close, blocking an
abusive sender, and "I am on duty". The parts of a page are built here and placed by
desk.py; the two actions (`block`, `duty`) post like the desk's other forms.

Blocking names the case, never the person: the service finds the pseudonymous key behind
the label itself (bot/services/desk_tools.py), so nothing here ever holds it.
"""

from __future__ import annotations

from aiohttp import web

from bot.config import Config
from bot.services.cases import CaseError, CaseNotFound
from bot.services.desk_tools import ReplyChoice
from bot.staff.accounts import Account
from bot.storage.cases import Case
from bot.web.desk_access import acting_fields, desk_actor
from bot.web.html import attrs, csrf_field, esc, options
from bot.web.state import WEB, Web, account_of, requires

__all__ = [
    "block", "block_form", "duty", "duty_panel", "outcome_fields", "replies_panel",
]  # fmt: skip


def replies_panel(replies: list[ReplyChoice], case: Case, config: Config, hidden: str) -> str:
    """Approved replies in the case's language: a button puts one in the message box to
    change and send; without JavaScript, the texts are there to copy."""
    if not replies:
        return ""
    names = config.languages.names
    items = []
    for reply in replies:
        other = (
            f" <em>(in {esc(names.get(reply.lang, reply.lang))}: none in this language)</em>"
            if reply.lang != case.language
            else ""
        )
        items.append(
            f'<li><button type="button" class="reply-pick"'
            f"{attrs(data_text=reply.text, lang=reply.lang)}>{esc(reply.title)}</button>"
            f'{other} <span class="reply-text"{attrs(lang=reply.lang)}>{esc(reply.text)}</span>'
            "</li>"
        )
    return (
        f'<details id="replies" class="replies"{hidden}><summary>Approved replies</summary>'
        "<p>Pick one to put it in the message box; change it as you need, then send.</p>"
        f"<ul>{''.join(items)}</ul></details>"
    )


def outcome_fields(config: Config) -> str:
    """Inside the close form: what the case was about and how it ended (counted on the
    dashboard without the label, the worker or any note)."""
    desk, parts = config.desk, []
    if desk.categories:
        boxes = "".join(
            f'<label class="check"><input type="checkbox" name="category"'
            f"{attrs(value=key)}> {esc(label)}</label>"
            for key, label in desk.categories.items()
        )
        parts.append(f"<fieldset><legend>What was it about? (any)</legend>{boxes}</fieldset>")
    if desk.outcomes:
        radios = "".join(
            f'<label class="check"><input type="radio" name="outcome"'
            f"{attrs(value=key)}> {esc(label)}</label>"
            for key, label in desk.outcomes.items()
        )
        parts.append(f"<fieldset><legend>How did it end?</legend>{radios}</fieldset>")
    return "".join(parts)


def block_form(
    case: Case, account: Account, remembered: str, csrf: str, base: str, config: Config
) -> str:
    """Block the sender of this case for a while. Who they are stays hidden."""
    if not case.open:
        return ""
    lengths = [(str(h), _length(h)) for h in config.desk.block_hours]
    return (
        f'<form id="block-form" method="post" action="{base}/block" class="live">'
        f"{csrf_field(csrf)}<p>If the sender is abusive, you can block them for a while. "
        "You will not learn who they are. The case closes; they are told kindly that the "
        "chat has ended for now, and get the helplines. A clear danger signal still "
        "reaches a worker.</p>"
        '<label for="block-hours">Block for</label>'
        f'<select id="block-hours" name="hours">{options(lengths, None)}</select>'
        f"{acting_fields(case, account, remembered, 'block')}"
        '<button type="submit">Block the sender</button></form>'
    )


def _length(hours: int) -> str:
    if hours % 24 == 0:
        days = hours // 24
        return f"{days} day" if days == 1 else f"{days} days"
    return f"{hours} hour" if hours == 1 else f"{hours} hours"


async def duty_panel(state: Web, account: Account, csrf: str) -> str:
    """Who is on duty now (a count), and the worker's own button."""
    me = desk_actor(account).id
    on_duty = await state.cases.on_duty()
    mine = me in on_duty
    people = f"{len(on_duty)} worker" + ("" if len(on_duty) == 1 else "s")
    count = f"On duty now: {people}" + (", you among them." if mine else ".")
    policy = state.app.config.desk.on_duty
    hint = (
        " When nobody is on duty, young people are not told a worker will answer soon."
        if policy == "workers"
        else ""
    )
    button = "End my duty" if mine else "I am on duty"
    value = "end" if mine else "start"
    return (
        f'<form id="duty-form" method="post" action="/desk/duty" class="duty">'
        f"{csrf_field(csrf)}"
        f'<p id="duty-count">{esc(count)}{esc(hint)}</p>'
        f'<input type="hidden" name="duty" value="{value}">'
        f'<button type="submit">{button}</button></form>'
    )


@requires("worker")
async def duty(request: web.Request) -> web.StreamResponse:
    state = request.app[WEB]
    me = desk_actor(account_of(request)).id
    form = await request.post()
    if form.get("duty") == "end":
        await state.cases.end_duty(me)
    else:
        await state.cases.start_duty(me)
    raise web.HTTPSeeOther("/desk")


@requires("worker")
async def block(request: web.Request) -> web.StreamResponse:
    from bot.web.desk import label_of, render_case  # desk.py places these tools

    state, me = request.app[WEB], desk_actor(account_of(request))
    label = label_of(request.match_info["label"])
    form = await request.post()
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        if label is None:
            raise CaseNotFound("This case is closed or does not exist.")
        raw = str(form.get("hours", ""))
        hours = int(raw) if raw.isdigit() and len(raw) < 6 else 0  # 0: "choose how long"
        await state.cases.block(label, me, hours, str(form.get("reason", "")) or None)
    except CaseError as exc:
        if wants_json:
            return web.json_response({"error": str(exc)}, status=409)
        case = await state.cases.get(label, me) if label else None
        if case is None:
            raise web.HTTPNotFound(text=str(exc)) from None
        return await render_case(request, case, str(exc), 409)
    if wants_json:
        return web.json_response({"ok": True})
    raise web.HTTPSeeOther("/desk")
