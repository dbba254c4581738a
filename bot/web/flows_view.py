"""The flows, per age band and language, as diagrams with a "try it" link into the web chat.

For survivor advisory groups who co-design flows: read a flow as boxes and arrows, then try
it in any band and language. "Try it" opens the chat in preview mode: nothing is recorded.
Both show the flow files as they are now (bot/web/preview_flows.py): an edit needs no restart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import PurePath
from urllib.parse import urlencode

from aiohttp import web

from bot.flows.flow import COMMON, Flow, FlowSet
from bot.flows.steps import StepBase
from bot.web.flow_diagram import Say, diagram, exits, options_of
from bot.web.html import attrs, esc, html_response, staff_page
from bot.web.preview_flows import preview_flows
from bot.web.state import WEB, Web, account_of, requires, staff_session
from bot.web.studio_comments import comments_under
from bot.web.studio_signoff import changes_section, signoff_section

__all__ = ["detail", "index", "sayer"]


def _try_links(state: Web, flow_id: str, band: str) -> str:
    config = state.app.config
    links = []
    for lang in config.languages.shipped:
        href = "/chat?" + urlencode({"flow": flow_id, "band": band, "lang": lang})
        name = config.languages.names.get(lang, lang)
        links.append(
            f'<a class="try" target="_blank" rel="noopener"{attrs(href=href, hreflang=lang)}>'
            f"Try it: {esc(name)}</a>"
        )
    return " ".join(links)


@requires("advisor")
async def index(request: web.Request) -> web.StreamResponse:
    state = request.app[WEB]
    flows, problems = await _current(request)
    sections = []
    for band in state.app.config.band_ids:
        ids = sorted({flow.id for flow in flows if flow.scope in (band, COMMON)})
        rows = []
        for flow_id in ids:
            flow = flows.resolve(band, flow_id)
            if flow is None:
                continue
            href = f"/flows/{flow.scope}/{flow.id}?band={band}"
            rows.append(
                f"<tr><th scope=row><a{attrs(href=href)}>{esc(flow.header.title)}</a></th>"
                f"<td>{esc(flow.id)}{' (shared)' if flow.scope == COMMON else ''}</td>"
                f"<td>{'yes' if flow.header.feedback else ''}</td>"
                f"<td>{_try_links(state, flow.id, band)}</td></tr>"
            )
        sections.append(
            f'<section aria-labelledby="band-{esc(band)}"><h2 id="band-{esc(band)}">Ages '
            f"{esc(band)}</h2><table><thead><tr><th scope=col>Flow</th><th scope=col>Id</th>"
            "<th scope=col>Feedback</th><th scope=col>Try it</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></section>"
        )
    intro = (
        "<p>Each flow as a diagram, and a way to try it in the web chat in any language. "
        "Answers given while trying a flow are not saved.</p>"
    )
    page = staff_page(
        "Flows",
        problems + intro + "".join(sections),
        account=account_of(request),
        csrf=staff_session(request).csrf,
        demo=state.settings.demo,
    )
    return html_response(page)


@requires("advisor")
async def detail(request: web.Request) -> web.StreamResponse:
    state = request.app[WEB]
    flows, problems = await _current(request)
    flow = flows.get(request.match_info["scope"], request.match_info["flow_id"])
    if flow is None:
        raise web.HTTPNotFound(text="There is no such flow.")
    band = request.query.get("band", "")
    if band not in state.app.config.band_ids:
        band = flow.scope if flow.scope != COMMON else state.app.config.band_ids[0]
    languages = state.app.config.languages
    lang = request.query.get("lang", "")
    if lang not in languages.shipped:
        lang = languages.source
    say = sayer(state, flow, lang)
    under = await comments_under(request, flow, band, lang)
    body = (
        f"{problems}<p>{esc(flow.header.description)}</p>"
        f"<p>File: <code>{esc(flow.scope)}/{esc(PurePath(flow.path).name)}</code>. "
        f"Version {flow.header.version}.</p>"
        f"<p>{_try_links(state, flow.id, band)}</p>"
        "<p>While you try it, keep this page open beside the chat: the diagram and the "
        "list of steps mark the step the conversation is on.</p>"
        '<p id="try-status" role="status" aria-live="polite"></p>'
        f"{_language_picker(state, flow, band, lang)}"
        f"{diagram(flow, say, lang)}{_steps(flow, say, lang, under)}"
        f"{await changes_section(request, flow, lang)}"
        f"{await signoff_section(request, flow, band)}"
    )
    page = staff_page(
        f"Flow: {flow.header.title}",
        body,
        account=account_of(request),
        csrf=staff_session(request).csrf,
        demo=state.settings.demo,
    )
    return html_response(page)


async def _current(request: web.Request) -> tuple[FlowSet, str]:
    """The flow files as they are now (edits show without a restart), and a kind note
    with the checker's messages when an edit broke them."""
    preview = preview_flows(request)
    errors = await asyncio.to_thread(preview.refresh)
    if not errors:
        return preview.flows, ""
    items = "".join(f"<li><code>{esc(error)}</code></li>" for error in errors[:20])
    more = f"<p>And {len(errors) - 20} more.</p>" if len(errors) > 20 else ""
    note = (
        '<section class="notice" role="status" aria-labelledby="edit-problem"><h2 '
        'id="edit-problem">The last edit needs a fix</h2><p>The flow files changed, but the '
        "checker found something to fix, so these pages and “Try it” still show the last "
        "version that worked. Nothing is lost: fix the file and reload this page. What the "
        f"checker says (file:line:column):</p><ul>{items}</ul>{more}</section>"
    )
    return preview.flows, note


