"""The worker desk on the web: the live queue, a case's conversation, and the actions.

Every handler needs the `worker` role (admins too). Everything a page or a frame shows is
a `case_view`: the label, band, language, service and state of a case, the display name
of the worker answering it, and the relayed text. The mapping (who the young person is)
stays behind `HandoffService`; the web chat visitor's cookie never reaches this module.

The forms post to desk_actions.py; desk_ws.py brings live updates.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from aiohttp import web

from bot.services.staff_time import StaffTime
from bot.staff.accounts import Account
from bot.storage.cases import Case, CaseNote
from bot.web.desk_access import (
    acting_fields,
    desk_actor,
    take_over_form,
    transfer_targets,
    worker_id,
)
from bot.web.desk_tools import block_form, duty_panel, outcome_fields, replies_panel
from bot.web.html import attrs, csrf_field, esc, html_response, options, staff_page
from bot.web.state import WEB, Web, account_of, requires, staff_session

__all__ = [
    "case_page", "case_view", "label_of", "queue_page", "queue_views", "render_case",
    "targets", "who", "worker_id",
]  # fmt: skip

_LABEL = re.compile(r"^#?([A-Z0-9]{3,12})$")
HEADS = ("Case", "State", "Age band", "Language", "Service", "Answered by", "Waiting since")
STATUS = {"waiting": "Waiting", "claimed": "Answered", "closed": "Closed"}


def label_of(value: str) -> str | None:
    """'K7QX' or '#K7QX' from a URL -> '#K7QX'; None for anything else."""
    found = _LABEL.match(value.strip().upper())
    return f"#{found[1]}" if found else None


def who(worker: str) -> str:
    if worker.startswith("web:"):
        return worker.removeprefix("web:")
    return "a worker on the Telegram desk" if worker.startswith("tg:") else "a worker"


def _status(case: Case, me: str) -> str:
    text = STATUS.get(case.status, case.status)
    if case.status == "waiting" and case.offered_to:
        return f"{text} (offered to {'you' if case.offered_to == me else 'a colleague'})"
    if case.status == "waiting" and case.desk:
        return f"{text} (sent to the {'Telegram' if case.desk == 'telegram' else 'web'} desk)"
    return text


def case_view(state: Web, case: Case, me: str) -> dict[str, Any]:
    """What a desk may know about a case: never the mapping, never another desk's ids."""
    config = state.app.config
    service = case.service or ""
    return {
        "label": case.label,
        "id": case.label.lstrip("#"),
        "status": case.status,
        "status_text": _status(case, me),
        "urgent": case.urgent,
        "priority": case.priority and not case.urgent,  # urgent says more; one marker
        "age_band": case.age_band or "not chosen",
        "language": case.language,
        "language_name": config.languages.names.get(case.language, case.language),
        "service": config.service_label(service, "en") if service in config.services else service,
        "reason": case.reason,
        "created": case.created.isoformat(),
        "waiting_since": case.waiting_since.isoformat(),
        # Read by people: the configured zone, 24-hour clock (the browser's zone is not ours).
        "waiting_since_local": StaffTime(config).clock(case.waiting_since),
        "worker_name": case.worker_name or "",
        "mine": case.status == "claimed" and case.worker == me,
        "offered_to_me": case.offered_to == me,
        "desk": case.desk or "",
        "helplines_sent": case.helplines_at is not None,
        "closed_by": case.closed_by or "",
        "overdue": state.cases.overdue(case),  # waiting past answer_within_minutes
    }


async def queue_views(state: Web, account: Account) -> list[dict[str, Any]]:
    """The open cases of the organisations `account` may see, as `case_view`s."""
    actor = desk_actor(account)
    return [case_view(state, case, actor.id) for case in await state.cases.queue(actor)]


def _page(request: web.Request, title: str, body: str, *, case: str = "") -> web.Response:
    state, session = request.app[WEB], staff_session(request)
    page = staff_page(title, body, account=session.account, csrf=session.csrf,
                      demo=state.settings.demo)  # fmt: skip
    page = page.replace(  # the desk's own style and script
        "</head>",
        '<link rel="stylesheet" href="/static/desk.css">'
        '<script src="/static/desk.js" defer></script></head>',
    )
    desk = f'<div id="desk"{attrs(data_csrf=session.csrf, data_case=case)}>'
    return html_response(page.replace('<main id="main">', f'<main id="main">{desk}', 1)
                         .replace("</main>", "</div></main>", 1))  # fmt: skip


