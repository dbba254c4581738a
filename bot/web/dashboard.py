"""The dashboard: weekly responses and answer distributions, suppressed like `safevoice report`.

All numbers come from `bot.services.report.build_report`, so a count hidden in the report
is hidden here and in the exports, and for the same reasons. Scoping happens first: an
account only ever queries the services of its own organisations. Each comment shown has a
"Remove: this identifies someone" button (bot/web/comments.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from urllib.parse import urlencode

from aiohttp import web

from bot.app import App
from bot.flows.flow import COMMON
from bot.flows.steps import Question
from bot.flows.steps.choice import ChoiceStep
from bot.flows.steps.scale import COMMON_POINTS, ScaleStep
from bot.inputs import number_of
from bot.services.desk_tools import outcome_wording
from bot.services.report import QuestionResult, Report, build_report, period, render
from bot.staff.accounts import Account
from bot.storage.records import FeedbackFilters, iso_week
from bot.storage.texts import Group
from bot.web.charts import bars, trend
from bot.web.comments import comment_tokens, flag_form
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
    filters = filters_for(state, account, query)
    report = await _report(state, filters)
    csrf = staff_session(request).csrf
    tokens = await comment_tokens(request, filters, report)
    flags = _Flags(csrf, tokens, query)
    body = _removed_note(request) + _filter_form(state, account, query)
    body += _summary(state, report, query)
    band = filters.age_band if filters else None
    body += "".join(_question(state, q, i, flags, band) for i, q in enumerate(report.questions))
    body += await _updates(state, account)
    page = staff_page("Feedback", body, account=account, csrf=csrf, demo=state.settings.demo)
    return html_response(page)


class _Flags:
    """The comments' remove buttons of one page."""

    def __init__(self, csrf: str, tokens: dict[Group, list[str]], query: dict[str, str]) -> None:
        self.csrf, self.tokens, self.query = csrf, tokens, query

    def comments(self, q: QuestionResult, index: int) -> str:
        tokens = self.tokens.get((q.service, q.question_key), [])
        items = []
        for n, text in enumerate(q.texts):
            about = f"q{index}-c{n}"
            token = tokens[n] if n < len(tokens) else ""
            form = flag_form(self.csrf, token, (q.service, q.question_key), self.query, about)
            items.append(f'<li><span id="{about}">{esc(text)}</span> {form if token else ""}</li>')
        return "".join(items)


def _removed_note(request: web.Request) -> str:
    if request.query.get("removed") != "1":
        return ""
    return (
        '<p class="notice" role="status">The comment was removed. Its words are gone from '
        "this dashboard, the exports and reports; the audit log records who removed a "
        "comment and when, never its words.</p>"
    )


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
        f'<p class="k-note">Every number here adds up whole groups of at least {k} young '
        "people, so no number, and no difference between two views, can point at fewer. "
        "The newest weeks appear once at least "
        f"{k} have answered; groups that never reach {k} are not counted. Comments are shown "
        f"only from groups where at least {k} answered.</p>"
    )
    if not report.weeks:
        return intro + '<p class="empty">No feedback matches these filters yet.</p>'
    ends = sorted({w.iso_week for w in report.weeks})
    series: dict[str, dict[str, int | None]] = defaultdict(dict)
    for w in report.weeks:
        line = series[_service_name(state, w.service)]
        line[w.iso_week] = (line.get(w.iso_week) or 0) + (w.records or 0)
    chart = trend("Responses per period", ends, series, "weekly")
    rows = "".join(
        f"<tr><th scope=row>{esc(_service_name(state, w.service))}</th>"
        f"<td>{esc(period(w, ' to '))}</td>"
        f'<td class="num">{_count(w.records)}</td></tr>'
        for w in report.weeks
    )
    table = (
        "<details><summary>Responses per period as a table</summary>"
        '<table class="weeks"><thead><tr><th scope=col>Service</th><th scope=col>Weeks</th>'
        f"<th scope=col>Responses</th></tr></thead><tbody>{rows}</tbody></table></details>"
    )
    heading = (
        '<h2 id="weekly-h">Responses over time</h2><p class="k-note">Weeks are joined into '
        f"periods of at least {k} responses; each point is a period, at its last week.</p>"
    )
    return f'{intro}<section aria-labelledby="weekly-h">{heading}{chart}{table}</section>'


