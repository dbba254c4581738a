"""Logging in and out. The login form has its own CSRF token (a cookie that must match the
form), because there is no session yet to hold one.

A login is the password, then, for an account with a second factor, a code from the
authenticator app or a recovery code (`/login/code`). Between the two steps the browser
holds a sealed cookie naming the account for five minutes; no session exists until the
second step. Failures of either step count against the account from that client and
against the client (bot/staff/login_policy.py), never against the account alone.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from urllib.parse import quote

from aiohttp import web

from bot.staff.accounts import Account
from bot.staff.login_policy import TOO_MANY, UNREADABLE_KEY
from bot.staff.second_factor import SeedUnreadable
from bot.web.cookies import drop_cookie, put_cookie, read_cookie
from bot.web.html import attrs, csrf_field, esc, html_response, staff_page
from bot.web.notices_view import after_login
from bot.web.reauth import REAUTH_COOKIE, put_session_cookies
from bot.web.security import same_origin_path, same_token, seal, unseal
from bot.web.sessions_view import client_of_request
from bot.web.state import (
    LOGIN_COOKIE,
    STAFF_COOKIE,
    WEB,
    Web,
    client_of,
    mfa_exempt,
    public,
    requires,
    staff_session,
)

__all__ = ["code", "code_form", "index", "login", "login_form", "logout"]

PENDING_COOKIE = "sv_mfa"
PENDING_TTL = 300.0
_PENDING = "login-second-step"


@requires("any")
async def index(request: web.Request) -> web.StreamResponse:
    # An advisor has no dashboard: its home is the flow studio.
    advisor = staff_session(request).account.role == "advisor"
    raise web.HTTPSeeOther("/flows" if advisor else "/dashboard")


def _login_token(request: web.Request) -> str:
    # Reuse the token the browser already holds: a second login page loading in the
    # background (a favicon request redirected here) must not invalidate the visible form.
    token = read_cookie(request, request.app[WEB].settings, LOGIN_COOKIE) or ""
    return token if len(token) == 43 else secrets.token_urlsafe(32)


def _page(request: web.Request, title: str, body: str, status: int, token: str) -> web.Response:
    state = request.app[WEB]
    response = html_response(staff_page(title, body, demo=state.settings.demo), status)
    put_cookie(response, state.settings, LOGIN_COOKIE, token, max_age=3600)
    return response


def _error(message: str) -> str:
    return f'<p class="error" role="alert">{esc(message)}</p>' if message else ""


def _form(request: web.Request, message: str = "", status: int = 200) -> web.Response:
    token = _login_token(request)
    next_ = same_origin_path(request.query.get("next"))
    body = (
        f'{_error(message)}<form method="post" action="/login" class="login">'
        f"{csrf_field(token)}"
        f'<input type="hidden" name="next" value="{esc(next_)}">'
        '<label for="name">Account name</label>'
        '<input id="name" name="name" autocomplete="username" required autofocus>'
        '<label for="password">Password</label>'
        '<input id="password" name="password" type="password" autocomplete="current-password"'
        " required>"
        '<button type="submit">Log in</button></form>'
    )
    return _page(request, "Log in", body, status, token)


def _code_form(
    request: web.Request, next_: str, message: str = "", status: int = 200
) -> web.Response:
    token = _login_token(request)
    body = (
        f"{_error(message)}<p>Enter the 6-digit code from your authenticator app. If you do "
        "not have your phone, enter one of your recovery codes instead.</p>"
        f'<form method="post" action="/login/code" class="login">{csrf_field(token)}'
        f'<input type="hidden" name="next" value="{esc(same_origin_path(next_))}">'
        '<label for="code">Code</label>'
        '<input id="code" name="code" autocomplete="one-time-code" required autofocus'
        ' spellcheck="false" maxlength="40">'
        '<button type="submit">Continue</button></form>'
        f"<p><a{attrs(href='/login')}>Start again</a></p>"
    )
    return _page(request, "Second step", body, status, token)


async def _audit(state: Web, actor: str, action: str, detail: str = "") -> None:
    await asyncio.to_thread(state.store.audit, actor, action, detail)


@public
async def login_form(request: web.Request) -> web.StreamResponse:
    return _form(request)


@public
async def login(request: web.Request) -> web.StreamResponse:
    state = request.app[WEB]
    form = await request.post()
    token, name, password = (str(form.get(key, "")) for key in ("csrf", "name", "password"))
    if not same_token(read_cookie(request, state.settings, LOGIN_COOKIE) or "", token):
        return _form(request, "This form has expired. Please try again.", 403)
    name, client = name.strip().lower()[:64], client_of(request)
    next_ = same_origin_path(form.get("next"))
    if await state.limiter.blocked(name, client):
        await _audit(state, name or "-", "login-blocked")
        return _form(request, TOO_MANY, 429)
    account = await asyncio.to_thread(state.accounts.verify, name, password[:1024])
    if account is None:
        await state.limiter.failed(name, client)
        await _audit(state, name or "-", "login-failed")
        return _form(request, "That name and password do not match an active account.", 401)
    issued = await asyncio.to_thread(state.accounts.issued_at, account.name)
    if issued is not None and _expired(issued, state.settings.issued_password_seconds):
        await _audit(state, account.name, "login-issued-password-expired")
        return _form(request, ISSUED_EXPIRED, 403)
    second = state.accounts.second_factor
    if await asyncio.to_thread(second.enrolled, account.name):
        response = web.HTTPSeeOther("/login/code?next=" + quote(next_, safe=""))
        pending = seal(state.secret, _PENDING, account.name, PENDING_TTL)
        put_cookie(response, state.settings, PENDING_COOKIE, pending, max_age=int(PENDING_TTL))
        raise response
    await state.limiter.succeeded(name, client)
    raise await _open_session(request, account, next_, "password")


@public
async def code_form(request: web.Request) -> web.StreamResponse:
    state = request.app[WEB]
    if unseal(state.secret, _PENDING, read_cookie(request, state.settings, PENDING_COOKIE)) is None:
        raise web.HTTPSeeOther("/login")
    return _code_form(request, request.query.get("next", ""))


@public
async def code(request: web.Request) -> web.StreamResponse:
    state = request.app[WEB]
    form = await request.post()
    next_ = same_origin_path(form.get("next"))
    typed_csrf = str(form.get("csrf", ""))
    if not same_token(read_cookie(request, state.settings, LOGIN_COOKIE) or "", typed_csrf):
        return _code_form(request, next_, "This form has expired. Please try again.", 403)
    name = unseal(state.secret, _PENDING, read_cookie(request, state.settings, PENDING_COOKIE))
    if name is None:
        return _form(request, "That took too long. Please log in again.", 401)
    client = client_of(request)
    if await state.limiter.blocked(name, client):
        await _audit(state, name, "login-blocked")
        return _code_form(request, next_, TOO_MANY, 429)
    typed = str(form.get("code", ""))[:40]
    try:
        factor = await asyncio.to_thread(state.accounts.second_factor.check, name, typed)
    except SeedUnreadable:
        await _audit(state, name, "login-code-unreadable")
        return _code_form(request, next_, UNREADABLE_KEY, 409)
    account = await asyncio.to_thread(state.accounts.get, name)
    if factor is None or account is None or account.disabled:
        await state.limiter.failed(name, client)
        await _audit(state, name, "login-code-failed")
        if await asyncio.to_thread(state.accounts.second_factor.replayed, name, typed):
            # Someone who has the password tried a code already used (seen, or caught):
            # the owner is told at their next login (ASVS 2.8.5).
            await _audit(state, name, "login-code-replayed")
            await asyncio.to_thread(state.accounts.notify, name, "code-replayed", by_admin=False)
        return _code_form(request, next_, "That code is not right, or was used already.", 401)
    await state.limiter.succeeded(name, client)
    if factor == "recovery":
        next_ = "/account?recovered=1"
    how = "password and recovery code" if factor == "recovery" else "password and app code"
    response = await _open_session(request, account, next_, how)
    drop_cookie(response, state.settings, PENDING_COOKIE)
    raise response


async def _open_session(
    request: web.Request, account: Account, next_: str, how: str
) -> web.HTTPSeeOther:
    state = request.app[WEB]
    session = await state.book.open(account.name, client_of_request(request))
    await _audit(state, account.name, "login", how)
    response = web.HTTPSeeOther(await after_login(state, account.name, next_))
    put_session_cookies(response, state, session.token)
    drop_cookie(response, state.settings, LOGIN_COOKIE)
    return response


ISSUED_EXPIRED = (
    "This password was given to you some time ago and has expired before you chose your "
    "own. Please ask your administrator for a new one."
)


def _expired(issued: dt.datetime, seconds: float) -> bool:
    return (dt.datetime.now(dt.UTC) - issued).total_seconds() > seconds


STAFF_LOGOUT_CLEARS = '"cache", "cookies", "storage"'


@requires("any")
@mfa_exempt
async def logout(request: web.Request) -> web.StreamResponse:
    state = request.app[WEB]
    session = staff_session(request)
    await state.book.close(session.token)
    await _audit(state, session.account_name, "logout")
    response = html_response(
        staff_page(
            "Logged out",
            f"<p>You are logged out.</p><p><a{attrs(href='/login')}>Log in again</a></p>",
        )
    )
    drop_cookie(response, state.settings, STAFF_COOKIE)
    drop_cookie(response, state.settings, REAUTH_COOKIE)
    # A shared office computer keeps no staff page in its cache or storage (ASVS 8.2.3).
    response.headers["Clear-Site-Data"] = STAFF_LOGOUT_CLEARS
    return response
