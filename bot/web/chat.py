"""The web chat for young people: one page, a small script, and a JSON turn endpoint.

The visitor is a random id in an HttpOnly session cookie; it is turned into an HMAC key by
the conversation service like a Telegram id, and nothing else about the visit is kept.
The transcript lives only in the page, so "leave quickly" can take it away completely.

While the visitor has an open case, `GET /chat/events` (a long poll) brings what the worker
writes; the mailbox is keyed by an HMAC of the visit id, which is also the user id the
conversation service sees and the "address" a case's mapping holds: never the cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from bot.app import App
from bot.engine.events import Event, Say
from bot.engine.inputs import COMMANDS, Input
from bot.services.cases import Deliver
from bot.storage.visitors import VisitorBoxes
from bot.web.html import esc, html_response
from bot.web.security import same_token
from bot.web.state import VISIT_COOKIE, WEB, Web, public

CHANNEL = "web"
# The chrome of the page, in the young person's language when the catalogs have it.
UI = {
    "leave": "Leave quickly",
    "send": "Send",
    "answer": "Your answer",
    "menu": "Menu",
    "person": "Talk to a person",
    "language": "Language",
    "privacy": "Privacy",
    "forget": "Delete my data",
    "stop": "Stop",
    "preview": "Preview: answers are not saved.",
    "conversation": "Conversation",
    "noscript": "This chat needs JavaScript, from this site only.",
}


def _visit(request: web.Request) -> tuple[str, bool]:
    """The visit id from the cookie, or a new one (True when new)."""
    visit = request.cookies.get(VISIT_COOKIE, "")
    if len(visit) == 43 and visit.replace("-", "a").replace("_", "a").isalnum():
        return visit, False
    return secrets.token_urlsafe(32), True


def _csrf(state: Web, visit: str) -> str:
    return hmac.new(state.secret, f"chat-csrf:{visit}".encode(), hashlib.sha256).hexdigest()


def _user(state: Web, visit: str) -> str:
    """The visitor as the services see them: a keyed hash of the cookie, not the cookie."""
    return hmac.new(state.secret, f"chat-user:{visit}".encode(), hashlib.sha256).hexdigest()[:32]


def _set_visit(state: Web, response: web.StreamResponse, visit: str) -> None:
    # No max-age: a session cookie, gone when the browser closes.
    response.set_cookie(
        VISIT_COOKIE,
        visit,
        httponly=True,
        samesite="Strict",
        secure=state.settings.secure_cookies,
        path="/chat",
    )


def _ui(app: App, lang: str) -> dict[str, str]:
    return {key: app.translator.system(lang, text) for key, text in UI.items()}


def _preview(state: Web, query: Any) -> dict[str, str] | None:
    """The flow, band and language of a "try it" link, if they name real ones."""
    flow, band, lang = query.get("flow"), query.get("band"), query.get("lang")
    if not flow or not band or band not in state.app.config.band_ids:
        return None
    if state.app.flows.resolve(band, flow) is None:
        return None
    shipped = state.app.config.languages.shipped
    return {"flow": flow, "band": band, "lang": lang if lang in shipped else shipped[0]}


@public
async def page(request: web.Request) -> web.StreamResponse:
    state = request.app[WEB]
    config = state.app.config
    visit, new = _visit(request)
    preview = _preview(state, request.query)
    lang = request.query.get("lang", "")
    if lang not in config.languages.shipped:
        lang = config.languages.source
    ui = _ui(state.app, lang)
    data = {"csrf": _csrf(state, visit), "neutral": state.settings.neutral_url, "lang": lang}
    if preview:
        data |= {"flow": preview["flow"], "band": preview["band"]}
    data_attrs = "".join(f' data-{key}="{esc(value)}"' for key, value in data.items())
    menu = "".join(
        f'<button type="button" class="command" data-command="{key}">{esc(ui[key])}</button>'
        for key in ("person", "language", "privacy", "forget", "stop")
    )
    note = f'<p class="preview" role="note">{esc(ui["preview"])}</p>' if preview else ""
    body = (
        f'<!doctype html><html lang="{esc(lang)}" dir="{"rtl" if config.is_rtl(lang) else "ltr"}">'
        '<head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        '<meta name="referrer" content="no-referrer">'
        '<title>SafeVoice</title><link rel="stylesheet" href="/static/chat.css">'
        '<script src="/static/chat.js" defer></script></head>'
        f"<body{data_attrs}><header>"
        '<form method="post" action="/chat/leave" id="leave-form">'
        f'<input type="hidden" name="csrf" value="{esc(data["csrf"])}">'
        f'<button type="submit" id="leave" class="leave">{esc(ui["leave"])}</button></form>'
        f'<details class="menu"><summary>{esc(ui["menu"])}</summary>{menu}</details>'
        f"</header>{note}<main>"
        f'<h1 class="visually-hidden">SafeVoice</h1>'
        f'<div id="log" role="log" aria-live="polite" aria-label="{esc(ui["conversation"])}">'
        "</div>"
        '<div id="choices" role="group"></div>'
        '<form id="typed" hidden><label for="text" id="text-label">'
        f'{esc(ui["answer"])}</label><textarea id="text" rows="2" maxlength="2000"></textarea>'
        f'<button type="submit" id="send">{esc(ui["send"])}</button></form>'
        f"<noscript><p>{esc(ui['noscript'])}</p></noscript></main></body></html>"
    )
    response = html_response(body)
    if new:
        _set_visit(state, response, visit)
    return response


def _input(payload: dict[str, Any]) -> Input | None:
    kind, value = payload.get("kind"), payload.get("value")
    step = payload.get("step")
    step = step if isinstance(step, str) and len(step) <= 100 else None
    if kind == "start" or not isinstance(value, str):
        return None
    if kind == "text":
        return Input.text(value[:4000])
    if kind == "button":
        return Input.button(value[:200], step)
    if kind == "command" and value in COMMANDS:
        return Input.command(value)
    return None


@public
async def turn(request: web.Request) -> web.StreamResponse:
    state = request.app[WEB]
    visit, new = _visit(request)
    if new or not same_token(_csrf(state, visit), request.headers.get("X-CSRF-Token")):
        raise web.HTTPForbidden(text="Please reload the page.")
    try:
        payload = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise web.HTTPBadRequest(text="Please reload the page.") from None
    if not isinstance(payload, dict):
        raise web.HTTPBadRequest(text="Please reload the page.")
    preview = _preview(state, payload)
    service = state.preview if preview or payload.get("preview") else state.conversation
    inp = _input(payload)
    if preview and inp is None:
        events = await _start_preview(state, visit, preview)
        deleted = False
    else:
        lang = payload.get("lang")
        lang = lang if lang in state.app.config.languages.shipped else None
        reply = await service.handle(CHANNEL, _user(state, visit), inp, language_hint=lang)
        if reply.deleted:
            await state.visitors.drop(_user(state, visit))
        data = _render(state.app, list(reply.events), reply.deleted, reply.lang)
        return web.json_response(data | {"relayed": reply.relayed})
    return web.json_response(_render(state.app, events, deleted))


@public
async def events(request: web.Request) -> web.StreamResponse:
    """Long poll: what the worker wrote since `after`, or nothing after a while."""
    state = request.app[WEB]
    visit, new = _visit(request)
    if new or not same_token(_csrf(state, visit), request.headers.get("X-CSRF-Token")):
        raise web.HTTPForbidden(text="Please reload the page.")
    after = request.query.get("after", "0")
    start = int(after) if after.isdigit() and len(after) < 10 else 0
    wait = state.settings.poll_timeout
    seq, batches = await state.visitors.wait(_user(state, visit), start, wait)
    return web.json_response({"next": seq, "batches": batches})


def mailbox_deliverer(app: App, visitors: VisitorBoxes) -> Deliver:
    """`HandoffService.deliverers["web"]`: put a worker's words in the visitor's mailbox,
    from whichever process the worker acts on (the runtime registers it everywhere)."""

    async def deliver(address: str, events: Sequence[Event]) -> None:
        await visitors.put(address, _render(app, list(events), False))

    return deliver


async def _start_preview(state: Web, visit: str, preview: dict[str, str]) -> list[Event]:
    """Open the preview session straight at the chosen flow, with band and language set."""
    return await state.preview.open_at(
        CHANNEL, _user(state, visit), preview["lang"], preview["band"], preview["flow"]
    )


def _render(
    app: App, events: list[Event], deleted: bool, lang: str | None = None
) -> dict[str, Any]:
    messages = [_say(event) for event in events if isinstance(event, Say)]
    if messages:
        lang = messages[-1]["lang"]
    if lang not in app.config.languages.shipped:
        lang = app.config.languages.source
    return {
        "messages": messages,
        "lang": lang,
        "dir": "rtl" if app.config.is_rtl(lang) else "ltr",
        "ui": _ui(app, lang),
        "deleted": deleted,
    }


def _say(say: Say) -> dict[str, Any]:
    return {
        "text": say.text,
        "lang": say.lang,
        "dir": "rtl" if say.rtl else "ltr",
        "step": say.step,
        "input": say.input,
        "options": [{"value": o.value, "label": o.label} for o in say.options],
        "skip": {"value": say.skip.value, "label": say.skip.label} if say.skip else None,
        "done": {"value": say.done.value, "label": say.done.label} if say.done else None,
        "selected": list(say.selected),
    }


@public
async def leave(request: web.Request) -> web.StreamResponse:
    """Forget the conversation and the visit, then go to the neutral site (no-script path)."""
    state = request.app[WEB]
    visit, new = _visit(request)
    form = await request.post()
    token = form.get("csrf")
    if not new and same_token(_csrf(state, visit), token if isinstance(token, str) else None):
        user = _user(state, visit)
        await state.conversation.forget(CHANNEL, user)
        await state.preview.forget(CHANNEL, user)
        await state.visitors.drop(user)
    response = web.HTTPSeeOther(state.settings.neutral_url)
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    response.del_cookie(VISIT_COOKIE, path="/chat")
    raise response


__all__ = ["events", "leave", "mailbox_deliverer", "page", "turn"]
