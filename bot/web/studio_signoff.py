"""Sign-off on the web: the same record `safevoice flows signoff` writes (bot/flows/signoff.py,
`signoffs.toml` in the flows folder), with the account's name and role as who signed.

It signs the flow files as they are on disk now (the studio's flows, bot/web/preview_flows.py),
in one language, after the password was typed again (bot/web/reauth.py), as for other
changes that count. Audited as `flow-signoff`.
"""

from __future__ import annotations

import asyncio
import threading
from urllib.parse import urlencode

from aiohttp import web

from bot.errors import FlowError
from bot.flows import signoff, signoff_words
from bot.flows.flow import Flow, FlowSet
from bot.web.html import csrf_field, esc
from bot.web.preview_flows import preview_flows
from bot.web.reauth import fresh, reauth_page
from bot.web.state import WEB, Web, account_of, requires, staff_session
from bot.web.studio_compare import changes_table

__all__ = ["changes_section", "sign", "signoff_section"]

_WRITING = threading.Lock()  # one writer of signoffs.toml per process


def _book(state: Web) -> signoff.SignoffBook:
    return signoff.SignoffBook.load(state.app.base / state.app.config.flows_dir)


async def signoff_section(request: web.Request, flow: Flow, band: str, message: str = "") -> str:
    """Per language: signed off at this content, changed since, or not; and the buttons."""
    state = request.app[WEB]
    translator = preview_flows(request).service.engine.translator
    flows = preview_flows(request).flows
    shipped = state.app.config.languages.shipped
    try:
        book = await asyncio.to_thread(_book, state)
    except FlowError as exc:
        return f'<h2 id="signoff">Sign-off</h2><p class="error">{esc(exc)}</p>'
    rows = [
        r for r in signoff.status(flows, shipped, translator, book)
        if r.flow == signoff.flow_name(flow)
    ]  # fmt: skip
    account = account_of(request)
    csrf = staff_session(request).csrf
    names = state.app.config.languages.names
    action = f"/flows/{esc(flow.scope)}/{esc(flow.id)}/signoff"
    lines = []
    for row in rows:
        name = esc(names.get(row.lang, row.lang))
        button = (
            f'<form method="post" action="{action}" class="inline">{csrf_field(csrf)}'
            f'<input type="hidden" name="lang" value="{esc(row.lang)}">'
            f'<input type="hidden" name="band" value="{esc(band)}">'
            f'<button type="submit">Sign off {name} as it is now</button></form>'
            if account.allows("reviewer") and row.state != "signed off"
            else ""
        )
        short = esc(row.content.removeprefix("sha256:")[:12])
        lines.append(
            f"<tr><th scope=row>{name}</th><td>{esc(row.describe())}</td>"
            f"<td><code>{short}</code></td><td>{button}</td></tr>"
        )
    note = f'<p class="notice" role="status">{esc(message)}</p>' if message else ""
    return (
        f'<h2 id="signoff">Sign-off</h2>{note}<p>Signing off says: young people may see '
        "this flow, in this language, exactly as it is now. Any later change to a text, "
        "an option or a branch undoes it for the languages it touches.</p>"
        "<table><thead><tr><th scope=col>Language</th><th scope=col>State</th>"
        "<th scope=col>Content</th><th scope=col>Sign off</th></tr></thead>"
        f"<tbody>{''.join(lines)}</tbody></table>"
    )


async def changes_section(request: web.Request, flow: Flow, lang: str) -> str:
    """What changed, per step, since `lang`'s last sign-off: texts, options, branches."""
    state = request.app[WEB]
    translator = preview_flows(request).service.engine.translator
    name = esc(state.app.config.languages.names.get(lang, lang))
    head = f'<h2 id="changes">What changed since the sign-off ({name})</h2>'
    where = f"/flows/{flow.scope}/{flow.id}/compare?" + urlencode({"lang": lang})
    compare = f'<p><a href="{esc(where)}">Compare any two versions in {name}</a></p>'
    try:
        book = await asyncio.to_thread(_book, state)
    except FlowError:
        return ""  # the sign-off section says what is wrong with the file
    record = book.latest(signoff.flow_name(flow), lang)
    if record is None:
        return f"{head}<p>Not signed off in {name} yet: everything is new.</p>{compare}"
    if record.content == signoff.content_hash(flow, lang, translator):
        return f"{head}<p>Nothing: it is as {esc(record.by)} signed it off.</p>{compare}"
    flows_dir = state.app.base / state.app.config.flows_dir
    before = await asyncio.to_thread(signoff_words.kept, flows_dir, record.content)
    if before is None:
        return (
            f"{head}<p>It changed, but the words of that sign-off ({esc(record.at[:10])}) "
            f"were not kept (sign-offs before the studio kept only a fingerprint).</p>{compare}"
        )
    rows = signoff_words.changes(before, signoff_words.words(flow, lang, translator))
    return (
        f"{head}<p>Signed off by {esc(record.by)} ({esc(record.role)}) on "
        f"{esc(record.at[:10])}.</p>{changes_table(rows, lang, 'Signed off', 'Now')}{compare}"
    )


@requires("reviewer")
async def sign(request: web.Request) -> web.StreamResponse:
    state = request.app[WEB]
    scope, flow_id = request.match_info["scope"], request.match_info["flow_id"]
    form = await request.post()
    lang, band = str(form.get("lang", "")), str(form.get("band", ""))
    back = f"/flows/{scope}/{flow_id}?" + urlencode({"band": band}) + "#signoff"
    if not fresh(request):
        return reauth_page(request, back)
    preview = preview_flows(request)
    if await asyncio.to_thread(preview.refresh):
        raise web.HTTPConflict(text="The flow files need a fix first (see the flow's page).")
    flow = preview.flows.get(scope, flow_id)
    if flow is None:
        raise web.HTTPNotFound(text="There is no such flow.")
    if lang not in state.app.config.languages.shipped:
        raise web.HTTPBadRequest(text="Please open the flow's page again and try once more.")
    account = account_of(request)
    translator = preview.service.engine.translator

    def record() -> signoff.Signoff:
        with _WRITING:
            book = _book(state)
            only = FlowSet({(flow.scope, flow.id): flow})
            stale = list(signoff.version_problems(only, book))
            if stale:
                raise FlowError(f"{stale[0].message} {stale[0].fix}")
            return signoff.sign(flow, lang, translator, book, by=account.name, role=account.role)

    try:
        done = await asyncio.to_thread(record)
    except FlowError as exc:
        raise web.HTTPConflict(text=str(exc)) from None
    short = done.content.removeprefix("sha256:")[:12]
    detail = f"{done.flow} v{done.version} lang={lang} content={short}"
    await asyncio.to_thread(state.store.audit, account.name, "flow-signoff", detail)
    raise web.HTTPSeeOther(back)
