"""A staff member's open logins on their account page, and ending them (ASVS 4.0.3 V3.3.4).

Each login shows when it began, when it was last used and a coarse description of its
browser ("Firefox on Windows"): enough to recognise one's own phone or a login one does not
know, while neither the address nor the full User-Agent is kept (privacy; an address
says where someone is). Ending one works on every web process, as the session store is
shared (Redis); the ended login's next request goes to the login page.

Ending a login changes the account, so it needs the password typed within the last few
minutes (bot/web/reauth.py), like the account page's other changes: a stolen cookie alone
cannot throw its owner out. A page id names only a login of the asking account; any
other id is "not found", whoever's it may be.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re

from aiohttp import web

from bot.services.staff_time import StaffTime
from bot.storage.staff_sessions import StaffSessionStore, session_id, token_digest
from bot.web.html import csrf_field, esc
from bot.web.reauth import fresh, reauth_page
from bot.web.state import WEB, Web, account_of, mfa_exempt, requires, staff_session

__all__ = ["describe", "end_others", "end_session", "sessions_section"]

# First match wins: Edge and Opera say "Chrome" too, Chrome says "Safari".
_BROWSERS = (
    ("Edge", r"Edg(e|A|iOS)?/"), ("Opera", r"OPR/|Opera"),
    ("Samsung Internet", r"SamsungBrowser/"), ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/|Chromium/"), ("Safari", r"Safari/"),
)  # fmt: skip
_SYSTEMS = (
    ("Android", r"Android"), ("iPhone or iPad", r"iPhone|iPad|iPod"), ("Windows", r"Windows"),
    ("ChromeOS", r"CrOS"), ("macOS", r"Mac OS X|Macintosh"), ("Linux", r"Linux|X11"),
)  # fmt: skip


def describe(user_agent: str | None) -> str:
    """'Firefox on Windows': the browser family and system, nothing finer (no versions)."""
    agent = (user_agent or "")[:512]
    browser = next((name for name, pattern in _BROWSERS if re.search(pattern, agent)), None)
    system = next((name for name, pattern in _SYSTEMS if re.search(pattern, agent)), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "an unknown browser"


def client_of_request(request: web.Request) -> str:
    return describe(request.headers.get("User-Agent"))


def _when(times: StaffTime, seconds: float) -> str:
    return times.stamp(dt.datetime.fromtimestamp(seconds, dt.UTC))


async def sessions_section(request: web.Request) -> str:
    """The account page's list of open logins, this one marked."""
    state = request.app[WEB]
    session = staff_session(request)
    listed = await state.book.sessions(session.account_name)
    mine = session_id(token_digest(session.token))
    times = StaffTime(state.app.config)
    rows = []
    for info in listed:
        if info.id == mine:
            action = "<td>This login</td>"
        else:
            action = (
                f'<td><form method="post" action="/account/sessions/{esc(info.id)}/end">'
                f"{csrf_field(session.csrf)}"
                '<button type="submit">End this login</button></form></td>'
            )
        rows.append(
            f"<tr><td>{esc(info.client or 'an unknown browser')}</td>"
            f"<td>{esc(_when(times, info.created))}</td>"
            f"<td>{esc(_when(times, info.seen))}</td>{action}</tr>"
        )
    others = ""
    if len(listed) > 1:
        others = (
            f'<form method="post" action="/account/sessions/end-others">{csrf_field(session.csrf)}'
            '<button type="submit">End all my other logins</button></form>'
        )
    zone = esc(times.zone_label())
    return (
        "<h2>Where you are logged in</h2>"
        "<p>If you see a login you do not know, end it, change your password and tell your "
        "administrator.</p>"
        f'<table class="sessions"><thead><tr><th scope=col>Browser</th>'
        f"<th scope=col>Logged in ({zone})</th><th scope=col>Last used</th>"
        f"<th scope=col>Action</th></tr></thead><tbody>{''.join(rows)}</tbody></table>{others}"
    )


async def _audit(state: Web, actor: str, action: str) -> None:
    await asyncio.to_thread(state.store.audit, actor, action, "")


@requires("any")
@mfa_exempt
async def end_session(request: web.Request) -> web.StreamResponse:
    if not fresh(request):
        return reauth_page(request, "/account")
    state = request.app[WEB]
    session = staff_session(request)
    sid = request.match_info["session_id"]
    if sid == session_id(token_digest(session.token)):
        raise web.HTTPSeeOther("/account")  # this login ends with "Log out"
    if not await state.book.close_one(session.account_name, sid):
        # Ended already, timed out, or not this account's: the same answer for each.
        raise web.HTTPNotFound(
            text="That login is not open any more (or was never yours). "
            "Go back to your account page to see your logins."
        )
    await _audit(state, session.account_name, "session-end")
    raise web.HTTPSeeOther("/account?ended=1")


@requires("any")
@mfa_exempt
async def end_others(request: web.Request) -> web.StreamResponse:
    if not fresh(request):
        return reauth_page(request, "/account")
    state = request.app[WEB]
    session = staff_session(request)
    ended = await _end_all_but(state.book, account_of(request).name, session.token)
    if ended:
        await _audit(state, session.account_name, "session-end-others")
    raise web.HTTPSeeOther(f"/account?ended={ended}")


async def _end_all_but(book: StaffSessionStore, name: str, token: str) -> int:
    mine = session_id(token_digest(token))
    ended = 0
    for info in await book.sessions(name):
        if info.id != mine and await book.close_one(name, info.id):
            ended += 1
    return ended
