"""The band's `case_closed` flow after a worker ends the chat: offered with a gentle
yes/no, never started without a yes, and its answers kept as ordinary anonymous feedback
that nothing links to the case."""

from __future__ import annotations

import dataclasses
import json

import pytest

from bot.engine.events import Event, Say
from bot.services.handoff_texts import RATING_STEP, SURVEY_STEP
from tests.services.test_cases_support import CHANNEL, CHAT_ID, Desk, app, desk

__all__ = ["app", "desk"]  # fixtures

OFFER = "Would you tell us how the chat went? It is anonymous."
# 8-12 hear who reads it, in simple words (bot/services/handoff_texts.py).
YOUNG_OFFER = (
    "Would you like to tell a grown-up from our team how the chat went? "
    "Nobody will know it was you."
)


def transcript(events: tuple[Event, ...] | list[Event]) -> list[str]:
    """Each message, and its buttons after a `|`: the lines a golden file would hold."""
    lines = []
    for event in events:
        if isinstance(event, Say):
            buttons = " / ".join(option.label for option in event.options)
            lines.append(event.text + (f" | {buttons}" if buttons else ""))
    return lines


async def _closed(desk: Desk, band: str = "13-15", offer_text: str = OFFER) -> tuple[Say, str]:
    """A chat a worker took and ended, and the young person's tap on the rating; the
    offer comes with the thanks for it (one question at a time)."""
    await desk.start("en", band)
    await desk.ask_for_person()
    [case] = await desk.service.queue()
    await desk.service.claim(case.label, "web:ana", "Ana")
    await desk.service.close(case.label, "web:ana")
    told = desk.delivered[-1][1]
    assert transcript(told) == [
        "Ana has ended the chat. Thank you for talking with us. "
        "To talk to a person again, type /person.",
        "How was talking with us? Tap a face. | 🙁 / 😐 / 🙂",
    ]
    rating = told[-1]
    assert isinstance(rating, Say)
    assert rating.step == RATING_STEP
    rated = await desk.press(rating.options[2].value, RATING_STEP)
    assert transcript(rated.events) == ["Thank you for telling us.", f"{offer_text} | Yes / No"]
    offer = rated.events[-1]
    assert isinstance(offer, Say)
    assert offer.step == SURVEY_STEP
    return offer, case.label


async def test_yes_starts_the_survey_and_its_record_names_no_case(desk: Desk) -> None:
    offer, label = await _closed(desk)
    yes = await desk.press(offer.options[0].value, SURVEY_STEP)
    assert transcript(yes.events) == ["Did the chat help you? | 🙁 / 😐 / 🙂"]
    helped = [e for e in yes.events if isinstance(e, Say)][-1]
    listened = await desk.press(helped.options[2].value, helped.step)
    assert transcript(listened.events) == ["Did you feel listened to? | Yes / No"]
    ask = [e for e in listened.events if isinstance(e, Say)][-1]
    done = await desk.press(ask.options[0].value, ask.step)
    assert transcript(done.events)[0] == "Thank you. Your answers have no name on them."
    [record] = [r for r in desk.feedback.iter_records() if r.flow_id == "chat_feedback"]
    assert (record.age_band, record.language) == ("13-15", "en")
    assert sorted((a.key, a.value) for a in record.answers) == [
        ("chat_helped", "5"),
        ("chat_listened", "yes"),
    ]
    stored = json.dumps(dataclasses.asdict(record), default=str)
    key = desk.conversation.key(CHANNEL, CHAT_ID)
    for secret in (label, str(CHAT_ID), key, "web:ana", "Ana"):
        assert secret not in stored


async def test_no_carries_on_and_records_nothing(desk: Desk) -> None:
    offer, _ = await _closed(desk)
    no = await desk.press(offer.options[1].value, SURVEY_STEP)
    lines = transcript(no.events)
    assert lines[0] == (
        "Okay. We can carry on. If you want to talk to someone later, type /person."
    )
    assert lines[1].startswith("What would you like to do? | Give feedback")
    assert not [r for r in desk.feedback.iter_records() if r.flow_id == "chat_feedback"]


async def test_a_band_without_a_case_closed_flow_is_not_asked(desk: Desk) -> None:
    desk.service.texts.surveys = frozenset()
    await desk.start("en", "13-15")
    await desk.ask_for_person()
    [case] = await desk.service.queue()
    await desk.service.claim(case.label, "web:ana", "Ana")
    await desk.service.close(case.label, "web:ana")
    rating = desk.delivered[-1][1][-1]
    assert isinstance(rating, Say)
    rated = await desk.press(rating.options[0].value, RATING_STEP)
    assert transcript(rated.events) == ["Thank you for telling us."]


@pytest.mark.parametrize(("band", "offer_text"), [
    ("8-12", YOUNG_OFFER), ("16-17", OFFER), ("18-24", OFFER),
])  # fmt: skip
async def test_the_offer_is_worded_for_the_band(desk: Desk, band: str, offer_text: str) -> None:
    offer, _ = await _closed(desk, band, offer_text)
    yes = await desk.press(offer.options[0].value, SURVEY_STEP)
    assert transcript(yes.events)[0].startswith("Did the chat help you?")


def test_every_catalog_words_the_offer_for_8_12_apart(desk: Desk) -> None:
    translator = desk.conversation.engine.translator
    for lang in desk.conversation.engine.config.languages.shipped:
        young, older = translator.system(lang, YOUNG_OFFER), translator.system(lang, OFFER)
        if lang != translator.source:
            assert young not in (YOUNG_OFFER, older), lang  # translated, and its own words
            assert older != OFFER, lang
