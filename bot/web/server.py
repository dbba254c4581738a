"""The aiohttp application: routes, the login guard, CSRF, security headers, the purge job.

Every route needs a staff login unless its handler is marked `@public` (login and the
young people's chat); `tests/web/test_security.py` walks the router to prove it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import weakref
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from urllib.parse import quote, urlsplit

from aiohttp import web

from bot.errors import ConfigError
from bot.runtime import Runtime
from bot.web import (
    account,
    admin,
    audit_view,
    auth,
    chat,
    comments,
    dashboard,
    desk,
    desk_actions,
    desk_tools,
    desk_ws,
    flows_view,
    notices_view,
    reauth,
    sessions_view,
    studio_comment_changes,
    studio_comments,
    studio_compare,
    studio_signoff,
    updates,
)  # fmt: skip
from bot.web.cookies import read_cookie
from bot.web.html import staff_page
from bot.web.preview_flows import PREVIEW, PreviewFlows
from bot.web.security import same_token
from bot.web.state import (
    SESSION,
    STAFF_COOKIE,
    WEB,
    Handler,
    Web,
    WebSettings,
    is_mfa_exempt,
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


def build_web(runtime: Runtime, settings: WebSettings) -> Web:
    """The web side's view of the runtime's services (built in bot/runtime.py only)."""
    scheduler = runtime.scheduler(
        helplines_every=settings.helplines_every, purge_every=settings.purge_every
    )
    return Web(
        runtime.app, runtime.store, runtime.accounts, runtime.conversation, runtime.preview,
        settings, runtime.secret, runtime.staff_sessions, runtime.cases, runtime.visitors,
        runtime.desk_names, runtime.login_limits, scheduler, runtime.updates,
    )  # fmt: skip


async def serve_web(
    state: Web, stop: asyncio.Event | None = None, *, announce: Callable[[str], None] | None = None
) -> None:
    """Serve `state` on its host and port until SIGINT/SIGTERM or `stop`."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    runner = web.AppRunner(create_app(state), access_log=None)  # access logs would hold paths
    await runner.setup()
    settings = state.settings
    try:
        try:
            await web.TCPSite(runner, settings.host, settings.port).start()
        except OSError as exc:
            msg = (
                f"cannot listen on {settings.host}:{settings.port} ({exc.strerror or exc}); "
                "another program may use that port: choose another with --port or [web] port"
            )
            raise ConfigError(msg) from None
        if announce is not None:
            host = f"[{settings.host}]" if ":" in settings.host else settings.host
            announce(f"http://{host}:{settings.port}")
        await stop.wait()
    finally:
        await runner.cleanup()


