"""start()/resume() on the shipped flows: skipping, commands from every waiting step, buttons."""

from __future__ import annotations

import json

import pytest

from bot.app import App
from bot.engine.events import (
    AnswerRecorded,
    DataDeletionRequested,
    FeedbackSubmitted,
    HandoffRequested,
    LanguageChanged,
)
from bot.engine.inputs import Input
from bot.engine.runner import Engine
from bot.engine.session import Session
from bot.flows.steps import Question
from tests.engine.conftest import at, check_says, says, shared_app, to_menu, waiting_steps

WAITING = list(waiting_steps(shared_app()))
QUESTIONS = [(band, flow, step) for band, flow, step in WAITING if isinstance(step, Question)]
IDS = [f"{band}:{flow.scope}/{flow.id}/{step.id}" for band, flow, step in WAITING]
Q_IDS = [f"{band}:{flow.scope}/{flow.id}/{step.id}" for band, flow, step in QUESTIONS]


def test_start_asks_for_a_language(engine: Engine) -> None:
    session, events = engine.start("ro")
    assert (session.flow, session.step, session.lang) == ("start", "pick_language", "ro")
    assert says(events)[-1].input == "choice"
    check_says(events)


def test_start_with_unknown_language_and_service_falls_back(engine: Engine) -> None:
    session, _ = engine.start("xx", service="nowhere")
    assert session.lang == "en"
    assert session.service is None


def test_every_band_reaches_the_menu(app: App, engine: Engine) -> None:
    for band in app.config.band_ids:
        to_menu(engine, band)


def test_all_question_kinds_are_shipped() -> None:
    kinds = {step.answer_kind for _, _, step in QUESTIONS}
    assert kinds >= {"choice", "multi", "scale", "yes_no", "text"}


@pytest.mark.parametrize(("band", "flow", "step"), QUESTIONS, ids=Q_IDS)
@pytest.mark.parametrize("how", ["button", "command"])
def test_skip_at_every_question(engine: Engine, band, flow, step, how: str) -> None:  # type: ignore[no-untyped-def]
    skip = Input.button("skip", step.id) if how == "button" else Input.command("skip")
    session, events = engine.resume(at(band, flow, step), skip)
    if session.flow == flow.id:  # leaving a feedback flow clears its answers
        assert session.answers.get(step.key, "unset") is None
    else:
        assert not any(isinstance(e, FeedbackSubmitted) for e in events)  # nothing to count
    recorded = [e for e in events if isinstance(e, AnswerRecorded)]
    assert recorded == ([AnswerRecorded(step.key, step.answer_kind, None)] if step.record else [])
    assert (session.flow, session.step) != (flow.id, step.id)
    check_says(events)


@pytest.mark.parametrize(("band", "flow", "step"), WAITING, ids=IDS)
@pytest.mark.parametrize(
    "command", ["person", "language", "privacy", "forget", "stop", "start", "menu", "help", "x"]
)
def test_commands_from_every_waiting_step(  # type: ignore[no-untyped-def]
    engine: Engine, band, flow, step, command: str
) -> None:
    before = at(band, flow, step)
    session, events = engine.resume(before, Input.command(command))
    check_says(events)
    assert says(events), "a command always answers"
    assert "went wrong" not in says(events)[-1].text
    json.dumps(session.to_json())
    if command == "person":
        assert any(isinstance(e, HandoffRequested) and e.reason == "asked" for e in events)
    if command == "forget":
        assert (session.flow, session.step) == ("forget", "sure")
    if command == "stop":
        assert session.idle
        assert session.answers == {}


@pytest.mark.parametrize(("band", "flow", "step"), WAITING, ids=IDS)
def test_privacy_returns_to_the_question(engine: Engine, band, flow, step) -> None:  # type: ignore[no-untyped-def]
    session, events = engine.resume(at(band, flow, step), Input.command("privacy"))
    assert (session.scope, session.flow, session.step) == (flow.scope, flow.id, step.id)
    assert session.back is None
    assert says(events)[-1].step == step.id