def sayer(state: Web, flow: Flow, lang: str) -> Say:
    """Texts of `flow` as `lang` says them; the source text, marked, where it says nothing yet."""
    translator = state.app.translator

    def say(step: StepBase, part: str, text: str) -> str:
        if lang == translator.source:
            return text
        context = f"{flow.scope}/{flow.id}/{step.id}" + (f"/{part}" if part else "")
        catalog = translator.catalogs.get(lang)
        found = catalog.messages.get((context, text)) if catalog else None
        return found if isinstance(found, str) and found else f"{text} (not translated yet)"

    return say


def _language_picker(state: Web, flow: Flow, band: str, lang: str) -> str:
    names = state.app.config.languages.names
    links = []
    for code in state.app.config.languages.shipped:
        name = esc(names.get(code, code))
        if code == lang:
            links.append(f'<strong aria-current="true">{name}</strong>')
            continue
        href = f"/flows/{flow.scope}/{flow.id}?" + urlencode({"band": band, "lang": code})
        links.append(f"<a{attrs(href=href, hreflang=code)}>{name}</a>")
    return f'<nav aria-label="Language of the texts"><p>Texts in: {" · ".join(links)}</p></nav>'


def _steps(flow: Flow, say: Say, lang: str, under: Callable[[StepBase], str]) -> str:
    """Every step in words: its text, its options and where each answer leads; then
    what `under` adds (advisors' comments)."""
    items = []
    for step in flow.steps:
        text = f'<p lang="{esc(lang)}">{esc(say(step, "", step.text))}</p>' if step.text else ""
        choices = options_of(step, say)
        options = (
            f'<p>Options:</p><ul lang="{esc(lang)}">'
            + "".join(f"<li>{esc(choice)}</li>" for choice in choices)
            + "</ul>"
            if choices
            else ""
        )
        ways = [
            f"<li>{esc(when[:1].upper() + when[1:]) + ': ' if when else ''}"
            f'<a href="#step-{esc(target)}">{esc(target)}</a></li>'
            for when, target in exits(flow, step, say)
        ]
        nexts = f"<p>Then:</p><ul>{''.join(ways)}</ul>" if ways else ""
        items.append(
            f'<li><section id="step-{esc(step.id)}" aria-labelledby="h-{esc(step.id)}">'
            f'<h3 id="h-{esc(step.id)}">{esc(step.id)} ({esc(step.type)})</h3>'
            f"{text}{options}{nexts}{under(step)}</section></li>"
        )
    return f'<h2>Steps</h2><ol class="steps">{"".join(items)}</ol>'
