"""The audit log for admins: who did what on which case or export, filtered by who, what
and when, and downloadable as CSV (the download is itself audited).

Entries never hold message text (the services write labels, kinds and names only); as a
second guard, anything in a detail that looks like a key or token (long runs of hex or
URL-safe characters, as the pseudonymous keys of young people are) is shown as
"[key hidden]". Times are in the configured time zone (`[handoff] time_zone`).
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.storage.records import AuditEntry
from bot.web.html import csrf_field, esc, html_response, options, staff_page
from bot.web.state import WEB, Web, account_of, requires, staff_session

__all__ = ["AuditQuery", "audit", "audit_csv", "safe_detail"]

PAGE_ROWS = 500
CSV_ROWS = 100_000
_KEYLIKE = re.compile(r"[0-9a-fA-F]{16,}|[A-Za-z0-9_-]{24,}")
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe_detail(detail: str) -> str:
    return _KEYLIKE.sub("[key hidden]", detail)


def _zone(state: Web) -> ZoneInfo:
    return ZoneInfo(state.app.config.handoff.time_zone)


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@dataclass(frozen=True)
class AuditQuery:
    """The filters of the page, from its query string; bad values are dropped."""

    actor: str = ""
    action: str = ""
    day_from: dt.date | None = None
    day_to: dt.date | None = None

    @classmethod
    def of(cls, query: Mapping[str, str]) -> AuditQuery:
        return cls(
            query.get("actor", "").strip()[:200],
            query.get("action", "").strip()[:100],
            _day(query.get("from", "")),
            _day(query.get("to", "")),
        )

    def entries(self, state: Web, limit: int) -> list[AuditEntry]:
        zone = _zone(state)
        since = dt.datetime.combine(self.day_from, dt.time(), zone) if self.day_from else None
        before = None
        if self.day_to is not None:  # the whole of the last day
            before = dt.datetime.combine(self.day_to + dt.timedelta(days=1), dt.time(), zone)
        return state.store.audit_entries(
            limit, actor=self.actor or None, action=self.action or None, since=since,
            before=before,
        )  # fmt: skip

    def params(self) -> dict[str, str]:
        values = {
            "actor": self.actor, "action": self.action,
            "from": self.day_from.isoformat() if self.day_from else "",
            "to": self.day_to.isoformat() if self.day_to else "",
        }  # fmt: skip
        return {key: value for key, value in values.items() if value}


def _when(entry: AuditEntry, zone: ZoneInfo) -> str:
    return entry.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


@requires("admin")
async def audit(request: web.Request) -> web.StreamResponse:
    state = request.app[WEB]
    wanted = AuditQuery.of(request.query)
    entries = await asyncio.to_thread(wanted.entries, state, PAGE_ROWS)
    actions = await asyncio.to_thread(state.store.audit_actions)
    zone = _zone(state)
    rows = "".join(
        f"<tr><td>{esc(_when(e, zone))}</td><td>{esc(e.actor)}</td>"
        f"<td>{esc(e.action)}</td><td>{esc(safe_detail(e.detail))}</td></tr>"
        for e in entries
    )
    csrf = staff_session(request).csrf
    choice = options([("", "Any"), *((a, a) for a in actions)], wanted.action)
    day_from = wanted.day_from.isoformat() if wanted.day_from else ""
    day_to = wanted.day_to.isoformat() if wanted.day_to else ""
    link = "/admin/audit.csv" + (f"?{urlencode(wanted.params())}" if wanted.params() else "")
    shown = (
        f"<p>{len(entries)} entries, newest first"
        + (
            f" (the newest {PAGE_ROWS}; narrow the filters or download the CSV)"
            if len(entries) == PAGE_ROWS
            else ""
        )
        + f". Times are {esc(zone.key)}.</p>"
    )
    body = (
        '<form method="get" action="/admin/audit" class="filters">'
        '<label for="a-actor">Who</label>'
        f'<input id="a-actor" name="actor" value="{esc(wanted.actor)}">'
        f'<label for="a-action">What</label><select id="a-action" name="action">{choice}</select>'
        '<label for="a-from">From</label>'
        f'<input id="a-from" name="from" type="date" value="{esc(day_from)}">'
        '<label for="a-to">To</label>'
        f'<input id="a-to" name="to" type="date" value="{esc(day_to)}">'
        '<button type="submit">Show</button></form>'
        f'<p><a href="{esc(link)}">Download these entries (CSV)</a></p>'
        f"{shown}"
        f"<table><thead><tr><th scope=col>When ({esc(zone.key)})</th><th scope=col>Who</th>"
        f"<th scope=col>What</th><th scope=col>Details</th></tr></thead><tbody>{rows}</tbody>"
        "</table>"
        "<h2>Raw export</h2>"
        f'<form method="post" action="/admin/export/raw">{csrf_field(csrf)}'
        "<p>The raw export holds every anonymised record (no names, ids or times finer than a "
        "week), including small groups. It asks for your password again and is written to "
        "this log.</p>"
        '<button type="submit">Download the raw export (JSON lines)</button></form>'
    )
    account = account_of(request)
    page = staff_page("Audit log", body, account=account, csrf=csrf, demo=state.settings.demo)
    return html_response(page)


def _cell(text: str) -> str:
    return f"'{text}" if text.startswith(_FORMULA) else text


@requires("admin")
async def audit_csv(request: web.Request) -> web.StreamResponse:
    state = request.app[WEB]
    wanted = AuditQuery.of(request.query)
    actor = account_of(request).name
    entries = await asyncio.to_thread(wanted.entries, state, CSV_ROWS)
    detail = " ".join(f"{k}={v}" for k, v in wanted.params().items()) or "all"
    await asyncio.to_thread(state.store.audit, actor, "export-audit", detail)
    zone = _zone(state)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f"when ({zone.key})", "who", "what", "details"])
    for e in entries:
        writer.writerow(
            [_when(e, zone), _cell(e.actor), _cell(e.action), _cell(safe_detail(e.detail))]
        )
    return web.Response(
        text=out.getvalue(),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="safevoice-audit.csv"'},
    )
