"""Logging in and out. The login form has its own CSRF token (a cookie that must match the
form), because there is no session yet to hold one."""

from __future__ import annotations

import asyncio
import secrets

from aiohttp import web

from bot.web.html import attrs, csrf_field, esc, html_response, staff_page
from bot.web.security import client_address, same_token
from bot.web.state import LOGIN_COOKIE, STAFF_COOKIE, WEB, public, staff_session


async def index(request: web.Request) -> web.StreamResponse:
    raise web.HTTPSeeOther("/dashboard")


def _next(value: str | None) -> str:
    # Only a path on this site: "//evil.example" or "https://..." would be an open redirect.
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/dashboard"


def _form(request: web.Request, message: str = "", status: int = 200) -> web.Response:
    # Reuse the token the browser already holds: a second login page loading in the
    # background (a favicon request redirected here) must not invalidate the visible form.
    token = request.cookies.get(LOGIN_COOKIE, "")
    if len(token) != 43:
        token = secrets.token_urlsafe(32)
    state = request.app[WEB]
    error = f'<p class="error" role="alert">{esc(message)}</p>' if message else ""
    body = (
        f'{error}<form method="post" action="/login" class="login">{csrf_field(token)}'
        f'<input type="hidden" name="next" value="{esc(_next(request.query.get("next")))}">'
        '<label for="name">Account name</label>'
        '<input id="name" name="name" autocomplete="username" required autofocus>'
        '<label for="password">Password</label>'
        '<input id="password" name="password" type="password" autocomplete="current-password"'
        " required>"
        '<button type="submit">Log in</button></form>'
    )
    response = html_response(staff_page("Log in", body, demo=state.settings.demo), status)
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        secure=state.settings.secure_cookies,
        path="/login",
        max_age=3600,
    )
    return response


@public
async def login_form(request: web.Request) -> web.StreamResponse:
    return _form(request)


@public
async def login(request: web.Request) -> web.StreamResponse:
    state = request.app[WEB]
    form = await request.post()
    token, name, password = (str(form.get(key, "")) for key in ("csrf", "name", "password"))
    if not same_token(request.cookies.get(LOGIN_COOKIE, ""), token):
        return _form(request, "This form has expired. Please try again.", 403)
    name = name.strip().lower()[:64]
    where = client_address(request.remote, request.headers.get("X-Forwarded-For"),
                           state.settings.trusted_proxies)  # fmt: skip
    client = f"ip:{where}"
    keys = (f"name:{name}", client)
    if await state.limiter.blocked(*keys):
        await asyncio.to_thread(state.store.audit, name or "-", "login-blocked", "")
        return _form(request, "Too many failed attempts. Wait 15 minutes and try again.", 429)
    account = await asyncio.to_thread(state.accounts.verify, name, password[:1024])
    if account is None:
        await state.limiter.failed(*keys)
        await asyncio.to_thread(state.store.audit, name or "-", "login-failed", "")
        return _form(request, "That name and password do not match an active account.", 401)
    await state.limiter.succeeded(keys[0])
    session = await state.book.open(account.name)
    await asyncio.to_thread(state.store.audit, account.name, "login", "")
    response = web.HTTPSeeOther(_next(str(form.get("next", ""))))
    response.set_cookie(
        STAFF_COOKIE,
        session.token,
        httponly=True,
        samesite="Strict",
        secure=state.settings.secure_cookies,
        path="/",
    )
    response.del_cookie(LOGIN_COOKIE, path="/login")
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    state = request.app[WEB]
    session = staff_session(request)
    await state.book.close(session.token)
    await asyncio.to_thread(state.store.audit, session.account_name, "logout", "")
    response = html_response(
        staff_page(
            "Logged out",
            f"<p>You are logged out.</p><p><a{attrs(href='/login')}>Log in again</a></p>",
        )
    )
    response.del_cookie(STAFF_COOKIE, path="/")
    return response
