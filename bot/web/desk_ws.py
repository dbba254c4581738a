"""Live updates on both sides of a case.

Staff: `GET /desk/ws` is the worker desk's websocket. The upgrade needs a staff session
with the worker role (the auth middleware), the session's CSRF token in `?csrf=` and an
Origin header naming this site, so another site cannot open it with the worker's cookie.
It sends the queue, and for the case named in `?case=` its facts and transcript, then
every change as it happens, of the cases of the worker's organisations only (another
organisation's case is never named in a frame, not even as an event). Frames carry
`desk.case_view`s (label, band, language, service, state, the worker's display name)
and relayed text: never a mapping, a session key, a chat address or a staff member's id
on another desk.

What a worker sends to a web chat visitor waits in the visitor's mailbox
(`bot.storage.visitors`) until the page's long poll (`GET /chat/events`) fetches it;
`close_sockets` wakes those polls when the server stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web

from bot.services.case_access import Actor
from bot.staff.accounts import Account
from bot.storage.cases import CaseUpdate
from bot.storage.staff_sessions import StaffSession
from bot.web.desk import case_view, label_of, queue_views
from bot.web.desk_access import desk_actor
from bot.web.security import same_token
from bot.web.state import WEB, Web, requires, staff_session

__all__ = ["SOCKETS", "close_sockets", "socket"]

log = logging.getLogger(__name__)

SOCKETS: web.AppKey[weakref.WeakSet[web.WebSocketResponse]] = web.AppKey("sv_desk_sockets")
RECHECK = 60.0  # seconds between checks that the worker's account is still active


# -- the worker's side -------------------------------------------------------------------------
def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if not origin:
        return False
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc == request.host


async def _active(state: Web, session: StaffSession) -> Account | None:
    """The account as it is now (its organisations may have changed), if still a worker."""
    fresh = await asyncio.to_thread(state.accounts.get, session.account_name)
    active = fresh is not None and not fresh.disabled and fresh.allows("worker")
    return fresh if active else None


@requires("worker")
async def socket(request: web.Request) -> web.StreamResponse:
    state = request.app[WEB]
    session = staff_session(request)
    if not _same_origin(request) or not same_token(session.csrf, request.query.get("csrf")):
        raise web.HTTPForbidden(text="This page has expired. Reload it.")
    watch = label_of(request.query.get("case", ""))
    ws = web.WebSocketResponse(heartbeat=30.0, max_msg_size=4096)
    await ws.prepare(request)
    request.app[SOCKETS].add(ws)
    try:
        async with state.cases.subscribe() as updates:
            feed = _Feed(state, ws, session.account, watch)
            await feed.snapshot()
            pump = asyncio.create_task(feed.pump(updates, session))
            try:
                async for message in ws:  # the desk sends nothing; this waits for the close
                    if message.type == WSMsgType.ERROR:
                        break
            finally:
                pump.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pump
    except ConnectionResetError:
        pass
    finally:
        request.app[SOCKETS].discard(ws)
        await ws.close()
    return ws


async def close_sockets(application: web.Application) -> None:
    sockets = application[SOCKETS]
    for ws in list(sockets):
        await ws.close(code=1001, message=b"server stopping")
    await application[WEB].visitors.close()


@dataclass
class _Feed:
    state: Web
    ws: web.WebSocketResponse
    account: Account
    watch: str | None
    next_seq: int = 0

    @property
    def actor(self) -> Actor:
        return desk_actor(self.account)

    @property
    def me(self) -> str:
        return self.actor.id

    async def snapshot(self) -> None:
        await self.send_queue()
        if self.watch is not None:
            case = await self.state.cases.get(self.watch, self.actor)
            if case is None:
                self.watch = None  # gone, or another organisation's: nothing to follow
            else:
                await self.ws.send_json(
                    {"type": "case", "case": case_view(self.state, case, self.me)}
                )
                await self.send_messages()

    async def send_queue(self) -> None:
        cases = await queue_views(self.state, self.account)
        await self.ws.send_json({"type": "queue", "cases": cases})

    async def send_messages(self) -> None:
        assert self.watch is not None  # noqa: S101
        for message in await self.state.cases.transcript(self.watch, self.next_seq):
            item = {"seq": message.seq, "at": message.at.isoformat(), "sender": message.sender,
                    "name": message.name, "text": message.text}  # fmt: skip
            await self.ws.send_json({"type": "message", "message": item})
            self.next_seq = message.seq + 1

    async def pump(self, updates: AsyncIterator[CaseUpdate], session: StaffSession) -> None:
        """Forward updates; every RECHECK seconds (and before each update) make sure the
        worker is still logged in and active, else close the socket."""
        checked = time.monotonic()
        waiting: asyncio.Future[CaseUpdate] | None = None
        try:
            while not self.ws.closed:
                # Never cancel the pending anext(): that would end the subscription.
                waiting = waiting or asyncio.ensure_future(anext(updates))
                done, _ = await asyncio.wait({waiting}, timeout=RECHECK)
                update = waiting.result() if done else None
                if done:
                    waiting = None
                if time.monotonic() - checked >= RECHECK:
                    checked = time.monotonic()
                    fresh = await _active(self.state, session)
                    if fresh is None:
                        await self.ws.close(code=4403, message=b"account disabled")
                        return
                    self.account = fresh
                # Not `get`: a desk left open on a screen must not keep a session alive.
                if not await self.state.book.alive(session.token):
                    await self.ws.close(code=4401, message=b"logged out")
                    return
                if update is not None:
                    await self.send(update)
        except (ConnectionResetError, RuntimeError):
            log.info("a desk websocket closed while sending")
        finally:
            if waiting is not None:
                waiting.cancel()

    async def send(self, update: CaseUpdate) -> None:
        case = update.case
        if not self.state.cases.visible(case, self.actor):
            return
        view = case_view(self.state, case, self.me)
        await self.ws.send_json({"type": "event", "kind": update.kind, "case": view})
        await self.send_queue()
        if self.watch is not None and case.label == self.watch:
            await self.ws.send_json({"type": "case", "case": view})
            if update.kind in ("message", "worker_message"):
                await self.send_messages()