@pytest.mark.parametrize(("band", "flow", "step"), WAITING[:12], ids=IDS[:12])
def test_language_returns_to_the_question(engine: Engine, band, flow, step) -> None:  # type: ignore[no-untyped-def]
    session, _ = engine.resume(at(band, flow, step), Input.command("language"))
    assert (session.flow, session.step) == ("language", "pick")
    session, events = engine.resume(session, Input.button("ro", "pick"))
    assert LanguageChanged("ro") in events
    assert (session.flow, session.step, session.lang) == (flow.id, step.id, "ro")
    assert says(events)[-1].lang == "ro"


def test_forget_deletes_and_resets(engine: Engine) -> None:
    session = to_menu(engine, "13-15")
    session, _ = engine.resume(session, Input.button("feedback", "choose"))
    session, _ = engine.resume(session, Input.button("shelter", "which_service"))
    assert session.answers["service"] == "shelter"
    session, _ = engine.resume(session, Input.command("forget"))
    session, events = engine.resume(session, Input.button("delete", "sure"))
    assert DataDeletionRequested() in events
    assert "we cannot delete them" in says(events)[-1].text
    assert session == Session(lang="en")
    # The next message starts again from the very beginning.
    session, events = engine.resume(session, Input.text("hello"))
    assert (session.flow, session.step) == ("start", "pick_language")


def test_forget_can_be_cancelled(engine: Engine) -> None:
    session, _ = engine.resume(to_menu(engine, "8-12"), Input.command("forget"))
    session, events = engine.resume(session, Input.text("2"))
    assert not any(isinstance(e, DataDeletionRequested) for e in events)
    assert (session.flow, session.step, session.band) == ("menu", "choose", "8-12")


def _feedback(engine: Engine, band: str) -> Session:
    session = to_menu(engine, band)
    session, _ = engine.resume(session, Input.button("feedback", "choose"))
    session, _ = engine.resume(session, Input.button("shelter", "which_service"))
    return session


def test_stale_button_is_answered_kindly(engine: Engine) -> None:
    session = _feedback(engine, "13-15")
    assert session.step == "overall"
    after, events = engine.resume(session, Input.button("3", "which_service"))
    assert "earlier question" in says(events)[0].text
    assert after.step == "overall"
    assert after.answers == session.answers


def test_multi_choice_toggles(engine: Engine) -> None:
    session = _feedback(engine, "16-17")
    session, _ = engine.resume(session, Input.button("4", "overall"))
    session, _ = engine.resume(session, Input.button("yes", "felt_safe"))
    session, _ = engine.resume(session, Input.button("3", "listened"))
    assert session.step == "liked"
    for value in ("people", "food", "people", "safe"):
        session, events = engine.resume(session, Input.button(value, "liked"))
        assert session.step == "liked"
    assert says(events)[-1].selected == ("food", "safe")
    session, events = engine.resume(session, Input.button("done", "liked"))
    assert AnswerRecorded("liked", "multi", json.dumps(["safe", "food"])) in events
    assert session.picked == []
    assert session.step == "improve"


def test_multi_choice_typed_at_once(engine: Engine) -> None:
    session = _feedback(engine, "16-17")
    session.step = "liked"
    session, events = engine.resume(session, Input.text("1, the staff and 3"))
    assert session.step != "liked" or "Please" in says(events)[0].text
    session2 = _feedback(engine, "16-17")
    session2.step = "liked"
    session2, events = engine.resume(session2, Input.text("1, 3"))
    assert session2.answers["liked"] == ["people", "food"]


@pytest.mark.parametrize(
    ("band", "typed", "answer"),
    [
        ("13-15", "4", "4"),
        ("13-15", " 2. ", "2"),
        ("8-12", "3", "5"),
        ("8-12", "okay", "3"),
        ("8-12", "NOT GOOD", "1"),
        ("16-17", "5", "5"),
    ],
)
def test_scale_typed_number_or_label(engine: Engine, band: str, typed: str, answer: str) -> None:
    session, _ = engine.resume(_feedback(engine, band), Input.text(typed))
    assert session.answers["overall"] == answer
    assert session.step == "felt_safe"


