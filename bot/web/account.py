"""A staff member's own account: change the password, set up the second factor, new
recovery codes.

An account whose role must use a second factor (`[web] mfa_roles`) and has none yet can
open only these pages until it has one (the guard in bot/web/server.py). Setting up a
factor, or new recovery codes, needs the password typed within the last few minutes
(bot/web/reauth.py). The secret and the recovery codes are shown once, on the page that
makes them, and never again.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.staff.accounts import AccountError
from bot.staff.mfa import provisioning_uri, qr_svg
from bot.staff.passwords import password_problem
from bot.web.html import csrf_field, esc, html_response, staff_page
from bot.web.notices_view import notices_block
from bot.web.reauth import fresh, put_session_cookies, reauth_page
from bot.web.sessions_view import client_of_request, sessions_section
from bot.web.state import WEB, account_of, mfa_exempt, requires, staff_session

__all__ = ["change_password", "enrol", "enrol_form", "new_recovery", "overview", "strength"]


def _page(request: web.Request, title: str, body: str, status: int = 200) -> web.Response:
    session = staff_session(request)
    state = request.app[WEB]
    page = staff_page(title, body, account=session.account, csrf=session.csrf,
                      demo=state.settings.demo)  # fmt: skip
    return html_response(page, status)


def must_enrol(request: web.Request, enrolled: bool) -> bool:
    roles = request.app[WEB].settings.mfa_roles
    return not enrolled and account_of(request).role in roles


@requires("any")
@mfa_exempt
async def overview(request: web.Request) -> web.StreamResponse:
    return await _overview(request)


async def _overview(request: web.Request, message: str = "", status: int = 200) -> web.Response:
    state = request.app[WEB]
    account = account_of(request)
    csrf = staff_session(request).csrf
    second = state.accounts.second_factor
    enrolled = await asyncio.to_thread(second.enrolled, account.name)
    left = await asyncio.to_thread(second.recovery_left, account.name)
    notes = []
    if message:
        notes.append(message)
    if request.query.get("recovered") == "1":
        notes.append(
            f"You logged in with a recovery code; {left} are left. If your phone is lost, "
            "set up the authenticator app again below."
        )
    if request.query.get("changed") == "1":
        notes.append("Your password is changed. Your other logins have ended.")
    ended = request.query.get("ended", "")
    if ended.isdigit():
        ends = {"0": "No other login was open.", "1": "That login has ended."}
        notes.append(ends.get(ended, f"{ended} logins have ended."))
    if await asyncio.to_thread(state.accounts.issued_at, account.name) is not None:
        notes.append(
            "Your password was given to you by an administrator. Choose your own below "
            "before you go on; the one you were given expires."
        )
    if must_enrol(request, enrolled):
        notes.append(
            "Your role needs a second step at login. Set up an authenticator app below "
            "before you go on."
        )
    note = "".join(f'<p class="notice" role="status">{esc(n)}</p>' for n in notes)
    note += await notices_block(request, "/account")
    if enrolled:
        factor = (
            f"<p>Your login asks for a code from your authenticator app. Recovery codes "
            f"left: {left}.</p>"
            f'<form method="post" action="/account/recovery">{csrf_field(csrf)}'
            '<button type="submit">Make new recovery codes</button></form>'
            '<p><a href="/account/mfa">Move the authenticator to a new phone</a></p>'
        )
    else:
        factor = (
            "<p>Your login asks only for your password.</p>"
            '<p><a href="/account/mfa">Set up an authenticator app</a></p>'
        )
    body = (
        f"{note}<p>Account <strong>{esc(account.name)}</strong>, role {esc(account.role)}.</p>"
        f"<h2>Second step at login</h2>{factor}"
        f'<h2>Change your password</h2><form method="post" action="/account/password"'
        f' class="login">{csrf_field(csrf)}'
        f'<input type="text" name="username" value="{esc(account.name)}"'
        ' autocomplete="username" hidden>'
        '<label for="current">Current password</label><input id="current" name="current"'
        ' type="password" autocomplete="current-password" required>'
        '<label for="new">New password (12 characters or more; a few unusual words'
        ' together work well)</label><input id="new" name="new" type="password"'
        ' autocomplete="new-password" required minlength="12" maxlength="128"'
        ' aria-describedby="strength" data-strength="/account/password/strength">'
        '<p id="strength" class="hint" aria-live="polite"></p>'
        '<label for="again">New password again</label><input id="again" name="again"'
        ' type="password" autocomplete="new-password" required>'
        '<button type="submit">Change password</button></form>'
        f"{await sessions_section(request)}"
    )
    return _page(request, "Your account", body, status)


@requires("any")
@mfa_exempt
async def change_password(request: web.Request) -> web.StreamResponse:
    state = request.app[WEB]
    account = account_of(request)
    form = await request.post()
    current, new, again = (str(form.get(k, ""))[:1024] for k in ("current", "new", "again"))
    if new != again:
        return await _overview(request, "The two new passwords are not the same.", 400)
    try:
        await asyncio.to_thread(state.accounts.change_password, account.name, current, new)
    except AccountError as err:
        await asyncio.to_thread(state.store.audit, account.name, "password-change-refused", "")
        return await _overview(request, str(err), 400)
    await asyncio.to_thread(state.store.audit, account.name, "password-change", "")
    # Every other login of this account ends (ASVS 3.3.3); this browser gets a new one.
    await state.book.close_account(account.name)
    session = await state.book.open(account.name, client_of_request(request))
    response = web.HTTPSeeOther("/account?changed=1")
    put_session_cookies(response, state, session.token)
    raise response


@requires("any")
@mfa_exempt
async def strength(request: web.Request) -> web.StreamResponse:
    """How a password being typed would fare, for the meter under the field (ASVS 2.1.8):
    the check a change makes, said as it would be; nothing is kept or logged."""
    form = await request.post()
    typed = str(form.get("new", ""))[:1024]
    problem = await asyncio.to_thread(password_problem, typed, name=account_of(request).name)
    return web.json_response({"ok": problem is None, "message": problem or "Strong enough."})


@requires("any")
@mfa_exempt
async def enrol_form(request: web.Request) -> web.StreamResponse:
    if not fresh(request):
        return reauth_page(request, "/account/mfa")
    state = request.app[WEB]
    account = account_of(request)
    csrf = staff_session(request).csrf
    secret = await asyncio.to_thread(state.accounts.second_factor.begin, account.name)
    qr = qr_svg(provisioning_uri(secret, account.name)).replace(
        "<svg ", '<svg role="img" aria-label="QR code for your authenticator app" ', 1
    )
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    body = (
        "<ol><li>Open an authenticator app on your phone (any app for 6-digit codes).</li>"
        "<li>Scan this code with it, or type the key below.</li>"
        "<li>Enter the 6-digit code the app shows.</li></ol>"
        f'<div class="qr">{qr}</div>'
        f'<p>Key: <code class="secret">{esc(grouped)}</code></p>'
        "<p>The key is shown only on this page. Nobody from the team will ever ask you "
        "for it.</p>"
        f'<form method="post" action="/account/mfa" class="login">{csrf_field(csrf)}'
        '<label for="code">Code from the app</label>'
        '<input id="code" name="code" autocomplete="one-time-code" inputmode="numeric"'
        ' required maxlength="10" spellcheck="false">'
        '<button type="submit">Turn it on</button></form>'
    )
    return _page(request, "Set up the authenticator app", body)


def _codes_page(request: web.Request, codes: list[str], intro: str) -> web.Response:
    items = "".join(f"<li><code>{esc(c)}</code></li>" for c in codes)
    body = (
        f'<p class="notice" role="status">{esc(intro)}</p>'
        "<p>These recovery codes let you log in without your phone, each once. Write them "
        "down or print them now and keep them somewhere safe: they are shown only on this "
        "page.</p>"
        f'<ul class="codes">{items}</ul><p><a href="/dashboard">Go on to the dashboard</a></p>'
    )
    return _page(request, "Your recovery codes", body)


@requires("any")
@mfa_exempt
async def enrol(request: web.Request) -> web.StreamResponse:
    state = request.app[WEB]
    if not fresh(request):
        return reauth_page(request, "/account/mfa")
    account = account_of(request)
    form = await request.post()
    code = str(form.get("code", ""))[:20]
    codes = await asyncio.to_thread(state.accounts.second_factor.confirm, account.name, code)
    if codes is None:
        return _page(
            request,
            "That code did not work",
            '<p class="error" role="alert">That code is not right. Check the phone\'s clock '
            'is set automatically, then <a href="/account/mfa">start again</a>.</p>',
            400,
        )
    await asyncio.to_thread(state.store.audit, account.name, "mfa-enrol", "")
    await asyncio.to_thread(state.accounts.notify, account.name, "mfa-enrol", by_admin=False)
    return _codes_page(request, codes, "The authenticator app is on.")


@requires("any")
async def new_recovery(request: web.Request) -> web.StreamResponse:
    state = request.app[WEB]
    if not fresh(request):
        return reauth_page(request, "/account")
    account = account_of(request)
    codes = await asyncio.to_thread(state.accounts.second_factor.new_recovery, account.name)
    if not codes:
        raise web.HTTPSeeOther("/account")
    await asyncio.to_thread(state.store.audit, account.name, "mfa-recovery-codes", "")
    notify = state.accounts.notify
    await asyncio.to_thread(notify, account.name, "recovery-codes", by_admin=False)
    return _codes_page(request, codes, "New recovery codes are ready; the old ones stop working.")
