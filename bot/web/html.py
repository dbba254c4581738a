"""Tiny HTML helpers. Every value that reaches a page goes through `esc` (html.escape).

No template engine: the pages are few and small, and plain functions keep escaping visible.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from aiohttp import web

from bot.staff.accounts import Account

__all__ = ["attrs", "csrf_field", "esc", "html_response", "options", "staff_page"]


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def attrs(**values: object) -> str:
    """` name="value"` pairs; False/None leave the attribute out, True writes it bare."""
    parts = []
    for name, value in values.items():
        name = name.rstrip("_").replace("_", "-")
        if value is None or value is False:
            continue
        parts.append(f" {name}" if value is True else f' {name}="{esc(value)}"')
    return "".join(parts)


def csrf_field(token: str) -> str:
    return f'<input type="hidden" name="csrf" value="{esc(token)}">'


def options(choices: Iterable[tuple[str, str]], selected: str | None) -> str:
    return "".join(
        f"<option{attrs(value=value, selected=value == selected)}>{esc(label)}</option>"
        for value, label in choices
    )


def html_response(body: str, status: int = 200) -> web.Response:
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")


def staff_page(
    title: str,
    body: str,
    *,
    account: Account | None = None,
    csrf: str | None = None,
    demo: bool = False,
) -> str:
    nav = ""
    if account is not None:
        links = [] if account.role == "advisor" else [("/dashboard", "Dashboard")]
        if account.allows("advisor"):
            links.append(("/flows", "Flows"))
        if account.allows("worker"):
            links.append(("/desk", "Desk"))
            links.append(("/updates", "You said, we did"))
        if account.allows("admin"):
            links += [("/admin/users", "Accounts"), ("/admin/audit", "Audit log")]
        links.append(("/account", "Your account"))
        items = "".join(f'<li><a href="{esc(href)}">{esc(text)}</a></li>' for href, text in links)
        logout = (
            f'<form method="post" action="/logout" class="logout">{csrf_field(csrf or "")}'
            f'<button type="submit">Log out {esc(account.name)}</button></form>'
        )
        nav = f'<nav aria-label="Main"><ul>{items}</ul>{logout}</nav>'
    banner = (
        '<p class="demo-banner" role="note">Demo: the feedback shown here is made up, '
        "for trying SafeVoice out. It is not real feedback from young people.</p>"
        if demo
        else ""
    )
    return (
        '<!doctype html><html lang="en" dir="ltr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        f"<title>{esc(title)} - SafeVoice staff</title>"
        '<link rel="stylesheet" href="/static/staff.css">'
        '<script src="/static/staff.js" defer></script></head><body>'
        f'<header><p class="brand">SafeVoice staff</p>{nav}</header>{banner}'
        f'<main id="main"><h1>{esc(title)}</h1>{body}</main></body></html>'
    )
