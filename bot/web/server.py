"""The aiohttp application: routes, the login guard, CSRF, security headers, the purge job.

Every route needs a staff login unless its handler is marked `@public` (login and the
young people's chat); `tests/web/test_security.py` walks the router to prove it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import weakref
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote, urlsplit

from aiohttp import web

from bot.app import App
from bot.engine.events import FeedbackSubmitted
from bot.services.cases import HandoffService
from bot.services.conversation import ConversationService
from bot.services.feedback import FeedbackService
from bot.services.handoff import MemoryHandoffDesk
from bot.staff.accounts import AccountStore
from bot.staff.retention import daily_purge
from bot.storage.desk_names import DeskNameStore
from bot.storage.feedback import FeedbackStore
from bot.storage.memory import MemorySessionStore
from bot.storage.memory_cases import MemoryCaseHub, MemoryCaseStore
from bot.web import admin, auth, chat, dashboard, desk, desk_actions, desk_ws, flows_view
from bot.web.security import SessionBook, same_token
from bot.web.state import (
    SESSION,
    STAFF_COOKIE,
    WEB,
    Handler,
    Web,
    WebSettings,
    is_public,
    public,
    role_needed,
)

__all__ = ["build_web", "create_app"]

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}

# No third-party anything: scripts, styles, fonts, images and connections only from here.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


class _DropFeedback(FeedbackService):
    """Previews run real flows, but what advisory groups type while trying them is not feedback."""

    async def submit(self, event: FeedbackSubmitted) -> None:
        return None


def build_web(
    app: App, store: FeedbackStore, settings: WebSettings, cases: HandoffService | None = None
) -> Web:
    """Wire the services for the web side: memory sessions, the SQL store, staff accounts,
    and the cases behind the worker desks (memory unless `cases` is given, e.g. on Redis)."""
    secret = app.settings.secret_key or secrets.token_bytes(32)
    ttl = float(app.config.privacy.session_ttl_seconds)
    if cases is None:
        cases = HandoffService(
            MemoryCaseStore(), MemoryCaseHub(), app.config, app.translator, audit=store.audit
        )
    conversation = ConversationService(
        app.engine, MemorySessionStore(session_ttl=ttl), FeedbackService(store), cases, secret
    )
    # Previews never open cases: nobody should answer an advisory group trying a flow.
    preview = ConversationService(
        app.engine,
        MemorySessionStore(session_ttl=ttl),
        _DropFeedback(store),
        MemoryHandoffDesk(),
        secret,
    )
    accounts = AccountStore(store.engine)
    desk_names = DeskNameStore(store.engine)
    desk_names.create_schema()
    book = SessionBook(idle=settings.idle_timeout, absolute=settings.absolute_timeout)
    visitors = desk_ws.VisitorBoxes()
    state = Web(app, store, accounts, conversation, preview, settings, secret, book, cases,
                visitors, desk_names)  # fmt: skip
    cases.deliverers[chat.CHANNEL] = chat.deliverer(state)
    return state


def create_app(state: Web) -> web.Application:
    application = web.Application(middlewares=[_guard], client_max_size=64 * 1024)
    application[WEB] = state
    application.on_response_prepare.append(_headers)
    application.cleanup_ctx.append(_retention_job)
    application.cleanup_ctx.append(_helplines_job)
    application[desk_ws.SOCKETS] = weakref.WeakSet()
    application.on_shutdown.append(desk_ws.close_sockets)
    router = application.router
    router.add_get("/", auth.index)
    router.add_get("/login", auth.login_form)
    router.add_post("/login", auth.login)
    router.add_post("/logout", auth.logout)
    router.add_get("/chat", chat.page)
    router.add_post("/chat/turn", chat.turn)
    router.add_post("/chat/leave", chat.leave)
    router.add_get("/chat/events", chat.events)
    router.add_get("/static/{name}", _static)
    router.add_get("/dashboard", dashboard.overview)
    router.add_get("/dashboard/export.{fmt:csv|json}", dashboard.export)
    router.add_get("/desk", desk.queue_page)
    router.add_get("/desk/ws", desk_ws.socket)
    router.add_get("/desk/case/{label}", desk.case_page)
    router.add_post("/desk/case/{label}/claim", desk_actions.claim)
    router.add_post("/desk/case/{label}/send", desk_actions.send)
    router.add_post("/desk/case/{label}/note", desk_actions.note)
    router.add_post("/desk/case/{label}/transfer", desk_actions.transfer)
    router.add_post("/desk/case/{label}/close", desk_actions.close)
    router.add_get("/flows", flows_view.index)
    router.add_get("/flows/{scope}/{flow_id}", flows_view.detail)
    router.add_get("/admin/users", admin.users)
    router.add_post("/admin/users", admin.add_user)
    router.add_post("/admin/users/{name}/disable", admin.disable_user)
    router.add_post("/admin/users/{name}/enable", admin.enable_user)
    router.add_post("/admin/users/{name}/reset", admin.reset_user)
    router.add_get("/admin/audit", admin.audit)
    router.add_post("/admin/export/raw", admin.raw_export)
    return application


@public
async def _static(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    path = STATIC / name
    # Only plain names of files shipped in the package; no folders, no dotfiles.
    if "/" in name or name.startswith(".") or path.suffix not in _TYPES or not path.is_file():
        raise web.HTTPNotFound
    return web.Response(body=path.read_bytes(), content_type=_TYPES[path.suffix])


@web.middleware
async def _guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    target = request.match_info.handler
    if is_public(target):
        return await handler(request)
    state = request.app[WEB]
    session = state.book.get(request.cookies.get(STAFF_COOKIE))
    if session is not None:
        # Re-read the account, so a disabled account or a changed role applies at once.
        fresh = await asyncio.to_thread(state.accounts.get, session.account.name)
        if fresh is None or fresh.disabled:
            state.book.close_account(session.account.name)
            session = None
        else:
            session.account = fresh
    if session is None:
        if request.method == "GET":
            raise web.HTTPSeeOther("/login?next=" + quote(request.path_qs, safe=""))
        raise web.HTTPUnauthorized(text="Please log in first.")
    if request.match_info.http_exception is not None:
        raise request.match_info.http_exception
    if not session.account.allows(role_needed(target)):
        raise web.HTTPForbidden(text="Your account cannot open this page.")
    if request.method not in ("GET", "HEAD"):
        form = await request.post()
        token = form.get("csrf")
        if not same_token(session.csrf, token if isinstance(token, str) else None):
            raise web.HTTPForbidden(text="This form has expired. Go back, reload and try again.")
    request[SESSION] = session
    return await handler(request)


async def _headers(request: web.Request, response: web.StreamResponse) -> None:
    state = request.app[WEB]
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    # The no-script "leave quickly" form redirects to the neutral site; form-action must
    # allow that one origin or the browser stops the redirect.
    neutral = urlsplit(state.settings.neutral_url)
    if neutral.scheme in ("http", "https") and neutral.netloc:
        csp = CSP.replace(
            "form-action 'self'", f"form-action 'self' {neutral.scheme}://{neutral.netloc}"
        )
        response.headers["Content-Security-Policy"] = csp
    response.headers.popall("Server", None)
    # Nothing here may linger in a shared computer's cache: answers, charts, exports.
    if not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
    if state.settings.secure_cookies:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"


async def _retention_job(application: web.Application) -> AsyncIterator[None]:
    state = application[WEB]
    task = asyncio.create_task(
        daily_purge(state.store, state.app.config.privacy, every=state.settings.purge_every)
    )
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _helplines_job(application: web.Application) -> AsyncIterator[None]:
    """Every minute or so: helplines for young people nobody answered in time; and the
    web chat's mailboxes no page asked about for an hour are dropped."""
    state = application[WEB]

    async def run() -> None:
        while True:
            await asyncio.sleep(state.settings.helplines_every)
            state.visitors.sweep()
            try:
                await state.cases.due_for_helplines()
            except Exception as exc:  # the next round tries again
                log.warning("checking unanswered cases failed (%s)", type(exc).__name__)

    task = asyncio.create_task(run())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