def _question(
    state: Web, q: QuestionResult, index: int, flags: _Flags, band: str | None = None
) -> str:
    """One question, in the wording of the age band the view is filtered to (all bands
    together: the reference band's wording, `REFERENCE_BAND`)."""
    text, labels = _wording(_labels(state.app, band), q.question_key, q.kind)
    title = f"{_service_name(state, q.service)}: {text}"
    head = (
        f'<section class="question" aria-labelledby="q{index}-h">'
        f'<h2 id="q{index}-h">{esc(title)}</h2>'
    )
    if q.suppressed:
        return head + (
            f'<p class="hidden-note">Fewer than {state.k} answers here (or too few to hide '
            "the smallest ones safely): hidden.</p></section>"
        )
    answered = f'<p class="answered">Answered by <span class="num">{q.respondents}</span>.</p>'
    if q.partial:
        answered += (
            f'<p class="hidden-note">Some answers are hidden and not listed: they came from '
            f"fewer than {state.k} people in a group.</p>"
        )
    if q.kind == "text":
        items = flags.comments(q, index)
        more = (
            f'<p class="more-comments">Only the newest comments are shown: those of '
            f'<span class="num">{q.more_texts}</span> more people are not.</p>'
            if q.more_texts
            else ""
        )
        return head + answered + f'<ul class="comments">{items}</ul>{more}</section>'
    if q.kind == "scale":
        # Every band's points sit on the common 1-5 scale (their `maps_to`): chart that scale.
        rows = [(_scale_label(c.value, labels, band), c.count) for c in q.cells]
        answered += (
            f'<p class="scale-note">On the common scale from 1 (worst) to {COMMON_POINTS} '
            "(best): each age band's points are placed on it as its flow says.</p>"
        )
    else:
        rows = [(labels.get(c.value, c.value), c.count) for c in q.cells]
    if not rows:
        return head + answered + "</section>"
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


# The wording shown when the view is not filtered to one age band.
REFERENCE_BAND = "13-15"
Wording = dict[tuple[str, str], tuple[str, dict[str, str]]]
_LABELS: dict[tuple[int, str | None], Wording] = {}


def _wording(found: Wording, key: str, kind: str) -> tuple[str, dict[str, str]]:
    if (key, kind) in found:
        return found[(key, kind)]
    # Old records may hold a key under a kind no flow asks any more: its words, no labels.
    text = next((text for (k, _), (text, _) in found.items() if k == key), key)
    return text, {}


def _scale_label(value: str, labels: dict[str, str], band: str | None) -> str:
    """A point of the common scale; in one band's view, with that band's word for it."""
    point = f"{value} of {COMMON_POINTS}"
    word = labels.get(value) if band else None
    return f"{point} ({word})" if word else point


def _labels(app: App, band: str | None = None) -> Wording:
    """(question key, kind) -> (question text, stored value -> label), from the flows'
    source texts: the band's own flows first, then the common ones, then the reference
    band's (for all bands together), then any other band's."""
    # Flows are loaded once per process, so each lookup is built once per loaded flow set.
    cached = _LABELS.get((id(app.flows), band))
    if cached is not None:
        return cached
    found: Wording = _LABELS.setdefault((id(app.flows), band), {})
    order = [band or REFERENCE_BAND, COMMON, REFERENCE_BAND]
    flows = sorted(app.flows, key=lambda f: order.index(f.scope) if f.scope in order else 9)
    for flow in flows:
        for step in flow.steps:
            if not isinstance(step, Question) or (step.key, step.counted_kind) in found:
                continue
            found[(step.key, step.counted_kind)] = (step.text, _value_labels(step))
    found.update(outcome_wording(app.config))  # the workers' outcome form on close
    return found


def _value_labels(step: Question) -> dict[str, str]:
    """Stored value -> the step's words for it: options by the value they count as, a
    scale's labels by the common point each sits on."""
    words: dict[str, list[str]] = {}
    if isinstance(step, ChoiceStep):
        for option in step.options:
            words.setdefault(option.common, []).append(option.label)
    elif isinstance(step, ScaleStep):
        for point, label in zip(step.maps_to, step.labels, strict=False):
            words[str(point)] = [label]
    return {"yes": "Yes", "no": "No"} | {value: " / ".join(w) for value, w in words.items()}


async def _updates(state: Web, account: Account) -> str:
    """Per service: the "you said, we did" updates published, what each answered, and how
    many young people were shown it, each once (hidden below k, like every count here)."""
    if state.updates is None:
        return ""
    rows = await asyncio.to_thread(state.updates.visible, account)
    published = [r for r in rows if r.published_at is not None]
    if not published:
        return ""
    seen_by = await asyncio.to_thread(state.updates.seen_by, published)
    items = []
    for row in published:
        day = row.published_at.date().isoformat() if row.published_at else ""
        n = seen_by.get(row.id)
        seen = str(n) if n is not None else f"fewer than {state.k}"
        label = state.app.config.service_label(row.service, "en")
        items.append(
            f"<tr><th scope=row>{esc(label)}</th><td>{esc(row.question_key)}</td>"
            f"<td>{esc(row.period)}</td><td>{esc(day)}</td>"
            f"<td>{esc(seen)}</td></tr>"
        )
    return (
        '<section aria-labelledby="updates-h"><h2 id="updates-h">You said, we did</h2>'
        "<table><thead><tr><th scope=col>Service</th><th scope=col>Answers question</th>"
        "<th scope=col>Period</th><th scope=col>Published</th>"
        "<th scope=col>Young people who saw it</th>"
        f"</tr></thead><tbody>{''.join(items)}</tbody></table></section>"
    )
