"""The flows, per age band and language, as diagrams with a "try it" link into the web chat.

For survivor advisory groups who co-design flows: read a flow as boxes and arrows, then try
it in any band and language. "Try it" opens the chat in preview mode: nothing is recorded.
"""

from __future__ import annotations

from pathlib import PurePath
from urllib.parse import urlencode

from aiohttp import web

from bot.flows.flow import COMMON, Flow
from bot.web.html import attrs, esc, html_response, staff_page
from bot.web.state import WEB, Web, account_of, staff_session

__all__ = ["detail", "diagram", "index"]

_BOX_W, _BOX_H, _ROW, _X = 420, 58, 86, 20


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


async def index(request: web.Request) -> web.StreamResponse:
    state = request.app[WEB]
    sections = []
    for band in state.app.config.band_ids:
        ids = sorted({flow.id for flow in state.app.flows if flow.scope in (band, COMMON)})
        rows = []
        for flow_id in ids:
            flow = state.app.flows.resolve(band, flow_id)
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
        intro + "".join(sections),
        account=account_of(request),
        csrf=staff_session(request).csrf,
        demo=state.settings.demo,
    )
    return html_response(page)


async def detail(request: web.Request) -> web.StreamResponse:
    state = request.app[WEB]
    flow = state.app.flows.get(request.match_info["scope"], request.match_info["flow_id"])
    if flow is None:
        raise web.HTTPNotFound(text="There is no such flow.")
    band = request.query.get("band", "")
    if band not in state.app.config.band_ids:
        band = flow.scope if flow.scope != COMMON else state.app.config.band_ids[0]
    body = (
        f"<p>{esc(flow.header.description)}</p>"
        f"<p>File: <code>{esc(flow.scope)}/{esc(PurePath(flow.path).name)}</code>. "
        f"Version {flow.header.version}.</p>"
        f"<p>{_try_links(state, flow.id, band)}</p>{diagram(flow)}"
    )
    page = staff_page(
        f"Flow: {flow.header.title}",
        body,
        account=account_of(request),
        csrf=staff_session(request).csrf,
        demo=state.settings.demo,
    )
    return html_response(page)


def diagram(flow: Flow) -> str:
    """Steps as boxes in file order; arrows for every link; other flows named in the box."""
    index = {step.id: i for i, step in enumerate(flow.steps)}
    height = len(flow.steps) * _ROW + 20
    parts = [
        f'<svg class="diagram" role="img" aria-labelledby="diagram-t" viewBox="0 0 760 {height}" '
        'width="100%" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="diagram-t">Diagram of the flow {esc(flow.header.title)}</title>'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#333"/></marker></defs>'
    ]
    lane = 0
    for i, step in enumerate(flow.steps):
        y = 10 + i * _ROW
        fill = "#fff3c4" if step.type in ("handoff", "forget") else "#eef4fb"
        text = step.text or ""
        parts.append(
            f'<g><rect x="{_X}" y="{y}" width="{_BOX_W}" height="{_BOX_H}" rx="8" fill="{fill}" '
            'stroke="#0b5cad"/>'
            f'<text x="{_X + 10}" y="{y + 20}" font-size="14" font-weight="bold">'
            f'{esc(step.id)} <tspan font-weight="normal" fill="#555">'
            f"({esc(step.type)})</tspan></text>"
            f'<text x="{_X + 10}" y="{y + 42}" font-size="12">{esc(_cut(text, 62))}</text></g>'
        )
        other = getattr(step, "flow", None) or getattr(step, "then", None)
        if isinstance(other, str):
            parts.append(
                f'<text x="{_X + _BOX_W + 12}" y="{y + 34}" font-size="13" fill="#6a3d9a">'
                f"→ flow {esc(other)}</text>"
            )
        for target in dict.fromkeys(step.links()):
            j = index.get(target)
            if j is None:
                continue
            if j == i + 1:
                x = _X + _BOX_W / 2
                parts.append(
                    f'<line x1="{x}" y1="{y + _BOX_H}" x2="{x}" y2="{y + _ROW - 2}" '
                    'stroke="#333" marker-end="url(#arrow)"/>'
                )
                continue
            lane = lane % 6 + 1
            x_out = _X + _BOX_W + 14 * lane + (120 if other else 0)
            y1, y2 = y + _BOX_H / 2, 10 + j * _ROW + _BOX_H / 2
            parts.append(
                f'<path d="M{_X + _BOX_W},{y1} H{x_out} V{y2} H{_X + _BOX_W + 2}" fill="none" '
                f'stroke="#0b5cad" stroke-dasharray="{"" if j > i else "5 3"}" '
                'marker-end="url(#arrow)"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
