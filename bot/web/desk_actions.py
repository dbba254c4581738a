"""The worker desk's actions: claim, send, note, transfer, close.

Forms post like any staff form (CSRF in the body, checked by the auth middleware) and work
without JavaScript (a redirect back, or the case page with the error). desk.js sends them
with fetch and `Accept: application/json` and lets the websocket bring the result.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from bot.services.cases import CaseError, CaseNotFound
from bot.web.desk import label_of, render_case, targets, who
from bot.web.desk_access import DESKS, desk_actor
from bot.web.state import WEB, account_of, requires

__all__ = ["claim", "close", "note", "send", "take_over", "transfer"]


def _wants_json(request: web.Request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


async def _act(request: web.Request, action: str) -> web.StreamResponse:
    state, account = request.app[WEB], account_of(request)
    me = desk_actor(account)  # its organisations' cases only; a supervisor or not
    label = label_of(request.match_info["label"])
    form = await request.post()
    text = str(form.get("text", ""))
    name = " ".join(str(form.get("display_name", "")).split())
    reason = str(form.get("reason", "")) or None
    extra: dict[str, Any] = {}
    try:
        if label is None:
            raise CaseNotFound("This case is closed or does not exist.")
        if action in ("claim", "take-over"):
            if action == "claim":
                await state.cases.claim(label, me, name)
            else:
                await state.cases.take_over(label, me, name, reason)
            await asyncio.to_thread(state.desk_names.set, account.name, name)
        elif action == "send":
            await state.cases.relay_to_young_person(label, me, text)
        elif action == "note":
            if not text.strip():
                raise CaseError("Write the note first.")
            note = await state.cases.note(label, me, text)
            extra["note"] = {"who": who(note.worker), "text": note.text}
        elif action == "transfer":
            to = str(form.get("to", ""))
            case = await state.cases.get(label, me)
            # A desk no longer offered (a stale form) gets the service's kind refusal.
            listed = dict(await targets(state, account, case)) if case is not None else {}
            if case is not None and to not in listed and to not in dict(DESKS):
                raise CaseError("Choose a worker or a desk from the list.")
            await state.cases.transfer(label, me, to, reason)
        else:  # close, with the outcome form (bot/web/desk_tools.py)
            outcome = str(form.get("outcome", "")) or None
            categories = [str(c) for c in form.getall("category", [])]
            await state.cases.close_with_outcome(label, me, outcome, categories, name or None,
                                                 reason)  # fmt: skip
    except CaseError as exc:
        if _wants_json(request):
            return web.json_response({"error": str(exc)}, status=409)
        case = await state.cases.get(label, me) if label else None
        if case is None:
            raise web.HTTPNotFound(text=str(exc)) from None
        return await render_case(request, case, str(exc), 409)
    if _wants_json(request):
        return web.json_response({"ok": True} | extra)
    raise web.HTTPSeeOther(f"/desk/case/{label.lstrip('#')}" if action != "close" else "/desk")


@requires("worker")
async def claim(request: web.Request) -> web.StreamResponse:
    return await _act(request, "claim")


@requires("worker")
async def send(request: web.Request) -> web.StreamResponse:
    return await _act(request, "send")


@requires("worker")
async def note(request: web.Request) -> web.StreamResponse:
    return await _act(request, "note")


@requires("worker")
async def transfer(request: web.Request) -> web.StreamResponse:
    return await _act(request, "transfer")


@requires("worker")
async def close(request: web.Request) -> web.StreamResponse:
    return await _act(request, "close")


@requires("supervisor")
async def take_over(request: web.Request) -> web.StreamResponse:
    return await _act(request, "take-over")