def _live_regions() -> str:
    return (
        '<p id="live-state" class="live-state" role="status">Live updates need JavaScript; '
        "reload the page to see changes.</p>"
        '<div id="announce" class="announce" role="alert" aria-live="assertive"></div>'
    )


def _marker(view: dict[str, Any]) -> tuple[str, str]:
    """The badge and the row's class: urgent, priority, or none."""
    if view["urgent"]:
        return '<strong class="badge">Urgent</strong> ', "case urgent"
    if view["priority"]:
        return '<strong class="badge priority">Priority</strong> ', "case priority"
    return "", "case"


OVERDUE = ' <strong class="badge overdue">Overdue</strong>'  # waiting past its time


def _row(view: dict[str, Any]) -> str:
    badge, row_class = _marker(view)
    cells = (view["status_text"], view["age_band"], view["language_name"], view["service"] or "-",
             view["worker_name"] or "-")  # fmt: skip
    tds = "".join(f"<td>{esc(cell)}</td>" for cell in cells)
    return (
        f"<tr{attrs(class_=row_class, data_label=view['id'])}>"
        f'<th scope="row">{badge}<a href="/desk/case/{esc(view["id"])}">{esc(view["label"])}'
        f"</a></th>{tds}<td><time{attrs(datetime=view['waiting_since'])}>"
        f"{esc(view['waiting_since_local'])}</time>"
        f"{OVERDUE if view['overdue'] else ''}</td></tr>"
    )


@requires("worker")
async def queue_page(request: web.Request) -> web.StreamResponse:
    state = request.app[WEB]
    views = await queue_views(state, account_of(request))
    rows = "".join(_row(view) for view in views)
    heads = "".join(f'<th scope="col">{h}</th>' for h in HEADS)
    zone = StaffTime(state.app.config).zone_label()
    empty = "" if views else " hidden"
    duty = await duty_panel(state, account_of(request), staff_session(request).csrf)
    body = (
        f"{_live_regions()}{duty}<p>Young people are shown only by a case label. Urgent cases come "
        "first, then priority cases (for example, a young person who does not feel safe at a "
        f"service). Open a case to answer it. Times are in {esc(zone)}.</p>"
        f'<p id="queue-empty" class="empty"{empty}>No one is waiting.</p>'
        f'<table id="queue" aria-label="Cases"><thead><tr>{heads}</tr></thead>'
        f'<tbody id="queue-rows">{rows}</tbody></table>'
    )
    return _page(request, "Worker desk", body)


async def _case(request: web.Request) -> Case:
    label = label_of(request.match_info["label"])
    actor = desk_actor(account_of(request))
    case = await request.app[WEB].cases.get(label, actor) if label else None
    if case is None:  # another organisation's case answers the same: no label probing
        raise web.HTTPNotFound(text="This case is closed or does not exist.")
    return case


@requires("worker")
async def case_page(request: web.Request) -> web.StreamResponse:
    return await render_case(request, await _case(request))


