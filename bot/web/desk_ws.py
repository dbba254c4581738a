"""Live updates on both sides of a case.

Staff: `GET /desk/ws` is the worker desk's websocket. The upgrade needs a staff session
with the worker role (the auth middleware), the session's CSRF token in `?csrf=` and an
Origin header naming this site, so another site cannot open it with the worker's cookie.
It sends the queue, and for the case named in `?case=` its facts and transcript, then
every change as it happens. Frames carry `desk.case_view`s (label, band, language,
service, state, the worker's display name) and relayed text: never a mapping, a session
key, a chat address or a staff member's id on another desk.

Young people: `VisitorBoxes` holds what a worker sent to a web chat visitor until the
visitor's page fetches it (`GET /chat/events`, a long poll). A box is keyed by an HMAC of
the visit cookie, not the cookie, and forgets its messages once the page has them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web

from bot.storage.cases import CaseUpdate
from bot.web.desk import case_view, label_of, queue_views, worker_id
from bot.web.security import StaffSession, same_token
from bot.web.state import WEB, Web, requires, staff_session

__all__ = ["SOCKETS", "VisitorBoxes", "close_sockets", "socket"]

log = logging.getLogger(__name__)

SOCKETS: web.AppKey[weakref.WeakSet[web.WebSocketResponse]] = web.AppKey("sv_desk_sockets")
RECHECK = 60.0  # seconds between checks that the worker's account is still active


# -- the young person's side -----------------------------------------------------------------
@dataclass
class _Box:
    seen: float
    items: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    seq: int = 0
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    def ring(self) -> None:
        """Wake the pages waiting now; later waits use a fresh event."""
        self.wake.set()
        self.wake = asyncio.Event()


class VisitorBoxes:
    """Messages from the worker desks waiting for web chat pages, in memory only."""

    def __init__(
        self,
        *,
        keep: float = 3600.0,
        max_items: int = 50,
        max_boxes: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.keep, self.max_items, self.max_boxes, self.clock = keep, max_items, max_boxes, clock
        self._boxes: dict[str, _Box] = {}
        self._waiting: set[asyncio.Event] = set()
        self._closing = False

    def _box(self, box_id: str) -> _Box:
        box = self._boxes.get(box_id)
        if box is None:
            if len(self._boxes) >= self.max_boxes:
                self.sweep()
            box = self._boxes[box_id] = _Box(self.clock())
        box.seen = self.clock()
        return box

    async def put(self, box_id: str, payload: dict[str, Any]) -> None:
        box = self._box(box_id)
        box.seq += 1
        box.items.append((box.seq, payload))
        del box.items[: -self.max_items]
        box.ring()

    async def wait(self, box_id: str, after: int, timeout: float) -> tuple[int, list[Any]]:
        """What arrived after `after` (waiting up to `timeout`); earlier items are dropped,
        since the page has them. Returns the newest seq and the payloads."""
        box = self._box(box_id)
        if after > box.seq:
            after = 0  # a page from before a restart: it has none of these
        box.items = [item for item in box.items if item[0] > after]
        if not box.items and not self._closing:
            wake = box.wake
            self._waiting.add(wake)
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), timeout)
            finally:
                self._waiting.discard(wake)
        box.seen = self.clock()
        return box.seq, [payload for _, payload in box.items]

    def drop(self, box_id: str) -> None:
        """The visitor left or deleted their data: forget the box, end its waits."""
        box = self._boxes.pop(box_id, None)
        if box is not None:
            box.items.clear()
            box.ring()

    def sweep(self) -> None:
        """Forget boxes no page asked about for `keep` seconds."""
        cutoff = self.clock() - self.keep
        for box_id in [b for b, box in self._boxes.items() if box.seen < cutoff]:
            self.drop(box_id)

    async def close(self) -> None:
        """Wake every waiting page so the server can stop."""
        self._closing = True
        for wake in list(self._waiting):
            wake.set()

    def __len__(self) -> int:
        return len(self._boxes)


# -- the worker's side -------------------------------------------------------------------------
def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if not origin:
        return False
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc == request.host


def _alive(state: Web, session: StaffSession) -> bool:
    """The session is still open and within its timeouts, without touching it: a desk left
    open on a screen must not keep a session alive forever."""
    book = state.book
    now = book.clock()
    return (
        book._open.get(session.token) is session
        and now - session.seen <= book.idle
        and now - session.created <= book.absolute
    )


async def _active(state: Web, session: StaffSession) -> bool:
    fresh = await asyncio.to_thread(state.accounts.get, session.account.name)
    return fresh is not None and not fresh.disabled and fresh.allows("worker")


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
    me = worker_id(session.account)
    try:
        async with state.cases.subscribe() as updates:
            feed = _Feed(state, ws, me, watch)
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
    me: str
    watch: str | None
    next_seq: int = 0

    async def snapshot(self) -> None:
        await self.send_queue()
        if self.watch is not None:
            case = await self.state.cases.get(self.watch)
            if case is not None:
                await self.ws.send_json(
                    {"type": "case", "case": case_view(self.state, case, self.me)}
                )
            await self.send_messages()

    async def send_queue(self) -> None:
        cases = await queue_views(self.state, self.me)
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
                    if not await _active(self.state, session):
                        await self.ws.close(code=4403, message=b"account disabled")
                        return
                if not _alive(self.state, session):
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
        view = case_view(self.state, case, self.me)
        await self.ws.send_json({"type": "event", "kind": update.kind, "case": view})
        await self.send_queue()
        if self.watch is not None and case.label == self.watch:
            await self.ws.send_json({"type": "case", "case": view})
            if update.kind in ("message", "worker_message"):
                await self.send_messages()
