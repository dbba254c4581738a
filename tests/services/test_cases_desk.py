"""The worker's side of a handoff, over memory and a real Redis: claim, relay, note,
transfer, close, the anonymous rating, the audit log, and what is left afterwards."""

from __future__ import annotations

import dataclasses
import json

import pytest

from bot.engine.events import Say
from bot.services.cases import CaseConflict, CaseError, CaseNotFound
from bot.services.handoff_texts import RATING_STEP
from bot.storage.cases import Case
from tests.services.test_cases_support import CHANNEL, CHAT_ID, Desk, app, desk

__all__ = ["app", "desk"]  # fixtures


async def open_case(desk: Desk, band: str = "13-15", lang: str = "en") -> Case:
    await desk.start(lang, band)
    await desk.ask_for_person()
    [case] = await desk.service.queue()
    return case


async def test_claim_relay_transfer_close_and_the_audit_log(desk: Desk) -> None:
    case = await open_case(desk)
    label = case.label
    claimed = await desk.service.claim(label, "web:ana", "  Ana  ")
    assert (claimed.status, claimed.worker, claimed.worker_name) == ("claimed", "web:ana", "Ana")
    assert desk.told() == ["Ana from our team is here now. You can write to them here."]
    with pytest.raises(CaseConflict):
        await desk.service.claim(label, "tg:555", "Bo")
    with pytest.raises(CaseConflict):
        await desk.service.relay_to_young_person(label, "tg:555", "hi")
    with pytest.raises(CaseError):
        await desk.service.claim(label, "web:ana", "   ")
    moved = await desk.service.transfer(label, "web:ana", "desk:web")
    assert (moved.status, moved.desk, moved.worker, moved.worker_name) == (
        "waiting", "web", None, None,
    )  # fmt: skip
    assert "Another person from our team will talk with you now." in desk.told()[-1]
    await desk.service.claim(label, "tg:555", "Bo")
    await desk.service.transfer(label, "tg:555", "web:cy")
    offered = await desk.service.get(label)
    assert offered is not None
    assert offered.offered_to == "web:cy"
    await desk.service.claim(label, "web:cy", "Cy")
    closed = await desk.service.close(label, "web:cy")
    assert closed.status == "closed"
    assert closed.closed_by == "worker"
    bye, rating = desk.delivered[-1][1]
    assert "Cy has ended the chat" in getattr(bye, "text", "")
    assert [o.label for o in getattr(rating, "options", ())] == ["🙁", "😐", "🙂"]
    with pytest.raises(CaseNotFound):
        await desk.service.claim(label, "web:ana", "Ana")
    actions = [(actor, action) for actor, action, _ in desk.audit]
    assert actions == [
        ("web:ana", "case.claim"), ("web:ana", "case.transfer"), ("tg:555", "case.claim"),
        ("tg:555", "case.transfer"), ("web:cy", "case.claim"), ("web:cy", "case.close"),
    ]  # fmt: skip
    assert all(detail.startswith(label) for _, _, detail in desk.audit)
    await desk.settle()
    kinds = [u.kind for u in desk.updates]
    assert kinds == ["opened", "claimed", "transferred", "claimed", "transferred", "claimed",
                     "closed"]  # fmt: skip


async def test_messages_go_both_ways(desk: Desk) -> None:
    case = await open_case(desk)
    await desk.service.claim(case.label, "web:ana", "Ana")
    await desk.say("hello?")
    say = await desk.service.relay_to_young_person(case.label, "web:ana", "Hi, I am Ana.")
    assert say.text == "Ana: Hi, I am Ana."
    assert desk.told()[-1] == say.text
    await desk.say("thank you")
    transcript = await desk.service.transcript(case.label)
    assert [(m.sender, m.name, m.text) for m in transcript] == [
        ("young_person", None, "hello?"),
        ("worker", "Ana", "Hi, I am Ana."),
        ("young_person", None, "thank you"),
    ]
    assert [m.text for m in await desk.service.transcript(case.label, start=2)] == ["thank you"]


async def test_notes_never_reach_the_young_person(desk: Desk) -> None:
    case = await open_case(desk)
    await desk.service.claim(case.label, "web:ana", "Ana")
    note = await desk.service.note(case.label, "web:ana", "INTERNAL: call the shelter lead")
    assert [n.text for n in await desk.service.notes(case.label)] == [note.text]
    await desk.service.close(case.label, "web:ana")
    everything = json.dumps([[repr(e) for e in events] for _, events in desk.delivered])
    assert "INTERNAL" not in everything
    assert all("INTERNAL" not in m.text for m in await desk.service.transcript(case.label))
    assert ("web:ana", "case.note", case.label) in desk.audit
    assert all("INTERNAL" not in detail for _, _, detail in desk.audit)
    await desk.settle()
    assert all("INTERNAL" not in u.encode() for u in desk.updates)


