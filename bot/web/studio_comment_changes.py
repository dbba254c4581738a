"""Changing an advisor's comment in the flow studio: its author edits it; any reviewer
marks it resolved, or reopens it.

Like adding one (bot/web/studio_comments.py): reviewers only, and audited as who did what
to which comment on which step (`flow-comment-edit`, `-resolve`, `-reopen`), never the
words.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from aiohttp import web

from bot.storage.flow_comments import FlowComment
from bot.web.state import WEB, account_of, requires
from bot.web.studio_comments import read_words, store

__all__ = ["edit", "reopen", "resolve"]


async def _comment(request: web.Request) -> tuple[int, FlowComment]:
    """The comment the path names (its id, and it), on the flow the path names; else a
    kind 404."""
    scope, flow_id = request.match_info["scope"], request.match_info["flow_id"]
    raw = request.match_info["comment_id"]
    found = (
        await asyncio.to_thread(store(request.app[WEB]).get, int(raw))
        if raw.isdigit() and len(raw) < 12
        else None
    )
    if found is None or (found.scope, found.flow_id) != (scope, flow_id):
        raise web.HTTPNotFound(text="There is no such comment on this flow (was it removed?).")
    return int(raw), found


async def _done(request: web.Request, comment: FlowComment, action: str) -> web.StreamResponse:
    state = request.app[WEB]
    form = await request.post()
    band, lang = str(form.get("band", "")), str(form.get("lang", ""))
    if band not in state.app.config.band_ids:
        band = comment.band
    if lang not in state.app.config.languages.shipped:
        lang = comment.lang
    actor = account_of(request).name
    # Which comment on which step, never the words.
    detail = f"{comment.scope}/{comment.flow_id} step={comment.step} comment={comment.id}"
    await asyncio.to_thread(state.store.audit, actor, action, detail)
    query = urlencode({"band": band, "lang": lang})
    raise web.HTTPSeeOther(f"/flows/{comment.scope}/{comment.flow_id}?{query}#comment-{comment.id}")


@requires("reviewer")
async def edit(request: web.Request) -> web.StreamResponse:
    key, comment = await _comment(request)
    author = account_of(request).name
    if comment.account != author:
        raise web.HTTPForbidden(text="You can edit your own comments only.")
    text, suggestion = read_words(await request.post())
    changed = await asyncio.to_thread(store(request.app[WEB]).edit, key, author, text, suggestion)
    if not changed:
        raise web.HTTPNotFound(text="There is no such comment on this flow (was it removed?).")
    return await _done(request, comment, "flow-comment-edit")


async def _mark(request: web.Request, resolved: bool) -> web.StreamResponse:
    key, comment = await _comment(request)
    by = account_of(request).name if resolved else None
    await asyncio.to_thread(store(request.app[WEB]).resolve, key, by)
    return await _done(
        request, comment, "flow-comment-resolve" if resolved else "flow-comment-reopen"
    )


@requires("reviewer")
async def resolve(request: web.Request) -> web.StreamResponse:
    return await _mark(request, True)


@requires("reviewer")
async def reopen(request: web.Request) -> web.StreamResponse:
    return await _mark(request, False)
