"""Admin pages: accounts and the raw export of anonymised records (the audit log's page
is bot/web/audit_view.py).

Every change and every raw export needs the admin's password typed within the last few
minutes (bot/web/reauth.py), and is written to the audit log before the response goes out.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from functools import partial

from aiohttp import web

from bot.staff.accounts import ROLES, AccountError, new_password
from bot.web.html import csrf_field, esc, html_response, options, staff_page
from bot.web.reauth import fresh, reauth_page
from bot.web.state import WEB, account_of, requires, staff_session

__all__ = [
    "add_user", "disable_user", "enable_user", "raw_export", "reset_mfa", "reset_user", "users",
]  # fmt: skip


def _page(request: web.Request, title: str, body: str, status: int = 200) -> web.Response:
    session = staff_session(request)
    demo = request.app[WEB].settings.demo
    page = staff_page(title, body, account=session.account, csrf=session.csrf, demo=demo)
    return html_response(page, status)


@requires("admin")
async def users(request: web.Request) -> web.StreamResponse:
    return await _users(request)


async def _users(request: web.Request, message: str = "", status: int = 200) -> web.Response:
    state = request.app[WEB]
    csrf = staff_session(request).csrf
    rows = []
    second = state.accounts.second_factor
    for account in await asyncio.to_thread(state.accounts.all):
        name = esc(account.name)
        toggle = "enable" if account.disabled else "disable"
        enrolled = await asyncio.to_thread(second.enrolled, account.name)
        choices = [(toggle, toggle.capitalize()), ("reset", "New password")]
        if enrolled:
            choices.append(("mfa-reset", "Remove authenticator"))
        actions = "".join(
            f'<form method="post" action="/admin/users/{name}/{action}" class="inline">'
            f'{csrf_field(csrf)}<button type="submit" aria-label="{label}: {name}">{label}'
            "</button></form>"
            for action, label in choices
        )
        factor = "app" if enrolled else "password only"
        rows.append(
            f"<tr><th scope=row>{name}</th><td>{esc(account.role)}</td>"
            f"<td>{esc(', '.join(account.scopes) or '-')}</td>"
            f"<td>{'disabled' if account.disabled else 'active'}</td><td>{factor}</td>"
            f"<td>{actions}</td></tr>"
        )
    orgs = sorted({s.organisation for s in state.app.config.services.values()})
    note = f'<p class="notice" role="status">{message}</p>' if message else ""
    body = (
        f"{note}<table><thead><tr><th scope=col>Name</th><th scope=col>Role</th>"
        "<th scope=col>Organisations</th><th scope=col>State</th><th scope=col>Login</th>"
        "<th scope=col>Actions</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f'<h2>Add an account</h2><form method="post" action="/admin/users">{csrf_field(csrf)}'
        '<label for="u-name">Name</label><input id="u-name" name="name" required>'
        f'<label for="u-role">Role</label><select id="u-role" name="role">'
        f"{options(((r, r) for r in ROLES), 'viewer')}</select>"
        '<label for="u-scope">Organisations (comma-separated, * for all)</label>'
        f'<input id="u-scope" name="scope" placeholder="{esc(", ".join(orgs))}">'
        '<button type="submit">Add</button></form>'
    )
    return _page(request, "Accounts", body, status)


def _password_notice(name: str, password: str) -> str:
    return (
        f"The password for <strong>{esc(name)}</strong> is <code>{esc(password)}</code>. "
        "It is shown only now: give it to them in person or by a safe channel. It opens "
        "only their account page, to choose their own at their first login, and expires "
        "if unused."
    )


@requires("admin")
async def add_user(request: web.Request) -> web.StreamResponse:
    if not fresh(request):
        return reauth_page(request, "/admin/users")
    state = request.app[WEB]
    form = await request.post()
    name, role = str(form.get("name", "")), str(form.get("role", ""))
    scopes = tuple(str(form.get("scope", "")).split(","))
    password = new_password()
    try:
        account = await asyncio.to_thread(
            partial(state.accounts.add, issued=True), name, role, scopes, password
        )
    except AccountError as err:
        return await _users(request, esc(err), 400)
    detail = f"role={account.role} scopes={','.join(account.scopes)}"
    actor = account_of(request).name
    await asyncio.to_thread(state.store.audit, actor, "user-add", f"{account.name} {detail}")
    return await _users(request, _password_notice(account.name, password))


async def _change(request: web.Request, action: str) -> web.StreamResponse:
    if not fresh(request):
        return reauth_page(request, "/admin/users")
    state = request.app[WEB]
    name = request.match_info["name"]
    actor = account_of(request).name
    password = new_password()
    try:
        if action == "reset":
            await asyncio.to_thread(partial(state.accounts.reset, issued=True), name, password)
        elif action == "mfa-reset":
            await asyncio.to_thread(state.accounts.remove_second_factor, name)
        else:
            await asyncio.to_thread(state.accounts.set_disabled, name, action == "disable")
    except AccountError as err:
        return await _users(request, esc(err), 404)
    if action != "enable":
        await state.book.close_account(name)
    await asyncio.to_thread(state.store.audit, actor, f"user-{action}", name)
    if action == "reset":
        notice = _password_notice(name, password)
    elif action == "mfa-reset":
        notice = f"{esc(name)} logs in with the password only until they set up a new app."
    else:
        notice = f"{esc(name)}: {action}d."
    return await _users(request, notice)


@requires("admin")
async def disable_user(request: web.Request) -> web.StreamResponse:
    return await _change(request, "disable")


@requires("admin")
async def enable_user(request: web.Request) -> web.StreamResponse:
    return await _change(request, "enable")


@requires("admin")
async def reset_user(request: web.Request) -> web.StreamResponse:
    return await _change(request, "reset")


@requires("admin")
async def reset_mfa(request: web.Request) -> web.StreamResponse:
    """A lost phone and lost recovery codes: the account logs in with its password, then
    (for a role that needs one) must set up a new app before anything else."""
    return await _change(request, "mfa-reset")


@requires("admin")
async def raw_export(request: web.Request) -> web.StreamResponse:
    if not fresh(request):
        return reauth_page(request, "/admin/audit")
    state = request.app[WEB]
    actor = account_of(request).name
    await asyncio.to_thread(state.store.audit, actor, "export-raw", "all records")
    response = web.StreamResponse(
        headers={
            "Content-Type": "application/x-ndjson; charset=utf-8",
            "Content-Disposition": 'attachment; filename="safevoice-records.jsonl"',
        }
    )
    await response.prepare(request)
    # Streamed page by page: a million records must not sit in memory at once.
    records = state.store.iter_records(batch_size=1000)
    while True:
        batch = await asyncio.to_thread(
            lambda: [r for _, r in zip(range(1000), records, strict=False)]
        )
        if not batch:
            break
        lines = "".join(json.dumps(dataclasses.asdict(r), ensure_ascii=False) + "\n" for r in batch)
        await response.write(lines.encode())
    await response.write_eof()
    return response
