"""The helplines in the out-of-hours and "nobody answered" messages: the deployment's or
the service's country, the young person's language, numbers kept left to right."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.app import App, load_app
from bot.config import Helpline, Service
from bot.i18n.rtl import strip_isolates
from bot.services.handoff_texts import HandoffTexts
from bot.services.hours import OfficeHours
from bot.storage.cases import Case

REPO = Path(__file__).resolve().parents[2]

LRI, PDI = "\u2066", "\u2069"
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)  # a Sunday: the office is closed


@pytest.fixture(scope="module")
def app() -> App:
    return load_app(REPO / "config.toml")


def _texts(app: App) -> HandoffTexts:
    helplines = [
        Helpline(name={"en": "Child helpline", "ar": "خط نجدة الطفل"}, number="116 111",
                 country="RO"),
        Helpline(name={"en": "Emergency"}, number="112", country="RO"),
        Helpline(name={"en": "Rat auf Draht"}, number="147", country="AT"),
        Helpline(name={"en": "Romanian only line"}, number="0800 800 678", country="RO",
                 languages=("ro",)),
    ]  # fmt: skip
    services = dict(app.config.services)
    services["vienna_shelter"] = Service(label={"en": "Shelter in Vienna"}, country="AT")
    config = app.config.model_copy(update={"helplines": helplines, "services": services})
    return HandoffTexts(config, app.translator, OfficeHours(config.handoff))


def _case(lang: str, service: str | None = None) -> Case:
    return Case(label="K7QX", status="waiting", urgent=False, age_band="13-15", language=lang,
                service=service, reason="asked", created=NOW, updated=NOW, waiting_since=NOW,
                helplines_at=NOW)  # fmt: skip


def test_out_of_hours_and_nobody_answered_show_116_111_reversed_in_arabic(app: App) -> None:
    """The numbers went out bare: in Arabic text "116 111" is drawn as "111 116"."""
    texts = _texts(app)
    for says in (texts.no_answer(_case("ar")), texts._away(_case("ar"), NOW)):
        shown = says[-1].text
        assert f"{LRI}116 111{PDI}" in shown
        assert f"{LRI}112{PDI}" in shown
        assert "116 111" in strip_isolates(shown.replace(LRI, ""))


def test_out_of_hours_and_nobody_answered_ignored_the_country_and_language_filters(
    app: App,
) -> None:
    """Every [[helplines]] entry was listed: another country's numbers, and lines for
    speakers of other languages."""
    texts = _texts(app)
    shown = texts.no_answer(_case("en"))[-1].text
    assert "116 111" in shown
    assert "147" not in shown  # Austria's, not this deployment's (RO)
    assert "0800 800 678" not in shown  # for Romanian speakers only
    assert "0800 800 678" in texts.no_answer(_case("ro"))[-1].text
    assert LRI not in shown  # left-to-right text stays clean


def test_a_services_own_country_picks_its_helplines(app: App) -> None:
    shown = _texts(app).no_answer(_case("en", service="vienna_shelter"))[-1].text
    assert "147" in shown
    assert "116 111" not in shown


def test_nobody_on_duty_and_blocked_gave_the_deployments_helplines_not_the_services(
    app: App,
) -> None:
    """`nobody_on_duty`, `blocked` and `blocked_request` called the helpline lookup
    without the case's service: a young person at a shelter in Austria was given
    Romania's numbers."""
    texts = _texts(app)
    case = _case("en", service="vienna_shelter")
    for says in (
        texts.nobody_on_duty(case),
        texts.blocked(case),
        texts.blocked_request("en", "13-15", "vienna_shelter"),
    ):
        shown = says[-1].text
        assert "147" in shown
        assert "116 111" not in shown
    # Without a service: the deployment's country, as before.
    assert "116 111" in texts.nobody_on_duty(_case("en"))[-1].text
