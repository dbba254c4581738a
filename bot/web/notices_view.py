"""Telling staff that their credentials changed (ASVS 4.0.3 V2.2.3, V2.5.5).

Staff accounts hold no e-mail or phone, by design, so the notice is in the app: a login
with notices waiting shows them first (`/account/notices`, then on to where the person
was going), and the account page shows them too, until the person dismisses each one.
The rows are bot/storage/staff_notices.py's; bot/staff/accounts.py adds them when a
password changes or a second factor is removed, the account pages when an authenticator
is set up or recovery codes are renewed.

Dismissing needs the password typed within the last few minutes, as after a login: a
stolen cookie alone must not hide from its owner that their password was changed.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from aiohttp import web

from bot.services.staff_time import StaffTime
from bot.storage.staff_notices import Notice
from bot.web.html import attrs, csrf_field, esc, html_response, staff_page
from bot.web.reauth import fresh, reauth_page
from bot.web.security import same_origin_path
from bot.web.state import WEB, Web, account_of, mfa_exempt, requires, staff_session

__all__ = ["after_login", "dismiss", "notice_text", "notices_block", "page"]

_WHAT = {
    "password": "Your password was changed",
    "mfa-enrol": "An authenticator app was set up for your login",
    "mfa-reset": "The authenticator app was removed from your login",
    "recovery-codes": "New recovery codes were made for your login",
}


def notice_text(notice: Notice, times: StaffTime) -> str:
    when = f"{times.stamp(notice.at)} ({times.zone_name})"
    if notice.kind == "code-replayed":
        return (
            f"On {when} someone logged in with your password and then typed a code from "
            "your authenticator app that had been used already; it was refused. If this "
            "was not you, change your password now and tell your administrator."
        )
    what = _WHAT.get(notice.kind, "Your login was changed")
    by = "an administrator" if notice.by_admin else "you"
    return f"{what} on {when} by {by}. If this was not you, tell your administrator."


async def _pending(state: Web, name: str) -> list[Notice]:
    return await asyncio.to_thread(state.accounts.pending_notices, name)


async def after_login(state: Web, name: str, next_: str) -> str:
    """Where a new login goes: its notices first when it has any."""
    if await _pending(state, name):
        return "/account/notices?next=" + quote(next_, safe="")
    return next_


async def notices_block(request: web.Request, back: str) -> str:
    """The waiting notices with their "Dismiss" buttons; empty when there are none."""
    state = request.app[WEB]
    session = staff_session(request)
    times = StaffTime(state.app.config)
    items = []
    for notice in await _pending(state, session.account_name):
        items.append(
            f'<li class="notice"><p role="status">{esc(notice_text(notice, times))}</p>'
            f'<form method="post" action="/account/notices/{esc(notice.id)}/dismiss">'
            f"{csrf_field(session.csrf)}"
            f'<input type="hidden" name="next" value="{esc(back)}">'
            '<button type="submit">Dismiss</button></form></li>'
        )
    if not items:
        return ""
    listed = "".join(items)
    return (
        f'<section aria-label="Changes to your login"><ul class="notices">{listed}</ul></section>'
    )


@requires("any")
@mfa_exempt
async def page(request: web.Request) -> web.StreamResponse:
    next_ = same_origin_path(request.query.get("next"))
    here = "/account/notices?next=" + quote(next_, safe="")
    block = await notices_block(request, here)
    if not block:
        raise web.HTTPSeeOther(next_)
    state = request.app[WEB]
    session = staff_session(request)
    body = f"{block}<p><a{attrs(href=next_)}>Go on</a></p>"
    html = staff_page("Changes to your login", body, account=session.account,
                      csrf=session.csrf, demo=state.settings.demo)  # fmt: skip
    return html_response(html)


@requires("any")
@mfa_exempt
async def dismiss(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    back = same_origin_path(form.get("next"), "/account")
    if not fresh(request):
        return reauth_page(request, back)
    state = request.app[WEB]
    name = account_of(request).name
    notice_id = request.match_info["notice_id"]
    if not await asyncio.to_thread(state.accounts.dismiss_notice, name, notice_id):
        raise web.HTTPNotFound(text="That notice is not there any more.")
    raise web.HTTPSeeOther(back)
