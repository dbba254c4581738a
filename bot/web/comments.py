"""Staff flag a comment that still identifies someone: it is removed at once, and audited.

Each comment the dashboard shows carries a small form. The form names the comment by an
opaque token, never by its record id: an HMAC of (question, record id) under a key drawn
from the server secret and this login's session cookie. So a page's source links nothing:
the same record's comments on two questions get unrelated tokens, the same comment gets
another token in the next login, and a token copied from someone else's page matches
nothing in yours. On submit the server recomputes the tokens of that (service, question)'s
comments, only where this account may see the service (the dashboard's own scoping), to
find the one meant; then it overwrites the text and writes the audit entry (who, that a
comment was removed, the service and question, when; never the text) in one transaction.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from urllib.parse import parse_qsl, urlencode

from aiohttp import web

from bot.services.report import COMMENTS_PER_GROUP, Report
from bot.staff.accounts import Account
from bot.storage.records import FeedbackFilters
from bot.storage.texts import Group
from bot.web.html import attrs, csrf_field, esc, html_response, staff_page
from bot.web.state import WEB, Web, staff_session

__all__ = ["FILTER_KEYS", "comment_token", "comment_tokens", "flag_form", "remove", "view_key"]

ACTION = "/dashboard/comments/remove"
FILTER_KEYS = ("service", "band", "lang", "period")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")  # 24 bytes of HMAC, base64url without padding
_MAX_KEY = 100  # a question key's column width

NOT_FOUND = (
    "We could not find that comment",
    "Nothing was changed. The comment may belong to a service your account does not cover, "
    "or the page was opened in an earlier login. Go back to the dashboard: if the comment is "
    "still there, use its button again. If that does not work either, ask an administrator "
    "to remove it.",
)
ALREADY = (
    "This comment was removed already",
    "Nothing else to do: its words are gone. This happens when a form is sent twice, or when "
    "a colleague removed it first.",
)


def view_key(secret: bytes, session_token: str) -> bytes:
    """The key of one login's comment tokens (the session cookie never leaves the server's
    side of this function)."""
    return hmac.new(secret, b"safevoice comment flag\0" + session_token.encode(), "sha256").digest()


def comment_token(key: bytes, record_id: str, question_key: str) -> str:
    mac = hmac.new(key, f"{question_key}\0{record_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:24]).decode()


async def comment_tokens(
    request: web.Request, filters: FeedbackFilters | None, report: Report
) -> dict[Group, list[str]]:
    """Per (service, question) with comments shown, one token per comment of ``q.texts``
    (in that order; "" for one that arrived between the two reads and has none yet)."""
    state, session = request.app[WEB], staff_session(request)
    shown = [q for q in report.questions if q.kind == "text" and q.texts]
    if filters is None or not shown:
        return {}
    key = view_key(state.secret, session.token)
    tokens: dict[Group, list[str]] = {}
    for q in shown:
        group = (q.service, q.question_key)
        # The filters the report read this group's comments with, so the same ones come.
        scoped = report.text_filters.get(group, filters)
        refs = await asyncio.to_thread(
            state.store.text_sample_refs, scoped, [group], COMMENTS_PER_GROUP
        )
        owners: dict[str, list[str]] = {}
        for ref in refs.get(group, ()):
            owners.setdefault(ref.value, []).append(ref.record_id)
        tokens[group] = [
            comment_token(key, owners[text].pop(0), group[1]) if owners.get(text) else ""
            for text in q.texts
        ]
    return tokens


def flag_form(csrf: str, token: str, group: Group, query: Mapping[str, str], about: str) -> str:
    """The "Remove: this identifies someone" button of one comment (``about``: the id of
    the element holding the comment, so a screen reader says which one)."""
    service, question = group
    back = urlencode({name: query[name] for name in FILTER_KEYS if query.get(name)})
    hidden = "".join(
        f'<input type="hidden"{attrs(name=name, value=value)}>'
        for name, value in (
            ("comment", token), ("in_service", service or ""), ("question", question),
            ("back", back),
        )
    )  # fmt: skip
    return (
        f'<form method="post" action="{ACTION}" class="inline flag">{csrf_field(csrf)}{hidden}'
        f"<button{attrs(type='submit', aria_describedby=about)}>"
        "Remove: this identifies someone</button></form>"
    )


def _may_see(state: Web, account: Account, service: str | None) -> bool:
    if service is None:  # feedback given without choosing a service: only all-seeing staff
        return account.sees_all
    return service in account.services(state.app.config)


def _back(text: str) -> list[tuple[str, str]]:
    """The dashboard filters to return to: the known names only, anything else dropped."""
    pairs = parse_qsl(text[:500], keep_blank_values=False)
    return [(name, value[:100]) for name, value in pairs if name in FILTER_KEYS]


def _sorry(
    request: web.Request, words: tuple[str, str], back: Sequence[tuple[str, str]], status: int
) -> web.Response:
    session, state = staff_session(request), request.app[WEB]
    title, text = words
    href = "/dashboard" + ("?" + urlencode(back) if back else "")
    body = f'<p role="status">{esc(text)}</p><p><a{attrs(href=href)}>Back to the dashboard</a></p>'
    page = staff_page(
        title, body, account=session.account, csrf=session.csrf, demo=state.settings.demo
    )
    return html_response(page, status)


async def remove(request: web.Request) -> web.StreamResponse:
    """The flag's POST (CSRF checked by the auth middleware, like every staff form)."""
    state, session = request.app[WEB], staff_session(request)
    account = session.account
    form = await request.post()
    token = str(form.get("comment", ""))
    service = str(form.get("in_service", "")) or None
    question = str(form.get("question", ""))
    back = _back(str(form.get("back", "")))
    if not (_TOKEN.match(token) and 0 < len(question) <= _MAX_KEY):
        return _sorry(request, NOT_FOUND, back, 404)
    if not _may_see(state, account, service):
        return _sorry(request, NOT_FOUND, back, 404)  # the same answer: nothing to learn
    owners = await asyncio.to_thread(state.store.comment_owners, (service, question))
    key = view_key(state.secret, session.token)
    found = next(
        (
            (record_id, removed)
            for record_id, removed in owners
            if hmac.compare_digest(comment_token(key, record_id, question), token)
        ),
        None,
    )
    if found is None:
        return _sorry(request, NOT_FOUND, back, 404)
    record_id, removed = found
    detail = f"a comment that identified someone; service={service or '-'} question={question}"
    if removed or not await asyncio.to_thread(
        state.store.remove_comment, record_id, question, account.name, detail
    ):
        return _sorry(request, ALREADY, back, 410)
    raise web.HTTPSeeOther("/dashboard?" + urlencode([*back, ("removed", "1")]))
