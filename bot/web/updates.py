"""The staff page of "you said, we did": write an update, translate it, approve others'.

Only accounts that may publish (`worker` and above) open it, and only for their
organisations' services. An update answers a question and period the dashboard shows;
nobody approves their own words. No page lists who is subscribed: only how many, and
not below k. Every change is written to the audit log (without the texts).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.errors import SafeVoiceError
from bot.services.update_texts import text_for
from bot.services.updates import PUBLISH_ROLE, UpdateService
from bot.storage.updates import UpdateRow
from bot.web.html import csrf_field, esc, html_response, options, staff_page
from bot.web.state import WEB, Web, account_of, requires, staff_session

__all__ = ["add_text", "approve", "approve_text", "draft_languages", "page", "write"]


def _service(state: Web) -> UpdateService:
    if state.updates is None:
        raise web.HTTPNotFound(text="Updates are not available here.")
    return state.updates


@requires(PUBLISH_ROLE)
async def page(request: web.Request) -> web.StreamResponse:
    return await _page(request)


async def _page(request: web.Request, message: str = "", status: int = 200) -> web.Response:
    state = request.app[WEB]
    updates = _service(state)
    account = account_of(request)
    csrf = staff_session(request).csrf
    config = state.app.config
    answerable = await asyncio.to_thread(updates.answerable, account)
    rows = await asyncio.to_thread(updates.visible, account)
    langs = [(lang, lang) for lang in config.languages.shipped]
    note = f'<p class="notice" role="status">{esc(message)}</p>' if message else ""
    if answerable:
        choices = options(
            (
                (f"{a.service}|{a.question_key}",
                 f"{config.service_label(a.service, 'en')}: {a.question_key} "
                 f"({a.period}, {a.respondents} answered)")
                for a in answerable
            ),
            None,
        )  # fmt: skip
        form = (
            f'<h2>Write an update</h2><form method="post" action="/updates">{csrf_field(csrf)}'
            f'<label for="u-q">What it answers</label><select id="u-q" name="question">{choices}'
            '</select><label for="u-lang">Language you write in</label>'
            f'<select id="u-lang" name="lang">{options(langs, config.languages.source)}</select>'
            '<label for="u-said">What young people said</label>'
            '<textarea id="u-said" name="said" required></textarea>'
            '<label for="u-changed">What changed</label>'
            '<textarea id="u-changed" name="changed" required></textarea>'
            '<button type="submit">Save for approval</button></form>'
        )
    else:
        form = (
            "<p>No question of your services has enough answers to be shown yet, so there "
            "is nothing an update can answer.</p>"
        )
    services = sorted({r.service for r in rows} | {a.service for a in answerable})
    counts = []
    for service in services:
        n = await asyncio.to_thread(updates.subscribers, service)
        shown = str(n) if n is not None else f"fewer than {state.k}"
        counts.append(f"<li>{esc(config.service_label(service, 'en'))}: {esc(shown)}</li>")
    seen_by = await asyncio.to_thread(updates.seen_by, rows)
    drafts = bool(config.updates.translate_url)
    listed = "".join(
        _row(r, csrf, account.name, langs, _seen(seen_by.get(r.id), state.k), drafts) for r in rows
    )
    body = (
        f"{note}{form}<h2>Updates</h2>"
        + (f"<ul class='updates'>{listed}</ul>" if listed else "<p>No updates yet.</p>")
        + "<h2>Young people who asked to hear back</h2>"
        + (f"<ul>{''.join(counts)}</ul>" if counts else "<p>None yet.</p>")
    )
    html = staff_page("You said, we did", body, account=account, csrf=csrf,
                      demo=state.settings.demo)  # fmt: skip
    return html_response(html, status)


def _seen(n: int | None, k: int) -> str:
    return f"seen by {n} young people" if n is not None else f"seen by fewer than {k}"


def _row(row: UpdateRow, csrf: str, me: str, langs: list[tuple[str, str]], seen: str,
         drafts: bool) -> str:  # fmt: skip
    text, _ = text_for(row, row.source_lang)
    state = (
        f"published, approved by {esc(row.approved_by)}"
        if row.published_at
        else "waiting for approval"
    )
    views = "" if row.published_at is None else f", {esc(seen)}"
    head = (
        f"<p><strong>{esc(row.service)}</strong>: {esc(row.question_key)} ({esc(row.period)}, "
        f"{row.respondents} answered). Written by {esc(row.author)}; {state}{views}.</p>"
    )
    words = f"<p>You said: {esc(text.said)}</p><p>We did: {esc(text.changed)}</p>" if text else ""
    actions = ""
    if row.published_at is None and row.author != me:
        actions += (
            f'<form method="post" action="/updates/{esc(row.id)}/approve">{csrf_field(csrf)}'
            '<button type="submit">Approve and publish</button></form>'
        )
    if drafts and any(row.text(v) is None for v, _ in langs):
        actions += (
            f'<form method="post" action="/updates/{esc(row.id)}/drafts">{csrf_field(csrf)}'
            '<button type="submit">Draft the missing languages by machine (each needs '
            "review)</button></form>"
        )
    items = []
    for t in row.texts:
        if t.lang == row.source_lang:
            continue
        status = "approved" if t.approved_by else "needs review"
        who = "drafted by machine for" if t.machine else "added by"
        button = ""
        if t.approved_by is None and (t.added_by != me or t.machine):
            button = (
                f'<form method="post" action="/updates/{esc(row.id)}/texts/{esc(t.lang)}/approve" '
                f'class="inline">{csrf_field(csrf)}<button type="submit">Approve</button></form>'
            )
        edit = (
            f'<details><summary>Edit {esc(t.lang)}</summary><form method="post" '
            f'action="/updates/{esc(row.id)}/texts">{csrf_field(csrf)}'
            f'<input type="hidden" name="lang" value="{esc(t.lang)}">'
            f'<label>What young people said <textarea name="said" required>{esc(t.said)}'
            '</textarea></label><label>What changed <textarea name="changed" required>'
            f"{esc(t.changed)}</textarea></label>"
            '<button type="submit">Save (needs review by someone else)</button></form></details>'
        )
        items.append(
            f"<li>{esc(t.lang)} ({status}, {who} {esc(t.added_by)}): {esc(t.said)} / "
            f"{esc(t.changed)} {button}{edit}</li>"
        )
    others = [(v, label) for v, label in langs if v != row.source_lang]
    translate = (
        f'<form method="post" action="/updates/{esc(row.id)}/texts">{csrf_field(csrf)}'
        f'<label>Language <select name="lang">{options(others, None)}</select></label>'
        '<label>What young people said <textarea name="said" required></textarea></label>'
        '<label>What changed <textarea name="changed" required></textarea></label>'
        '<button type="submit">Add this language (needs review)</button></form>'
        if others
        else ""
    )
    listed = f"<ul>{''.join(items)}</ul>" if items else ""
    return f"<li>{head}{words}{actions}{listed}{translate}</li>"


async def _form(request: web.Request) -> dict[str, str]:
    form = await request.post()
    return {key: str(value) for key, value in form.items() if isinstance(value, str)}


async def _act(
    request: web.Request, what: str, done: str, action: Callable[[], Awaitable[object]]
) -> web.Response:
    state = request.app[WEB]
    actor = account_of(request).name
    try:
        await action()
    except SafeVoiceError as exc:
        return await _page(request, str(exc), 400)
    await asyncio.to_thread(state.store.audit, actor, what, request.match_info.get("update_id", ""))
    return await _page(request, done)


@requires(PUBLISH_ROLE)
async def write(request: web.Request) -> web.StreamResponse:
    updates = _service(request.app[WEB])
    account = account_of(request)
    form = await _form(request)
    service, _, key = form.get("question", "").partition("|")

    async def run() -> None:
        await asyncio.to_thread(updates.draft, account, service, key, form.get("lang", ""),
                                form.get("said", ""), form.get("changed", ""))  # fmt: skip

    return await _act(
        request, "update-written", "Saved. Someone else now needs to approve it.", run
    )


@requires(PUBLISH_ROLE)
async def approve(request: web.Request) -> web.StreamResponse:
    updates = _service(request.app[WEB])
    account = account_of(request)
    update_id = request.match_info["update_id"]
    return await _act(request, "update-published", "Published.",
                      lambda: updates.approve(account, update_id))  # fmt: skip


@requires(PUBLISH_ROLE)
async def add_text(request: web.Request) -> web.StreamResponse:
    updates = _service(request.app[WEB])
    account = account_of(request)
    form = await _form(request)
    update_id = request.match_info["update_id"]

    async def run() -> None:
        await asyncio.to_thread(updates.add_text, account, update_id, form.get("lang", ""),
                                form.get("said", ""), form.get("changed", ""))  # fmt: skip

    return await _act(request, "update-text-added", "Added. Someone else now needs to review it.",
                      run)  # fmt: skip


@requires(PUBLISH_ROLE)
async def draft_languages(request: web.Request) -> web.StreamResponse:
    """Machine drafts of the languages an update has no text in yet, each for review."""
    updates = _service(request.app[WEB])
    account = account_of(request)
    update_id = request.match_info["update_id"]
    failed: list[str] = []

    async def run() -> None:
        _, missed = await updates.machine_drafts(account, update_id)
        failed.extend(missed)

    done = "Drafted by machine. Each language needs review before young people see it."
    response = await _act(request, "update-texts-drafted", done, run)
    if not failed:
        return response
    note = f"{done} No draft came for: {', '.join(failed)}; add those by hand."
    return await _page(request, note)


@requires(PUBLISH_ROLE)
async def approve_text(request: web.Request) -> web.StreamResponse:
    updates = _service(request.app[WEB])
    account = account_of(request)
    update_id, lang = request.match_info["update_id"], request.match_info["lang"]

    async def run() -> None:
        await asyncio.to_thread(updates.approve_text, account, update_id, lang)

    return await _act(request, "update-text-approved", "Approved.", run)
