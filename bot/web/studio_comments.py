"""Advisors' comments and suggested wording under each step of the flow studio.

Advisors and admins write them (`requires("reviewer")`); everyone who opens the studio
reads them. The words are the advisors' own, so everything is escaped; the audit log
says who commented on which step, never what they wrote.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from urllib.parse import urlencode

from aiohttp import web

from bot.flows.flow import Flow
from bot.flows.steps import StepBase
from bot.storage.flow_comments import FlowComment, SqlFlowComments
from bot.web.html import csrf_field, esc
from bot.web.preview_flows import preview_flows
from bot.web.state import WEB, Web, account_of, requires, staff_session

__all__ = ["MAX_CHARS", "add", "comments_under"]

MAX_CHARS = 2000


def store(state: Web) -> SqlFlowComments:
    return SqlFlowComments(state.store.engine)


async def comments_under(
    request: web.Request, flow: Flow, band: str, lang: str
) -> Callable[[StepBase], str]:
    """What to show under each step: its comments, and the form to add one."""
    state = request.app[WEB]
    found = await asyncio.to_thread(store(state).of_flow, flow.scope, flow.id)
    by_step: dict[str, list[FlowComment]] = {}
    for comment in found:
        by_step.setdefault(comment.step, []).append(comment)
    account = account_of(request)
    csrf = staff_session(request).csrf
    names = state.app.config.languages.names
    action = f"/flows/{esc(flow.scope)}/{esc(flow.id)}/comments"

    def under(step: StepBase) -> str:
        items = "".join(_item(c, names) for c in by_step.get(step.id, []))
        shown = f'<ul class="comments">{items}</ul>' if items else ""
        if not account.allows("reviewer"):
            return f"<h4>Comments</h4>{shown or '<p>None yet.</p>'}"
        sid = esc(step.id)
        form = (
            f'<form method="post" action="{action}" class="comment">{csrf_field(csrf)}'
            f'<input type="hidden" name="step" value="{sid}">'
            f'<input type="hidden" name="band" value="{esc(band)}">'
            f'<input type="hidden" name="lang" value="{esc(lang)}">'
            f'<label for="c-{sid}">Your comment on {sid}</label>'
            f'<textarea id="c-{sid}" name="text" required maxlength="{MAX_CHARS}"></textarea>'
            f'<label for="s-{sid}">Suggested wording (optional, in '
            f"{esc(names.get(lang, lang))})</label>"
            f'<textarea id="s-{sid}" name="suggestion" maxlength="{MAX_CHARS}" '
            f'lang="{esc(lang)}"></textarea>'
            '<button type="submit">Add comment</button></form>'
        )
        return f"<h4>Comments</h4>{shown}{form}"

    return under


def _item(comment: FlowComment, names: dict[str, str]) -> str:
    when = comment.created_at.strftime("%d %b %Y %H:%M UTC") if comment.created_at else ""
    lang = names.get(comment.lang, comment.lang)
    wording = (
        f'<p>Suggested wording: <q lang="{esc(comment.lang)}">{esc(comment.suggestion)}</q></p>'
        if comment.suggestion
        else ""
    )
    return (
        f"<li><p><strong>{esc(comment.account)}</strong>, {esc(when)} "
        f"({esc(lang)}, ages {esc(comment.band)}):</p>"
        f"<p>{esc(comment.text)}</p>{wording}</li>"
    )


@requires("reviewer")
async def add(request: web.Request) -> web.StreamResponse:
    state = request.app[WEB]
    scope, flow_id = request.match_info["scope"], request.match_info["flow_id"]
    await asyncio.to_thread(preview_flows(request).refresh)
    flow = preview_flows(request).flows.get(scope, flow_id)
    if flow is None:
        raise web.HTTPNotFound(text="There is no such flow.")
    form = await request.post()
    step, band, lang = (str(form.get(name, "")) for name in ("step", "band", "lang"))
    text = str(form.get("text", "")).strip()
    suggestion = str(form.get("suggestion", "")).strip() or None
    if flow.step(step) is None:
        raise web.HTTPBadRequest(text="That step is not in this flow (was it renamed?).")
    if band not in state.app.config.band_ids or lang not in state.app.config.languages.shipped:
        raise web.HTTPBadRequest(text="Please open the flow's page again and try once more.")
    if not text:
        raise web.HTTPBadRequest(text="Please write a comment first.")
    if len(text) > MAX_CHARS or len(suggestion or "") > MAX_CHARS:
        raise web.HTTPBadRequest(text=f"Please keep a comment under {MAX_CHARS} characters.")
    actor = account_of(request).name
    comment = FlowComment(actor, scope, flow_id, band, lang, step, text, suggestion)
    await asyncio.to_thread(store(state).add, comment)
    # Which step was commented on, never the words.
    detail = f"{scope}/{flow_id} step={step} band={band} lang={lang}"
    await asyncio.to_thread(state.store.audit, actor, "flow-comment", detail)
    query = urlencode({"band": band, "lang": lang})
    raise web.HTTPSeeOther(f"/flows/{scope}/{flow_id}?{query}#step-{step}")