async def test_the_rating_is_recorded_anonymously_and_once(desk: Desk) -> None:
    case = await open_case(desk, band="8-12", lang="ro")
    await desk.service.claim(case.label, "web:ana", "Ana")
    await desk.service.close(case.label, "web:ana")
    rating = desk.delivered[-1][1][-1]
    assert isinstance(rating, Say)
    assert rating.step == RATING_STEP
    happy = rating.options[2].value
    reply = await desk.press(happy, RATING_STEP)
    # Then the `case_closed` survey's offer (tests/services/test_cases_survey.py).
    assert next(getattr(e, "text", "") for e in reply.events) == "Îți mulțumim că ne-ai spus."
    again = await desk.press(happy, RATING_STEP)
    assert again.events == ()
    [record] = [r for r in desk.feedback.iter_records() if r.flow_id == "handoff_rating"]
    assert (record.age_band, record.language) == ("8-12", "ro")
    assert [(a.key, a.kind, a.value) for a in record.answers] == [("rating", "scale", "3")]
    stored = json.dumps(dataclasses.asdict(record), default=str)
    key = desk.conversation.key(CHANNEL, CHAT_ID)
    for secret in (case.label, str(CHAT_ID), key, "web:ana", "Ana"):
        assert secret not in stored


async def test_after_close_and_grace_no_trace_of_the_mapping_remains(desk: Desk) -> None:
    desk.service.grace = 0.3
    case = await open_case(desk)
    key = desk.conversation.key(CHANNEL, CHAT_ID)
    await desk.service.claim(case.label, "web:ana", "Ana")
    await desk.say("something personal")
    await desk.service.note(case.label, "web:ana", "a note")
    # While open: the chat id is in the mapping and nowhere else.
    holding = [k for k, v in desk.dump().items() if str(CHAT_ID) in k + v]
    assert len(holding) == 1
    assert "cmap:" in holding[0]
    await desk.service.close(case.label, "web:ana")
    assert await desk.service.get(case.label) is not None  # the grace period
    await desk.expire(0.5)
    for name, value in desk.dump().items():
        for trace in (case.label, str(CHAT_ID), "something personal", "a note"):
            assert trace not in name + value, (trace, name)
        assert key not in value  # the session's own key is its name, never a value
    assert await desk.store.find(key) is None


async def test_a_new_case_after_close_gets_a_new_label(desk: Desk) -> None:
    first = await open_case(desk)
    await desk.service.close(first.label, "web:ana")
    await desk.ask_for_person()
    [second] = await desk.service.queue()
    assert second.label != first.label


async def test_worker_text_is_cleaned_and_never_cut(desk: Desk) -> None:
    """Regression (issue 9): a worker's text reached the young person uncleaned (bidi
    overrides, control characters) and silently cut at 4,000 characters."""
    case = await open_case(desk)
    await desk.service.claim(case.label, "web:ana", "Ana")
    say = await desk.service.relay_to_young_person(
        case.label, "web:ana", "Cafe\u0301 \u202eat 5\u202c\x07 today\r\nsee you"
    )
    assert say.text == "Ana: Café at 5 today\nsee you"
    sent = len(desk.delivered)
    with pytest.raises(CaseError, match="4001 characters"):
        await desk.service.relay_to_young_person(case.label, "web:ana", "a" * 4001)
    with pytest.raises(CaseError, match="nothing to send"):
        await desk.service.relay_to_young_person(case.label, "web:ana", " \u200e\x00 ")
    with pytest.raises(CaseError, match="two parts"):
        await desk.service.note(case.label, "web:ana", "n" * 4001)
    assert len(desk.delivered) == sent  # nothing went out, cut or otherwise
    note = await desk.service.note(case.label, "web:ana", " call back\u202e later ")
    assert note.text == "call back later"


async def test_a_transfer_to_a_desk_that_would_not_show_the_case_is_refused(desk: Desk) -> None:
    """A transfer to the Telegram group with no group for the case's organisation (the
    shipped config has none), or to the web desk where none is served, left the case
    waiting where nobody sees it. Refused, kindly, and the case stays as it was."""
    await desk.start("en", "16-17")
    await desk.ask_for_person()
    [case] = await desk.service.queue()
    await desk.service.claim(case.label, "web:ana", "Ana")
    assert desk.service.receiving_desks(case) == ("web",)
    with pytest.raises(CaseError, match="nobody would see this case on the Telegram staff"):
        await desk.service.transfer(case.label, "web:ana", "desk:telegram")
    desk.service.web_here = False  # `safevoice run`, and no [web] public_url
    assert desk.service.receiving_desks(case) == ()
    with pytest.raises(CaseError, match="nobody would see this case on the web desk"):
        await desk.service.transfer(case.label, "web:ana", "desk:web")
    after = await desk.service.get(case.label)
    assert after is not None
    assert (after.status, after.worker, after.desk) == ("claimed", "web:ana", None)
    config = desk.service.config
    groups = config.telegram.model_copy(update={"staff_groups": {"safeguarding": -100123}})
    desk.service.config = config.model_copy(update={"telegram": groups})
    assert desk.service.receiving_desks(case) == ("telegram",)
