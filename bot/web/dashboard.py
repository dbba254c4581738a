"""The dashboard: weekly responses and answer distributions, suppressed like `safevoice report`.

All numbers come from `bot.services.report.build_report`, so a count hidden in the report
is hidden here and in the exports, and for the same reasons. Scoping happens first: an
account only ever queries the services of its own organisations.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from urllib.parse import urlencode

from aiohttp import web

from bot.app import App
from bot.inputs import number_of
from bot.services.report import QuestionResult, Report, build_report, render
from bot.staff.accounts import Account
from bot.storage.records import FeedbackFilters, iso_week
from bot.web.charts import bars, trend
from bot.web.html import attrs, esc, html_response, options, staff_page
from bot.web.state import WEB, Web, account_of, staff_session

__all__ = ["export", "filters_for", "overview"]

PERIODS = (("4", "Last 4 weeks"), ("12", "Last 12 weeks"), ("26", "Last 26 weeks"),
           ("52", "Last year"), ("all", "All time"))  # fmt: skip
NO_SERVICE = "(no service chosen)"


def filters_for(
    state: Web, account: Account, query: Mapping[str, str], today: dt.date | None = None
) -> FeedbackFilters | None:
    """The filters an account asked for, narrowed to what it may see; None if nothing."""
    config = state.app.config
    visible = account.services(config)
    wanted = query.get("service") or ""
    if wanted:
        services: tuple[str, ...] = (wanted,) if wanted in visible else ()
    else:
        services = () if account.sees_all else visible
    if not services and not (account.sees_all and not wanted):
        return None  # an empty tuple would mean "no restriction": never for a scoped account
    band = query.get("band") or None
    lang = query.get("lang") or None
    period = query.get("period") or "12"
    week_from = None
    weeks = number_of(period)  # "all", or a count of weeks (in any script's digits)
    if weeks is not None and 0 < weeks <= 520:
        start = (today or dt.date.today()) - dt.timedelta(weeks=weeks - 1)
        week_from = iso_week(start)
    return FeedbackFilters(
        services=services,
        age_band=band if band in config.band_ids else None,
        language=lang if lang in config.languages.shipped else None,
        week_from=week_from,
    )


async def _report(state: Web, filters: FeedbackFilters | None) -> Report:
    if filters is None:
        return Report(k=state.k)
    return await asyncio.to_thread(build_report, state.store, filters, state.k)


async def overview(request: web.Request) -> web.StreamResponse:
    state = request.app[WEB]
    account = account_of(request)
    query = {key: request.query.get(key, "") for key in ("service", "band", "lang", "period")}
    report = await _report(state, filters_for(state, account, query))
    body = _filter_form(state, account, query) + _summary(state, report, query)
    body += "".join(_question(state, q, i) for i, q in enumerate(report.questions))
    page = staff_page(
        "Feedback",
        body,
        account=account,
        csrf=staff_session(request).csrf,
        demo=state.settings.demo,
    )
    return html_response(page)


async def export(request: web.Request) -> web.StreamResponse:
    state = request.app[WEB]
    account = account_of(request)
    fmt = request.match_info["fmt"]
    query = {key: request.query.get(key, "") for key in ("service", "band", "lang", "period")}
    report = await _report(state, filters_for(state, account, query))
    detail = urlencode({k: v for k, v in query.items() if v})
    await asyncio.to_thread(state.store.audit, account.name, f"export-{fmt}", detail)
    text = render(report, "csv" if fmt == "csv" else "json")
    return web.Response(
        text=text,
        content_type="text/csv" if fmt == "csv" else "application/json",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="safevoice-report.{fmt}"'},
    )


def _filter_form(state: Web, account: Account, query: dict[str, str]) -> str:
    config = state.app.config
    services = [("", "All my services")] + [
        (sid, config.service_label(sid, "en")) for sid in account.services(config)
    ]
    bands = [("", "All age bands")] + [(b, b) for b in config.band_ids]
    langs = [("", "All languages")] + [
        (code, config.languages.names.get(code, code)) for code in config.languages.shipped
    ]
    fields = [
        ("service", "Service", services),
        ("band", "Age band", bands),
        ("lang", "Language", langs),
        ("period", "Period", list(PERIODS)),
    ]
    selects = "".join(
        f'<label for="f-{name}">{label}</label>'
        f'<select id="f-{name}" name="{name}">{options(choices, query[name] or None)}</select>'
        for name, label, choices in fields
    )
    if not query["period"]:
        selects = selects.replace('<option value="12">', '<option value="12" selected>')
    kept = urlencode({k: v for k, v in query.items() if v})
    return (
        f'<form method="get" action="/dashboard" class="filters" aria-label="Filters">{selects}'
        '<button type="submit">Show</button></form>'
        f'<p class="exports">Download these tables: '
        f"<a{attrs(href='/dashboard/export.csv?' + kept)}>CSV</a> "
        f"<a{attrs(href='/dashboard/export.json?' + kept)}>JSON</a></p>"
    )


def _summary(state: Web, report: Report, query: dict[str, str]) -> str:
    k = report.k
    intro = (
        f'<p class="k-note">Counts under {k}, and any count that would give them away, are '
        f"hidden. Comments are shown only where at least {k} people answered.</p>"
    )
    if not report.weeks:
        return intro + '<p class="empty">No feedback matches these filters yet.</p>'
    weeks = sorted({w.iso_week for w in report.weeks})
    series: dict[str, dict[str, int | None]] = defaultdict(dict)
    for w in report.weeks:
        series[_service_name(state, w.service)][w.iso_week] = w.records
    chart = trend("Responses per week", weeks, series, "weekly")
    rows = "".join(
        f"<tr><th scope=row>{esc(_service_name(state, w.service))}</th><td>{esc(w.iso_week)}</td>"
        f'<td class="num">{_count(w.records)}</td></tr>'
        for w in report.weeks
    )
    table = (
        "<details><summary>Responses per week as a table</summary>"
        '<table class="weeks"><thead><tr><th scope=col>Service</th><th scope=col>Week</th>'
        f"<th scope=col>Responses</th></tr></thead><tbody>{rows}</tbody></table></details>"
    )
    heading = '<h2 id="weekly-h">Responses per week</h2>'
    return f'{intro}<section aria-labelledby="weekly-h">{heading}{chart}{table}</section>'


def _question(state: Web, q: QuestionResult, index: int) -> str:
    text, labels = _labels(state.app).get(q.question_key, (q.question_key, {}))
    title = f"{_service_name(state, q.service)}: {text}"
    head = (
        f'<section class="question" aria-labelledby="q{index}-h">'
        f'<h2 id="q{index}-h">{esc(title)}</h2>'
    )
    if q.suppressed:
        return head + (
            f'<p class="hidden-note">Fewer than {state.k} answers (or too few to hide the '
            "smallest ones safely): hidden.</p></section>"
        )
    answered = f'<p class="answered">Answered by <span class="num">{q.respondents}</span>.</p>'
    if q.kind == "text":
        items = "".join(f"<li>{esc(t)}</li>" for t in q.texts)
        more = (
            f'<p class="more-comments">Only the newest comments are shown: those of '
            f'<span class="num">{q.more_texts}</span> more people are not.</p>'
            if q.more_texts
            else ""
        )
        return head + answered + f'<ul class="comments">{items}</ul>{more}</section>'
    rows = [(labels.get(c.value, c.value), c.count) for c in q.cells]
    chart = bars(title, rows, f"q{index}")
    table_rows = "".join(
        f"<tr><th scope=row>{esc(label)}</th><td class=num>{_count(count)}</td></tr>"
        for label, count in rows
    )
    table = (
        f"<details><summary>As a table</summary><table><tbody>{table_rows}</tbody></table>"
        "</details>"
    )
    return head + answered + chart + table + "</section>"


def _count(count: int | None) -> str:
    return "hidden" if count is None else str(count)


def _service_name(state: Web, service: str | None) -> str:
    if service is None:
        return NO_SERVICE
    if service in state.app.config.services:
        return state.app.config.service_label(service, "en")
    return service


_LABELS: dict[int, dict[str, tuple[str, dict[str, str]]]] = {}


def _labels(app: App) -> dict[str, tuple[str, dict[str, str]]]:
    """Question key -> (question text, option value -> label), from the flows' source texts."""
    # Flows are loaded once per process, so the lookup is built once per loaded flow set.
    if id(app.flows) in _LABELS:
        return _LABELS[id(app.flows)]
    found: dict[str, tuple[str, dict[str, str]]] = _LABELS.setdefault(id(app.flows), {})
    for flow in app.flows:
        for step in flow.steps:
            key = getattr(step, "key", None)
            if not isinstance(key, str) or key in found or not step.text:
                continue
            labels = {value: label for value, label in step.texts() if value}
            found[key] = (step.text, labels | {"yes": "Yes", "no": "No"})
    return found