async def render_case(
    request: web.Request, case: Case, error: str = "", status: int = 200
) -> web.Response:
    state, account = request.app[WEB], account_of(request)
    me, csrf = worker_id(account), staff_session(request).csrf
    view = case_view(state, case, me)
    messages = await state.cases.transcript(case.label)
    notes = await state.cases.notes(case.label)
    remembered = await asyncio.to_thread(state.desk_names.get, account.name)
    choices = await targets(state, account, case)
    base = f"/desk/case/{view['id']}"
    facts = "".join(
        f"<dt>{esc(name)}</dt><dd{attrs(id=f'fact-{key}')}>{esc(view[key] or '-')}</dd>"
        for key, name in (("status_text", "State"), ("age_band", "Age band"),
                          ("language_name", "Language"), ("service", "Service"),
                          ("reason", "Reason"), ("worker_name", "Answered by"))
    )  # fmt: skip
    log = "".join(_message(m.sender, m.name, m.text, m.seq) for m in messages)
    note_items = "".join(_note(n) for n in notes)
    flags = _flags(view)
    body = (
        f'{_live_regions()}<p><a href="/desk">Back to the queue</a></p>'
        + (f'<p class="error" role="alert">{esc(error)}</p>' if error else "")
        + f'<p id="desk-error" class="error" role="alert" hidden></p>'
        f'<p id="urgent-flag" class="badge"{"" if view["urgent"] else " hidden"}>Urgent</p>'
        f'<p id="priority-flag" class="badge priority"{"" if view["priority"] else " hidden"}>'
        "Priority</p>"
        f'<dl id="facts" class="facts">{facts}</dl>'
        '<section aria-labelledby="conv-h"><h2 id="conv-h">Conversation</h2>'
        # The log role on a wrapper: on the <ol> itself it would unmake the list.
        '<div class="transcript-log" role="log" aria-live="polite" aria-labelledby="conv-h">'
        f'<ol id="transcript" class="transcript">{log}</ol></div>'
        f'<form id="send-form" method="post" action="{base}/send" class="live"{flags["send"]}>'
        f'{csrf_field(csrf)}<label for="send-text">Message to the young person</label>'
        '<textarea id="send-text" name="text" rows="3" maxlength="4000" required></textarea>'
        '<button type="submit">Send</button></form>'
        f"{replies_panel(state.cases.replies_for(case), case, state.app.config, flags['send'])}"
        f'<form id="claim-form" method="post" action="{base}/claim" class="live"{flags["claim"]}>'
        f'{csrf_field(csrf)}<label for="display-name">Your display name (all the young '
        "person will see)</label>"
        f'<input id="display-name" name="display_name" maxlength="40" required'
        f"{attrs(value=remembered)}>"
        '<button type="submit">Claim this case</button></form></section>'
        '<section aria-labelledby="notes-h"><h2 id="notes-h">Internal notes</h2>'
        "<p>Notes are for staff only. They are never sent to the young person and are "
        "deleted with the case.</p>"
        f'<ul id="notes" class="notes">{note_items}</ul>'
        f'<form id="note-form" method="post" action="{base}/note" class="live"{flags["open"]}>'
        f'{csrf_field(csrf)}<label for="note-text">New note</label>'
        '<textarea id="note-text" name="text" rows="2" maxlength="4000" required></textarea>'
        '<button type="submit">Add note</button></form></section>'
        f'<section id="actions" aria-labelledby="act-h"{flags["open"]}>'
        '<h2 id="act-h">Hand over or end</h2>'
        f'<form id="transfer-form" method="post" action="{base}/transfer" class="live">'
        f'{csrf_field(csrf)}<label for="transfer-to">Transfer to</label>'
        f'<select id="transfer-to" name="to">{options(choices, None)}</select>'
        f"{acting_fields(case, account, remembered, 'transfer')}"
        '<button type="submit">Transfer</button></form>'
        f'<form id="close-form" method="post" action="{base}/close" class="live">'
        f"{csrf_field(csrf)}{acting_fields(case, account, remembered, 'close')}"
        f"{outcome_fields(state.app.config)}"
        '<button type="submit">Close the case</button> The young person '
        "is told and may rate the conversation.</form>"
        f"{take_over_form(case, account, remembered, csrf, base)}"
        f"{block_form(case, account, remembered, csrf, base, state.app.config)}</section>"
    )
    response = _page(request, f"Case {case.label}", body, case=view["id"])
    response.set_status(status)
    return response


def _flags(view: dict[str, Any]) -> dict[str, str]:
    hidden = " hidden"
    is_open = view["status"] != "closed"
    return {
        "send": "" if view["mine"] else hidden,
        "claim": "" if is_open and not view["mine"] else hidden,
        "open": "" if is_open else hidden,
    }


def _message(sender: str, name: str | None, text: str, seq: int) -> str:
    who = "Young person" if sender == "young_person" else f"{name or 'Worker'} (worker)"
    return (
        f'<li{attrs(class_=f"msg {sender}", data_seq=seq)}><span class="who">{esc(who)}</span> '
        f'<span class="text">{esc(text)}</span></li>'
    )


def _note(note: CaseNote) -> str:
    return (
        f'<li><span class="who">{esc(who(note.worker))}</span> '
        f'<span class="text">{esc(note.text)}</span></li>'
    )


async def targets(state: Web, account: Account, case: Case) -> list[tuple[str, str]]:
    """Where `case` may be transferred: the desks, and web workers who may see it."""
    return await transfer_targets(state, account, case)
