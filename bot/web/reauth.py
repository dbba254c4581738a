"""Re-authentication before what cannot be undone: the raw export, account changes, a new
second factor (ASVS 4.0.3 V3.7.1). The password typed at login, or again on
`/account/confirm`, counts for `[web] reauth_minutes`; the proof is a sealed cookie bound
to the session (a copy taken from another session is worth nothing).
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.staff.login_policy import TOO_MANY
from bot.storage.staff_sessions import token_digest
from bot.web.cookies import put_cookie, read_cookie
from bot.web.html import csrf_field, esc, html_response, staff_page
from bot.web.security import same_origin_path, seal, unseal
from bot.web.state import (
    STAFF_COOKIE,
    WEB,
    Web,
    account_of,
    client_of,
    mfa_exempt,
    requires,
    staff_session,
)

__all__ = [
    "REAUTH_COOKIE", "confirm", "confirm_form", "fresh", "put_session_cookies", "reauth_cookie",
    "reauth_page",
]  # fmt: skip

REAUTH_COOKIE = "sv_reauth"
_PURPOSE = "reauth"


def reauth_cookie(state: Web, token: str) -> str:
    return seal(state.secret, _PURPOSE, token_digest(token), state.settings.reauth_seconds)


def put_session_cookies(response: web.StreamResponse, state: Web, token: str) -> None:
    """A new session's cookie, and its proof of a password just typed."""
    put_cookie(response, state.settings, STAFF_COOKIE, token)
    put_cookie(response, state.settings, REAUTH_COOKIE, reauth_cookie(state, token))


def fresh(request: web.Request) -> bool:
    """Whether this session's password was typed within the last few minutes."""
    state = request.app[WEB]
    found = unseal(state.secret, _PURPOSE, read_cookie(request, state.settings, REAUTH_COOKIE))
    return found is not None and found == token_digest(staff_session(request).token)


def reauth_page(
    request: web.Request, back: str, message: str = "", status: int = 403
) -> web.Response:
    """The password form, asked before a change; it brings the person back to `back`."""
    session = staff_session(request)
    state = request.app[WEB]
    minutes = round(state.settings.reauth_seconds / 60)
    error = f'<p class="error" role="alert">{esc(message)}</p>' if message else ""
    body = (
        f"{error}<p>This asks for your password again, because it changes accounts or "
        f"hands out records. It then counts for {minutes} minutes.</p>"
        f'<form method="post" action="/account/confirm">{csrf_field(session.csrf)}'
        f'<input type="hidden" name="next" value="{esc(same_origin_path(back))}">'
        f'<input type="text" name="username" value="{esc(session.account_name)}"'
        ' autocomplete="username" hidden>'
        '<label for="confirm-password">Your password</label>'
        '<input id="confirm-password" name="password" type="password"'
        ' autocomplete="current-password" required autofocus>'
        '<button type="submit">Confirm</button></form>'
    )
    page = staff_page("Confirm it is you", body, account=session.account, csrf=session.csrf,
                      demo=state.settings.demo)  # fmt: skip
    return html_response(page, status)


@requires("any")
@mfa_exempt
async def confirm_form(request: web.Request) -> web.StreamResponse:
    return reauth_page(request, request.query.get("next", "/account"), status=200)


@requires("any")
@mfa_exempt
async def confirm(request: web.Request) -> web.StreamResponse:
    state = request.app[WEB]
    form = await request.post()
    back = same_origin_path(form.get("next"), "/account")
    account = account_of(request)
    client = client_of(request)
    if await state.limiter.blocked(account.name, client):
        return reauth_page(request, back, TOO_MANY, 429)
    password = str(form.get("password", ""))[:1024]
    if await asyncio.to_thread(state.accounts.verify, account.name, password) is None:
        await state.limiter.failed(account.name, client)
        await asyncio.to_thread(state.store.audit, account.name, "reauth-failed", "")
        return reauth_page(request, back, "That password is not right.", 401)
    response = web.HTTPSeeOther(back)
    token = reauth_cookie(state, staff_session(request).token)
    put_cookie(response, state.settings, REAUTH_COOKIE, token)
    raise response
