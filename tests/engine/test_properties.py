"""Whatever a young person sends, the engine answers, and the session stays small plain JSON."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine.events import Event, Say
from bot.engine.inputs import COMMANDS, Input
from bot.engine.session import Session
from bot.flows.steps import StepBase
from tests.engine.conftest import check_says, shared_app, waits
from tests.naughty import BLNS

APP = shared_app()
ENGINE = APP.engine


def _values(step: StepBase) -> list[str]:
    return [option.value for option in getattr(step, "options", ())]


STEP_IDS = sorted({step.id for flow in APP.flows for step in flow.steps})
VALUES = sorted(
    {value for flow in APP.flows for step in flow.steps for value in _values(step)}
    | set(APP.config.band_ids)
    | set(APP.config.languages.shipped)
    | set(APP.config.services)
    | {"skip", "done", "1", "2", "3", "4", "5", "yes", "no"}
)

ordinary_text = st.sampled_from(
    ["yes", "no", "1", "3", "okay", "the food", "hi", "14", "", "Română"]
)
texts = st.text(max_size=300) | st.sampled_from(BLNS) | ordinary_text
buttons = st.builds(
    Input.button,
    st.sampled_from(VALUES) | st.text(max_size=20),
    st.sampled_from(STEP_IDS) | st.none() | st.text(max_size=10),
)
commands = st.builds(Input.command, st.sampled_from(COMMANDS) | st.text(max_size=10))
inputs = st.builds(Input.text, texts) | buttons | commands
ordinary = (
    st.builds(Input.text, ordinary_text)
    | st.builds(Input.button, st.sampled_from(VALUES), st.sampled_from(STEP_IDS) | st.none())
    | st.builds(Input.command, st.sampled_from(COMMANDS))
)
bands = st.sampled_from(APP.config.band_ids)
langs = st.sampled_from(APP.config.languages.shipped)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _begin(band: str, lang: str, in_band: bool) -> tuple[Session, list[Event]]:
    session, events = ENGINE.start(lang)
    if in_band:
        session, more = ENGINE.resume(session, Input.button(lang, "pick_language"))
        events += more
        session, more = ENGINE.resume(session, Input.button(band, "pick_age"))
        events += more
    return session, events


def _reloaded(session: Session) -> Session:
    return Session.from_json(json.loads(json.dumps(session.to_json())))


def _check(session: Session, events: list[Event]) -> None:
    check_says(events)
    assert all(isinstance(e, Say) or e.__class__.__module__ == "bot.engine.events" for e in events)
    data = session.to_json()
    assert _reloaded(session) == session
    assert json.loads(json.dumps(data)) == data
    assert session.lang in APP.config.languages.shipped
    assert session.band is None or session.band in APP.config.band_ids
    if session.step is not None:
        assert session.scope is not None
        assert session.flow is not None
        flow = APP.flows.get(session.scope, session.flow)
        step = flow.step(session.step) if flow else None
        assert step is not None, "the session points at a step that exists"
        assert waits(step), "a chat only ever rests at a step that waits"


@SETTINGS
@given(bands, langs, st.booleans(), st.lists(inputs, max_size=25))
def test_any_inputs_keep_the_session_valid(
    band: str, lang: str, in_band: bool, sequence: list[Input]
) -> None:
    session, events = _begin(band, lang, in_band)
    _check(session, events)
    for inp in sequence:
        session, events = ENGINE.resume(session, inp)
        _check(session, events)
        assert events, "every input gets an answer"


@SETTINGS
@given(bands, langs, st.booleans(), st.lists(ordinary, max_size=40))
def test_ordinary_sessions_stay_under_1_kb(
    band: str, lang: str, in_band: bool, sequence: list[Input]
) -> None:
    session, _ = _begin(band, lang, in_band)
    for inp in sequence:
        session, _ = ENGINE.resume(session, inp)
        size = len(json.dumps(session.to_json(), ensure_ascii=False).encode("utf-8"))
        assert size < 1024, session


@SETTINGS
@given(bands, langs, st.booleans(), st.lists(inputs, max_size=25))
def test_reloading_before_every_resume_changes_nothing(
    band: str, lang: str, in_band: bool, sequence: list[Input]
) -> None:
    kept, _ = _begin(band, lang, in_band)
    reloaded = _reloaded(kept)
    for inp in sequence:
        kept, expected = ENGINE.resume(kept, inp)
        reloaded, got = ENGINE.resume(_reloaded(reloaded), inp)
        assert got == expected
        assert reloaded == kept


@SETTINGS
@given(st.lists(inputs, max_size=10), bands)
def test_commands_work_after_any_inputs(sequence: list[Input], band: str) -> None:
    session, _ = _begin(band, "en", True)
    for inp in sequence:
        session, _ = ENGINE.resume(session, inp)
    for name in ("person", "privacy", "language", "forget", "stop"):
        after, events = ENGINE.resume(session, Input.command(name))
        check_says(events)
        assert events
        assert "went wrong" not in " ".join(s.text for s in events if isinstance(s, Say))
        json.dumps(after.to_json())
