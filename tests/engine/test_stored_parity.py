"""Answers are stored on the values every age band shares: an option's `counts_as`, a
choice `counted_as` a yes/no, a scale on the common 1-5 scale; conditions in the flow still
see the band's own values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.app import App
from bot.engine.events import FeedbackSubmitted
from bot.engine.inputs import Input
from bot.engine.runner import Engine
from bot.flows.loader import load_flows
from bot.i18n.translator import Translator
from bot.storage.records import Answer, FeedbackRecord

FLOW = """spec_version: 1
id: fb
title: fb
feedback: true
steps:
  - id: overall
    type: scale
    key: overall
    text: How is it?
    points: 3
    maps_to: [1, 3, 5]
    next: felt_safe
  - id: felt_safe
    type: choice
    key: felt_safe
    counted_as: yes_no
    text: Do you feel safe there?
    options:
      - {value: safe, label: "Yes", counts_as: "yes"}
      - {value: mostly, label: Mostly, counts_as: "yes"}
      - {value: not_safe, label: "No", counts_as: "no"}
    next:
      - when: {key: felt_safe, equals: not_safe}
        goto: sorry
      - goto: liked
  - id: sorry
    type: message
    text: Thank you for telling us.
    next: liked
  - id: liked
    type: choice
    key: liked
    multiple: true
    text: What is good?
    options:
      - {value: grown_ups, label: The grown-ups, counts_as: people}
      - {value: friends, label: My friends, counts_as: people}
      - {value: food, label: The food}
    next: thanks
  - id: thanks
    type: end
    submit: true
    text: Thank you.
    then: idle
"""


def _engine(tmp_path: Path, app: App) -> Engine:
    (tmp_path / "8-12").mkdir()
    (tmp_path / "8-12" / "fb.yaml").write_text(FLOW, encoding="utf-8")
    flows, problems = load_flows(tmp_path)
    assert problems == []
    return Engine(flows, app.config, Translator())


def test_answers_are_stored_on_the_common_values(tmp_path: Path, app: App) -> None:
    engine = _engine(tmp_path, app)
    session, _ = engine.open_at("en", "8-12", "fb")
    session, _ = engine.resume(session, Input.button("2", "overall"))
    session, events = engine.resume(session, Input.button("not_safe", "felt_safe"))
    # The flow's own condition still sees the band's value.
    assert session.step == "liked"
    assert any("Thank you for telling us." in getattr(e, "text", "") for e in events)
    for value in ("grown_ups", "friends", "food", "done"):
        session, events = engine.resume(session, Input.button(value, "liked"))
    [submitted] = [e for e in events if isinstance(e, FeedbackSubmitted)]
    assert submitted.answers == (
        ("overall", "scale", "3"),  # the middle of three faces: 3 on the common scale
        ("felt_safe", "yes_no", "no"),  # counted as the other bands' yes/no question
        ("liked", "multi", "people"),  # two options counted as one: one answer
        ("liked", "multi", "food"),
    )
    record = FeedbackRecord.build(
        flow_id=submitted.flow_id, flow_version=submitted.flow_version,
        age_band=submitted.age_band, language=submitted.language, service=submitted.service,
        answers=(Answer(*answer) for answer in submitted.answers), today=dt.date(2026, 1, 5),
    )  # fmt: skip
    assert list(record.answers) == [
        Answer("overall", "scale", "3"),
        Answer("felt_safe", "yes_no", "no"),
        Answer("liked", "multi", "people"),
        Answer("liked", "multi", "food"),
    ]
    # Nothing of the band's own values is kept.
    assert "not_safe" not in repr(record)
    assert "grown_ups" not in repr(record)


def test_a_yes_mapped_from_a_band_value(tmp_path: Path, app: App) -> None:
    engine = _engine(tmp_path, app)
    session, _ = engine.open_at("en", "8-12", "fb")
    session, _ = engine.resume(session, Input.button("skip", "overall"))
    session, _ = engine.resume(session, Input.button("mostly", "felt_safe"))
    session, events = engine.resume(session, Input.button("skip", "liked"))
    [submitted] = [e for e in events if isinstance(e, FeedbackSubmitted)]
    assert submitted.answers == (("felt_safe", "yes_no", "yes"),)