@pytest.mark.parametrize(
    ("typed", "answer"),
    [("yes", "yes"), ("No", "no"), ("1", "yes"), ("2", "no"), ("da", "yes"), ("nu", "no")],
)
def test_yes_no_typed(engine: Engine, typed: str, answer: str) -> None:
    session = _feedback(engine, "13-15")
    session, _ = engine.resume(session, Input.button("4", "overall"))
    session, _ = engine.resume(session, Input.text(typed))
    assert session.answers["felt_safe"] == answer


def test_choice_typed_by_label_or_number(engine: Engine) -> None:
    session = to_menu(engine, "13-15")
    session, _ = engine.resume(session, Input.text("talk to a PERSON"))
    assert session.flow == "menu"  # a person was asked for; the chat is back at the menu
    assert engine.resume(to_menu(engine, "13-15"), Input.text("1"))[0].step == "which_service"


def test_unrecognised_answer_asks_again(engine: Engine) -> None:
    session = _feedback(engine, "13-15")
    after, events = engine.resume(session, Input.text("banana"))
    assert after.step == "overall"
    assert says(events)[-1].step == "overall"


def test_unsafe_answer_offers_a_person(engine: Engine) -> None:
    session = _feedback(engine, "8-12")
    session, _ = engine.resume(session, Input.button("2", "overall"))
    session, events = engine.resume(session, Input.button("no", "felt_safe"))
    assert session.step == "talk_now"
    assert "not your fault" in " ".join(s.text for s in says(events))
    session, events = engine.resume(session, Input.button("yes_person", "talk_now"))
    assert HandoffRequested("unsafe", "8-12", "en", "shelter", priority=True) in events
    assert session.step == "listened"


def test_known_service_skips_the_service_question(engine: Engine) -> None:
    session, _ = engine.start("en", service="health")
    session, _ = engine.resume(session, Input.button("en", "pick_language"))
    session, _ = engine.resume(session, Input.button("18-24", "pick_age"))
    session, _ = engine.resume(session, Input.button("feedback", "choose"))
    assert session.step == "overall"


def test_full_feedback_submits_only_kept_answers(engine: Engine) -> None:
    session = _feedback(engine, "8-12")
    for value, step in [("3", "overall"), ("yes", "felt_safe"), ("2", "listened")]:
        session, _ = engine.resume(session, Input.button(value, step))
    session, _ = engine.resume(session, Input.button("food", "liked"))
    session, _ = engine.resume(session, Input.button("done", "liked"))
    session, events = engine.resume(session, Input.button("more_fun", "improve"))
    submitted = [e for e in events if isinstance(e, FeedbackSubmitted)]
    assert submitted == [
        FeedbackSubmitted(
            "service_feedback",
            2,
            "8-12",
            "en",
            "shelter",
            (
                ("overall", "scale", "5"),
                ("felt_safe", "yes_no", "yes"),
                ("listened", "scale", "3"),
                ("liked", "multi", "food"),
                ("improve_pick", "choice", "more_fun"),
            ),
        )
    ]
    assert session.answers == {}
    assert (session.flow, session.step) == ("menu", "choose")


def test_empty_text_is_answered_kindly(engine: Engine) -> None:
    session = _feedback(engine, "13-15")
    after, events = engine.resume(session, Input.text("   \u202e "))
    assert after.step == "overall"
    assert "didn't get any words" in says(events)[0].text


def test_idle_session_restarts_at_the_menu(engine: Engine) -> None:
    session, _ = engine.resume(to_menu(engine, "13-15"), Input.command("stop"))
    assert session.idle
    session, _ = engine.resume(session, Input.text("hi"))
    assert (session.flow, session.step) == ("menu", "choose")


def test_resume_never_changes_the_previous_session(engine: Engine) -> None:
    session = _feedback(engine, "13-15")
    copy = Session.from_json(session.to_json())
    engine.resume(session, Input.button("4", "overall"))
    assert session == copy


def test_session_from_a_removed_step_recovers(engine: Engine) -> None:
    stale = Session(lang="en", band="13-15", scope="13-15", flow="menu", step="gone")
    session, events = engine.resume(stale, Input.text("hello"))
    assert (session.flow, session.step) == ("menu", "choose")
    check_says(events)
