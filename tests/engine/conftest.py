"""The engine as the app builds it, and helpers to walk the shipped flows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import App, load_app
from bot.engine.events import Event, Say
from bot.engine.inputs import Input
from bot.engine.runner import Engine
from bot.engine.session import Session
from bot.flows.flow import COMMON, Flow
from bot.flows.steps import Question, StepBase
from bot.flows.steps.age_band import AgeBandStep
from bot.flows.steps.language import LanguageStep

ROOT = Path(__file__).resolve().parents[2]
_APP: list[App] = []


def shared_app() -> App:
    """One app for every engine test (Hypothesis tests cannot take function fixtures)."""
    if not _APP:
        _APP.append(load_app(ROOT / "config.toml"))
    return _APP[0]


@pytest.fixture(scope="session")
def app() -> App:
    return shared_app()


@pytest.fixture(scope="session")
def engine(app: App) -> Engine:
    return app.engine


def waits(step: StepBase) -> bool:
    return isinstance(step, (Question, LanguageStep, AgeBandStep))


def waiting_steps(app: App) -> Iterator[tuple[str, Flow, StepBase]]:
    """(band, flow, step) for every step a chat can wait at, in every band that reaches it."""
    for flow in app.flows:
        bands = app.config.band_ids if flow.scope == COMMON else (flow.scope,)
        for band in bands:
            if flow.scope == COMMON and app.flows.resolve(band, flow.id) is not flow:
                continue
            for step in flow.steps:
                if waits(step):
                    yield band, flow, step


def at(band: str | None, flow: Flow, step: StepBase, lang: str = "en") -> Session:
    return Session(lang=lang, band=band, scope=flow.scope, flow=flow.id, step=step.id)


def to_menu(engine: Engine, band: str, lang: str = "en") -> Session:
    session, _ = engine.start(lang)
    session, _ = engine.resume(session, Input.button(lang, "pick_language"))
    session, _ = engine.resume(session, Input.button(band, "pick_age"))
    assert (session.flow, session.step) == ("menu", "choose"), session
    return session


def says(events: list[Event]) -> list[Say]:
    return [event for event in events if isinstance(event, Say)]


def check_says(events: list[Event]) -> None:
    for say in says(events):
        assert say.text.strip(), say
        if say.input != "none":
            assert say.step, say
        if say.input in ("choice", "multi", "scale", "yes_no"):
            assert say.options, say
