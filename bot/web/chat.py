"""The web chat for young people: one page, a small script, and JSON endpoints.

The visitor is a token the server mints (`bot.web.chat_visit`), kept by the page in
sessionStorage and sent in a header; it is turned into an HMAC key by the conversation
service like a Telegram id, and nothing else about the visit is kept. The transcript
lives only in the page, so "leave quickly" and "delete my data" can take it away.

- ``GET /chat/state`` on load: the question the conversation waits at (kept with the
  session), so a reload resumes; a token the server did not mint gets a new one. While a
  typed text with contact details waits for "Send it" (bot/services/contact.py), that
  question instead.
- ``POST /chat/turn``: one input; typed "/stop", "/forget"... are commands, as on Telegram.
- ``GET /chat/events``: a long poll for what the worker writes while a case is open; the
  mailbox is keyed by an HMAC of the visit, also the user id the conversation service
  sees and the "address" a case's mapping holds: never the token.

Every answer says whether a case is open (``case``): the page then keeps a text box.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from bot.app import App
from bot.engine.events import Event, Say
from bot.engine.inputs import COMMANDS, Input
from bot.flows.triggers import is_link, known_link
from bot.i18n.negotiate import browser_guess, first_guess, from_accept_language
from bot.inputs import BodyError, clean_text
from bot.services.cases import Deliver
from bot.services.contact import CONTACT_STEP
from bot.services.conversation import ChannelData, ConversationService, Reply
from bot.services.handoff_texts import RATING_STEP
from bot.storage.visitors import VisitorBoxes
from bot.web.chat_news import NEWS, key_of, news_turn
from bot.web.chat_render import UI, asked, render, render_messages, ui
from bot.web.chat_requests import read_after, read_turn
from bot.web.chat_visit import HEADER, accept, mint, user_of, visit_of
from bot.web.html import esc, html_response
from bot.web.preview_flows import preview_flows
from bot.web.preview_place import place
from bot.web.state import WEB, Web, public

log = logging.getLogger(__name__)
CHANNEL = "web"
# The question on screen, kept in the session's channel data for a reload.
ASK = "ask"
# "Send it?" for a typed text with contact details, while it waits (bot/services/contact.py):
# shown instead of the question, which comes back after the tap. Never the text itself.
CONFIRM = "confirm"
# What "leave quickly" and "delete my data" ask the browser to drop (not cookies: a
# worker may be logged in on the same site).
CLEAR_SITE_DATA = '"cache", "storage"'
WELCOME_BACK = "Welcome back! I could not find where we were, so let's start again."


def _preview(state: Web, query: Any) -> dict[str, str] | None:
    """The flow, band and language of a "try it" link, if they name real ones."""
    flow, band, lang = query.get("flow"), query.get("band"), query.get("lang")
    if not flow or not band or band not in state.app.config.band_ids:
        return None
    if state.preview.engine.flows.resolve(band, flow) is None:  # as edited (preview_flows)
        return None
    shipped = state.app.config.languages.shipped
    return {"flow": flow, "band": band, "lang": lang if lang in shipped else shipped[0]}


@public
async def page(request: web.Request) -> web.StreamResponse:
    state = request.app[WEB]
    config = state.app.config
    if request.query.get("flow"):  # a "try it" link: the flow files as they are now
        await asyncio.to_thread(preview_flows(request).refresh)
    preview = _preview(state, request.query)
    lang = request.query.get("lang", "")
    linked = lang in config.languages.shipped  # a link's own language (a shelter's QR code)
    if not linked:  # the browser's languages: a first guess
        wanted = from_accept_language(request.headers.get("Accept-Language"))
        lang = first_guess(wanted, config.languages.shipped, config.languages.source)
    words = ui(state.app, lang)
    data = {"neutral": state.settings.neutral_url, "lang": lang,
            "max": str(config.engine.max_input_chars)}  # fmt: skip
    if linked:
        data["linked"] = "1"  # the page then sends no navigator.languages
    if is_link(start := request.query.get("start")) and not preview:
        data["start"] = str(start)  # a deep link: bot/flows/triggers.py
    if preview:
        data |= {"flow": preview["flow"], "band": preview["band"]}
    data_attrs = "".join(f' data-{key}="{esc(value)}"' for key, value in data.items())
    menu = "".join(
        f'<button type="button" class="command" data-command="{key}">{esc(words[key])}</button>'
        for key in ("person", "language", "privacy", "forget", "stop")
    )
    note = f'<p class="preview" role="note">{esc(words["preview"])}</p>' if preview else ""
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
        f'<button type="submit" id="leave" class="leave">{esc(words["leave"])}</button></form>'
        f'<details class="menu"><summary>{esc(words["menu"])}</summary>{menu}</details>'
        f"</header>{note}<main>"
        f'<h1 class="visually-hidden">SafeVoice</h1>'
        f'<div id="log" role="log" aria-live="polite" aria-label="{esc(words["conversation"])}">'
        "</div>"
        '<div id="choices" role="group"></div>'
        '<form id="typed" hidden><label for="text" id="text-label">'
        f"{esc(words['answer'])}</label>"
        '<textarea id="text" rows="2" aria-describedby="count"></textarea>'
        '<p id="count" class="count" hidden></p>'
        f'<button type="submit" id="send">{esc(words["send"])}</button></form>'
        f"<noscript><p>{esc(words['noscript'])}</p></noscript></main></body></html>"
    )
    return html_response(body)


def _typed(value: str) -> Input:
    """Typed words; or a command the bot suggests ("/stop", "/forget", "/person"...),
    read as on Telegram: a leading "/" word naming a known command."""
    head = value.split(maxsplit=1)[0] if value.strip() else ""
    name = head[1:].casefold()
    return Input.command(name) if head.startswith("/") and name in COMMANDS else Input.text(value)


def _input(payload: dict[str, Any]) -> Input | None:
    kind, value = payload.get("kind"), payload.get("value")
    step = payload.get("step")
    step = step if isinstance(step, str) and len(step) <= 100 else None
    if kind == "start" or not isinstance(value, str):
        return None
    if kind == "text":
        # Cleaned like typed text on every channel; never cut (the engine refuses it).
        return _typed(clean_text(value))
    if kind == "button":
        return Input.button(value[:200], step)
    if kind == "command" and value in COMMANDS:
        return Input.command(value)
    return None


@public
async def resume(request: web.Request) -> web.StreamResponse:
    """On load: the visit's token (a new one for a token we did not mint), and where the
    conversation is: the question it waits at, and whether a case is open."""
    state = request.app[WEB]
    given = request.headers.get(HEADER)
    token, visit = accept(state.secret, given)
    fresh = {"visit": token, "resumed": False}
    if token != given or request.query.get("preview"):
        return web.json_response(fresh)  # previews open their flow again on every load
    user = user_of(state.secret, visit)
    reply = await state.conversation.notice(CHANNEL, user)
    case = await state.cases.has_open_case(state.conversation.key(CHANNEL, user))
    if reply.lang is None and not case:
        return web.json_response(fresh)  # expired, or deleted: a new conversation
    ask = _saved(reply.channel_data, CONFIRM) or _saved(reply.channel_data, ASK)
    data = render_messages(state.app, [ask] if ask else [], False, reply.lang)
    return web.json_response(data | {"visit": token, "resumed": True, "ask": ask, "case": case})


@public
async def turn(request: web.Request) -> web.StreamResponse:
    state = request.app[WEB]
    given = request.headers.get(HEADER)
    if not given:
        raise web.HTTPForbidden(text="Please reload the page.")
    try:
        payload = await read_turn(request.content)  # size, depth, types: bot.web.chat_requests
    except BodyError as exc:
        raise web.HTTPBadRequest(text=f"{exc} Please reload the page.") from None
    token, visit = accept(state.secret, given)  # a made-up token: a new visit, kindly
    user = user_of(state.secret, visit)
    if payload.get("flow") or payload.get("preview"):
        await asyncio.to_thread(preview_flows(request).refresh)
    preview = _preview(state, payload)
    service = state.preview if preview or payload.get("preview") else state.conversation
    inp = _input(payload)
    if preview and inp is None:
        data = render(state.app, await _start_preview(state, user, preview))
        ask = asked(data["messages"])
        await _keep_ask(service, user, ask)
        at = await place(service, CHANNEL, user)
        return web.json_response(data | {"visit": token, "ask": ask, "case": False, "at": at})
    languages = state.app.config.languages
    lang, browser = payload.get("lang"), payload.get("languages")
    hint = browser_guess(browser, lang, languages.shipped, languages.source)
    link = payload.get("start") if inp is None and not preview else None
    if link is not None:
        log.info("deep link", extra={"known": known_link(state.app.flows, str(link))})
    reply = await service.handle(
        CHANNEL, user, inp, language_hint=hint, link=str(link) if is_link(link) else None
    )
    kept = None
    if service is state.conversation:  # news of an earlier visit's subscription
        held, key = request.headers.get(NEWS), service.key(CHANNEL, user)
        reply, kept = await news_turn(state.app, state.updates, state.secret, held, key, inp,
                                      reply)  # fmt: skip
    return await _answer(state, service, token, user, inp, reply, kept)


async def _answer(
    state: Web, service: ConversationService, token: str, user: str, inp: Input | None,
    reply: Reply, news: str | None = None,
) -> web.StreamResponse:  # fmt: skip
    """A turn's reply for the page: every message (also those of a text that went to the
    worker: helplines at once when it shows danger), the question that waits, the case."""
    events = list(reply.events)
    says = [event for event in events if isinstance(event, Say)]
    if reply.restarted and says:
        back = state.app.translator.system(says[0].lang, WELCOME_BACK)
        events.insert(0, Say(back, says[0].lang, says[0].rtl))
    data = render(state.app, events, reply.deleted, reply.lang)
    # "Send it?" for a typed text; or a turn that left the engine where it was.
    confirm = next((m for m in data["messages"] if m["step"] == CONTACT_STEP), None)
    stays = reply.relayed or (inp is not None and inp.step in (RATING_STEP, CONTACT_STEP))
    if reply.deleted:
        await state.visitors.drop(user)
        token, ask = mint(state.secret), None  # nothing links the next visit to this one
    elif confirm is not None or stays:
        ask = _saved(reply.channel_data, ASK)  # the engine did not move: same question
        if confirm != _saved(reply.channel_data, CONFIRM):
            await _keep_ask(service, user, ask, confirm)
        ask = confirm or ask
    else:
        ask = asked(data["messages"])
        if ask != _saved(reply.channel_data, ASK) or _saved(reply.channel_data, CONFIRM):
            await _keep_ask(service, user, ask)
    case = False
    if service is state.conversation and not reply.deleted:
        case = await state.cases.has_open_case(service.key(CHANNEL, user))
    extra = {"relayed": reply.relayed, "visit": token, "ask": ask, "case": case}
    if service is state.preview:  # for the flow studio's diagram (bot/web/preview_place.py)
        extra["at"] = None if reply.deleted else await place(service, CHANNEL, user)
    if news is not None:
        extra["news"] = news  # the page keeps it in localStorage (bot/web/chat_news.py)
    response = web.json_response(data | extra)
    if reply.deleted:
        response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


def _saved(data: ChannelData | None, which: str) -> dict[str, Any] | None:
    ask = data.get(which) if data else None
    return ask if isinstance(ask, dict) else None


async def _keep_ask(
    service: ConversationService,
    user: str,
    ask: dict[str, Any] | None,
    confirm: dict[str, Any] | None = None,
) -> None:
    """Keep the question now on screen with the session, for `resume` after a reload."""

    def keep(old: ChannelData | None) -> ChannelData:
        return {**(old or {}), ASK: ask, CONFIRM: confirm}

    await service.notice(CHANNEL, user, channel_data=keep)


@public
async def events(request: web.Request) -> web.StreamResponse:
    """Long poll: what the worker wrote since `after`, or nothing after a while."""
    state = request.app[WEB]
    visit = visit_of(state.secret, request.headers.get(HEADER))
    if visit is None:
        raise web.HTTPForbidden(text="Please reload the page.")
    start = read_after(request.query)
    wait = state.settings.poll_timeout
    user = user_of(state.secret, visit)
    seq, batches = await state.visitors.wait(user, start, wait)
    case = await state.cases.has_open_case(state.conversation.key(CHANNEL, user))
    return web.json_response({"next": seq, "batches": batches, "case": case})


def mailbox_deliverer(app: App, visitors: VisitorBoxes) -> Deliver:
    """`HandoffService.deliverers["web"]`: put a worker's words in the visitor's mailbox,
    from whichever process the worker acts on (the runtime registers it everywhere)."""

    async def deliver(address: str, events: Sequence[Event]) -> None:
        await visitors.put(address, render(app, events))

    return deliver


async def _start_preview(state: Web, user: str, preview: dict[str, str]) -> list[Event]:
    """Open the preview session straight at the chosen flow, with band and language set."""
    return await state.preview.open_at(
        CHANNEL, user, preview["lang"], preview["band"], preview["flow"]
    )


@public
async def leave(request: web.Request) -> web.StreamResponse:
    """Forget the conversation and the visit, then go to the neutral site. The page sends
    its token in a beacon; the no-script form has none, and nothing to forget."""
    state = request.app[WEB]
    form = await request.post()
    visit = visit_of(state.secret, form.get("visit"))
    if visit is not None:
        user = user_of(state.secret, visit)
        await state.conversation.forget(CHANNEL, user)
        await state.preview.forget(CHANNEL, user)
        await state.visitors.drop(user)
    held = key_of(state.secret, form.get("news"))
    if held is not None and state.updates is not None:
        await asyncio.to_thread(state.updates.forget, held)
    response = web.HTTPSeeOther(state.settings.neutral_url)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    raise response


__all__ = ["UI", "events", "leave", "mailbox_deliverer", "page", "resume", "turn"]