def create_app(state: Web) -> web.Application:
    application = web.Application(middlewares=[_guard], client_max_size=64 * 1024)
    application[WEB] = state
    application[PREVIEW] = PreviewFlows(state.app, state.preview)
    application.on_response_prepare.append(_headers)
    application.cleanup_ctx.append(_scheduled_work)
    application[desk_ws.SOCKETS] = weakref.WeakSet()
    application.on_shutdown.append(desk_ws.close_sockets)
    router = application.router
    router.add_get("/", auth.index)
    router.add_get("/login", auth.login_form)
    router.add_post("/login", auth.login)
    router.add_get("/login/code", auth.code_form)
    router.add_post("/login/code", auth.code)
    router.add_post("/logout", auth.logout)
    router.add_get("/account", account.overview)
    router.add_post("/account/password", account.change_password)
    router.add_post("/account/password/strength", account.strength)
    router.add_get("/account/mfa", account.enrol_form)
    router.add_post("/account/mfa", account.enrol)
    router.add_post("/account/recovery", account.new_recovery)
    router.add_get("/account/notices", notices_view.page)
    router.add_post("/account/notices/{notice_id}/dismiss", notices_view.dismiss)
    router.add_post("/account/sessions/end-others", sessions_view.end_others)
    router.add_post("/account/sessions/{session_id}/end", sessions_view.end_session)
    router.add_get("/account/confirm", reauth.confirm_form)
    router.add_post("/account/confirm", reauth.confirm)
    router.add_get("/chat", chat.page)
    router.add_get("/chat/state", chat.resume)
    router.add_post("/chat/turn", chat.turn)
    router.add_post("/chat/leave", chat.leave)
    router.add_get("/chat/events", chat.events)
    router.add_get("/static/{name}", _static)
    router.add_get("/dashboard", dashboard.overview)
    router.add_get("/dashboard/export.{fmt:csv|json}", dashboard.export)
    router.add_post("/dashboard/comments/remove", comments.remove)
    router.add_get("/desk", desk.queue_page)
    router.add_get("/desk/ws", desk_ws.socket)
    router.add_get("/desk/case/{label}", desk.case_page)
    router.add_post("/desk/case/{label}/claim", desk_actions.claim)
    router.add_post("/desk/case/{label}/send", desk_actions.send)
    router.add_post("/desk/case/{label}/note", desk_actions.note)
    router.add_post("/desk/case/{label}/transfer", desk_actions.transfer)
    router.add_post("/desk/case/{label}/close", desk_actions.close)
    router.add_post("/desk/case/{label}/take-over", desk_actions.take_over)
    router.add_post("/desk/case/{label}/block", desk_tools.block)
    router.add_post("/desk/duty", desk_tools.duty)
    router.add_get("/flows", flows_view.index)
    router.add_get("/flows/{scope}/{flow_id}", flows_view.detail)
    router.add_get("/flows/{scope}/{flow_id}/compare", studio_compare.page)
    router.add_post("/flows/{scope}/{flow_id}/comments", studio_comments.add)
    comment = "/flows/{scope}/{flow_id}/comments/{comment_id}"
    router.add_post(comment + "/edit", studio_comment_changes.edit)
    router.add_post(comment + "/resolve", studio_comment_changes.resolve)
    router.add_post(comment + "/reopen", studio_comment_changes.reopen)
    router.add_post("/flows/{scope}/{flow_id}/signoff", studio_signoff.sign)
    router.add_get("/updates", updates.page)
    router.add_post("/updates", updates.write)
    router.add_post("/updates/{update_id}/approve", updates.approve)
    router.add_post("/updates/{update_id}/texts", updates.add_text)
    router.add_post("/updates/{update_id}/drafts", updates.draft_languages)
    router.add_post("/updates/{update_id}/texts/{lang}/approve", updates.approve_text)
    router.add_get("/admin/users", admin.users)
    router.add_post("/admin/users", admin.add_user)
    router.add_post("/admin/users/{name}/disable", admin.disable_user)
    router.add_post("/admin/users/{name}/enable", admin.enable_user)
    router.add_post("/admin/users/{name}/reset", admin.reset_user)
    router.add_post("/admin/users/{name}/mfa-reset", admin.reset_mfa)
    router.add_get("/admin/audit", audit_view.audit)
    router.add_get("/admin/audit.csv", audit_view.audit_csv)
    router.add_post("/admin/export/raw", admin.raw_export)
    return application


_EXPIRED = staff_page(
    "This form has expired",
    "<p>This form has expired. Go back, reload and try again. Nothing was changed: staff "
    "forms work only from a page opened in this login, which keeps other sites from sending "
    'them for you.</p><p><a href="/dashboard">Back to the dashboard</a></p>',
)


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
    session = await state.book.get(read_cookie(request, state.settings, STAFF_COOKIE))
    if session is not None:
        # Re-read the account, so a disabled account or a changed role applies at once.
        fresh = await asyncio.to_thread(state.accounts.get, session.account_name)
        if fresh is None or fresh.disabled:
            await state.book.close_account(session.account_name)
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
        # ASVS 7.2.2: refused access is logged (the route's pattern, never its values).
        resource = request.match_info.route.resource
        pattern = resource.canonical if resource is not None else "-"
        await asyncio.to_thread(state.store.audit, session.account_name, "access-denied", pattern)
        raise web.HTTPForbidden(text="Your account cannot open this page.")
    if session.account.role in state.settings.mfa_roles and not is_mfa_exempt(target):
        second = state.accounts.second_factor
        if not await asyncio.to_thread(second.enrolled, session.account_name):
            # Its role needs a second factor and it has none yet: set one up first.
            if request.method == "GET":
                raise web.HTTPSeeOther("/account")
            raise web.HTTPForbidden(text="Set up the authenticator app on /account first.")
    if (
        not is_mfa_exempt(target)
        and (await asyncio.to_thread(state.accounts.issued_at, session.account_name)) is not None
    ):
        # A password someone else gave opens only the account page, to choose one's own.
        if request.method == "GET":
            raise web.HTTPSeeOther("/account?choose=1")
        raise web.HTTPForbidden(text="Choose your own password on /account first.")
    if request.method not in ("GET", "HEAD"):
        form = await request.post()
        token = form.get("csrf")
        if not same_token(session.csrf, token if isinstance(token, str) else None):
            raise web.HTTPForbidden(text=_EXPIRED, content_type="text/html")
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


async def _scheduled_work(application: web.Application) -> AsyncIterator[None]:
    """The retention purge, helplines for young people nobody answered in time, and the
    mailbox sweep: each due run once across every process of the deployment."""
    state = application[WEB]
    stop = asyncio.Event()
    task = asyncio.create_task(state.scheduler.run(stop)) if state.scheduler else None
    yield
    stop.set()
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
