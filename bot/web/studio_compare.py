"""Any two versions of a flow side by side, per step, in one language: texts, options,
where each answer leads and the branches.

A version is one an advisory group can name: a recorded sign-off (its words are kept in
`flows/signoffs/`, bot/flows/signoff_words.py) or the flow files as they are now. The
comparison is the same one "what changed since the sign-off" shows on the flow's page
(`signoff_words.changes`, rendered by `changes_table`), between any two of them.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from aiohttp import web

from bot.errors import FlowError
from bot.flows import signoff, signoff_words
from bot.flows.flow import COMMON
from bot.web.html import esc, html_response, options, staff_page
from bot.web.preview_flows import preview_flows
from bot.web.state import WEB, account_of, requires, staff_session

__all__ = ["NOW", "changes_table", "page"]

NOW = "now"  # the flow files as they are on disk


def changes_table(
    rows: list[tuple[str, str, str | None, str | None]], lang: str, old: str, new: str,
    step_href: str = "",
) -> str:  # fmt: skip
    """(step, what, old words, new words) as a table; each step links to its place on
    the flow's page (`step_href` + "#step-<id>")."""
    lines = [
        f'<tr><th scope=row><a href="{esc(step_href)}#step-{esc(step)}">{esc(step)}</a></th>'
        f"<td>{esc(part)}</td><td>{_shown(before, lang)}</td><td>{_shown(after, lang)}</td></tr>"
        for step, part, before, after in rows
    ]
    return (
        "<table><thead><tr><th scope=col>Step</th><th scope=col>What</th>"
        f"<th scope=col>{esc(old)}</th><th scope=col>{esc(new)}</th></tr></thead>"
        f"<tbody>{''.join(lines)}</tbody></table>"
    )


def _shown(words: str | None, lang: str) -> str:
    return (
        f'<span lang="{esc(lang)}">{esc(words)}</span>' if words is not None else "<em>(none)</em>"
    )


def _ref(record: signoff.Signoff) -> str:
    return record.content.removeprefix("sha256:")[:16]


def _label(record: signoff.Signoff) -> str:
    return (
        f"Version {record.version}, signed off by {record.by} ({record.role}) on {record.at[:10]}"
    )


@requires("advisor")
async def page(request: web.Request) -> web.StreamResponse:
    state = request.app[WEB]
    preview = preview_flows(request)
    await asyncio.to_thread(preview.refresh)
    flow = preview.flows.get(request.match_info["scope"], request.match_info["flow_id"])
    if flow is None:
        raise web.HTTPNotFound(text="There is no such flow.")
    config = state.app.config
    lang = request.query.get("lang", "")
    if lang not in config.languages.shipped:
        lang = config.languages.source
    band = request.query.get("band", "")
    if band not in config.band_ids:
        band = flow.scope if flow.scope != COMMON else config.band_ids[0]
    flows_dir = state.app.base / config.flows_dir
    try:
        book = await asyncio.to_thread(signoff.SignoffBook.load, flows_dir)
    except FlowError as exc:
        raise web.HTTPConflict(text=str(exc)) from None
    # Every version with its words: the sign-offs in this language, oldest first, and now.
    versions: dict[str, tuple[str, signoff_words.Words]] = {}
    lost = 0
    name = signoff.flow_name(flow)
    for record in sorted(book.records, key=lambda r: r.at):
        if record.flow != name or record.lang != lang:
            continue
        kept = await asyncio.to_thread(signoff_words.kept, flows_dir, record.content)
        if kept is None:
            lost += 1
        else:
            versions[_ref(record)] = (_label(record), kept)
    now = signoff_words.words(flow, lang, preview.service.engine.translator)
    versions[NOW] = ("Now (the flow files as they are)", now)
    refs = list(versions)
    old = request.query.get("from", refs[-2] if len(refs) > 1 else NOW)
    new = request.query.get("to", NOW)
    unknown = [ref for ref in (old, new) if ref not in versions]
    names = config.languages.names
    shown = esc(names.get(lang, lang))
    back = f"/flows/{flow.scope}/{flow.id}?" + urlencode({"band": band, "lang": lang})
    choices = [(ref, label) for ref, (label, _) in versions.items()]
    form = (
        f'<form method="get" class="filters" action="/flows/{esc(flow.scope)}/{esc(flow.id)}'
        f'/compare"><input type="hidden" name="lang" value="{esc(lang)}">'
        f'<input type="hidden" name="band" value="{esc(band)}">'
        f'<label for="c-from">From</label><select id="c-from" name="from">'
        f"{options(choices, old)}</select>"
        f'<label for="c-to">To</label><select id="c-to" name="to">{options(choices, new)}'
        '</select><button type="submit">Compare</button></form>'
    )
    intro = (
        f"<p>Pick two versions of this flow in {shown}: any sign-off, or the flow files as "
        "they are now. Each step whose texts, options, answers' targets or branches differ "
        f'is listed. <a href="{esc(back)}">Back to the flow</a>.</p>'
    )
    if lost:
        intro += (
            f"<p>{lost} older sign-off(s) in {shown} kept only a fingerprint, not the words, "
            "so they cannot be compared.</p>"
        )
    if unknown:
        result = (
            '<p class="error" role="alert">That version is not one recorded for this flow '
            f"in {shown}. Please pick two from the lists.</p>"
        )
    else:
        rows = signoff_words.changes(versions[old][1], versions[new][1])
        result = (
            f'<h2 id="compared">From “{esc(versions[old][0])}” to “{esc(versions[new][0])}”</h2>'
        )
        result += (
            changes_table(rows, lang, "From", "To", back)
            if rows
            else "<p>No differences: both versions say the same.</p>"
        )
    body = f"{intro}{form}{result}"
    html = staff_page(
        f"Compare versions: {flow.header.title}",
        body,
        account=account_of(request),
        csrf=staff_session(request).csrf,
        demo=state.settings.demo,
    )
    return html_response(html, status=400 if unknown else 200)
