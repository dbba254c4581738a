"""Advisors' comments and suggested wording under each step of the flow studio.

Advisors and admins write them (`requires("reviewer")`); everyone who opens the studio
reads them. An author may edit their own comment, and any reviewer may mark one resolved
or reopen it (bot/web/studio_comment_changes.py): a resolved comment is shown folded,
marked "Resolved". The words are the advisors' own, so everything is escaped; the audit
log says who commented on which step, never what they wrote.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Mapping
from urllib.parse import urlencode

from aiohttp import web

from bot.flows.flow import Flow
from bot.flows.steps import StepBase
from bot.storage.flow_comments import FlowComment, SqlFlowComments
from bot.web.html import csrf_field, esc
from bot.web.preview_flows import preview_flows
from bot.web.state import WEB, Web, account_of, requires, staff_session

__all__ = ["MAX_CHARS", "add", "comments_under", "read_words", "store"]

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
        items = "".join(
            _item(c, names, account.name if account.allows("reviewer") else None, csrf, band,
                  lang)
            for c in by_step.get(step.id, [])
        )  # fmt: skip
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


def _when(at: dt.datetime | None) -> str:
    return at.strftime("%d %b %Y %H:%M UTC") if at else ""


def _item(
    comment: FlowComment, names: dict[str, str], writer: str | None, csrf: str, band: str,
    lang: str,
) -> str:  # fmt: skip
    """One comment; for a reviewer (`writer`), the buttons to resolve or reopen it, and
    for its author the form to edit it. A resolved one is folded and marked."""
    shown_lang = names.get(comment.lang, comment.lang)
    wording = (
        f'<p>Suggested wording: <q lang="{esc(comment.lang)}">{esc(comment.suggestion)}</q></p>'
        if comment.suggestion
        else ""
    )
    edited = f" (edited {esc(_when(comment.edited_at))})" if comment.edited_at else ""
    words = (
        f"<p><strong>{esc(comment.account)}</strong>, {esc(_when(comment.created_at))}{edited} "
        f"({esc(shown_lang)}, ages {esc(comment.band)}):</p>"
        f"<p>{esc(comment.text)}</p>{wording}"
    )
    tools = _tools(comment, writer, csrf, band, lang) if writer else ""
    cid = f"comment-{comment.id}"
    if comment.resolved:
        mark = (
            f"by {esc(comment.resolved_by)}, {esc(_when(comment.resolved_at))}: "
            f"the comment by {esc(comment.account)}"
        )
        return (
            f'<li id="{cid}" class="resolved"><details><summary><strong>Resolved</strong> '
            f"<span>{mark}</span></summary>{words}{tools}</details></li>"
        )
    return f'<li id="{cid}">{words}{tools}</li>'


def _tools(comment: FlowComment, writer: str, csrf: str, band: str, lang: str) -> str:
    base = f"/flows/{esc(comment.scope)}/{esc(comment.flow_id)}/comments/{comment.id}"
    hidden = (
        f'{csrf_field(csrf)}<input type="hidden" name="band" value="{esc(band)}">'
        f'<input type="hidden" name="lang" value="{esc(lang)}">'
    )
    verb, label = ("reopen", "Reopen") if comment.resolved else ("resolve", "Mark resolved")
    toggle = (
        f'<form method="post" action="{base}/{verb}" class="inline">{hidden}'
        f'<button type="submit">{label}</button></form>'
    )
    if writer != comment.account:
        return toggle
    n = comment.id
    edit = (
        f'<details class="edit"><summary>Edit your comment</summary>'
        f'<form method="post" action="{base}/edit" class="comment">{hidden}'
        f'<label for="e-{n}">Your comment</label>'
        f'<textarea id="e-{n}" name="text" required maxlength="{MAX_CHARS}">'
        f"{esc(comment.text)}</textarea>"
        f'<label for="es-{n}">Suggested wording (optional)</label>'
        f'<textarea id="es-{n}" name="suggestion" maxlength="{MAX_CHARS}" '
        f'lang="{esc(comment.lang)}">{esc(comment.suggestion or "")}</textarea>'
        '<button type="submit">Save the comment</button></form></details>'
    )
    return toggle + edit


def read_words(form: Mapping[str, object]) -> tuple[str, str | None]:
    """A comment's words and its suggested wording from a form, or a kind 400."""
    text = str(form.get("text", "")).strip()
    suggestion = str(form.get("suggestion", "")).strip() or None
    if not text:
        raise web.HTTPBadRequest(text="Please write a comment first.")
    if len(text) > MAX_CHARS or len(suggestion or "") > MAX_CHARS:
        raise web.HTTPBadRequest(text=f"Please keep a comment under {MAX_CHARS} characters.")
    return text, suggestion


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
    if flow.step(step) is None:
        raise web.HTTPBadRequest(text="That step is not in this flow (was it renamed?).")
    if band not in state.app.config.band_ids or lang not in state.app.config.languages.shipped:
        raise web.HTTPBadRequest(text="Please open the flow's page again and try once more.")
    text, suggestion = read_words(form)
    actor = account_of(request).name
    comment = FlowComment(actor, scope, flow_id, band, lang, step, text, suggestion)
    await asyncio.to_thread(store(state).add, comment)
    # Which step was commented on, never the words.
    detail = f"{scope}/{flow_id} step={step} band={band} lang={lang}"
    await asyncio.to_thread(state.store.audit, actor, "flow-comment", detail)
    query = urlencode({"band": band, "lang": lang})
    raise web.HTTPSeeOther(f"/flows/{scope}/{flow_id}?{query}#step-{step}")
