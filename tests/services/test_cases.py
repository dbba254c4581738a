"""The young person's side of a handoff, over memory and a real Redis.

Asking for a person, asking again, urgency, office hours and the no-answer timeout, the
relay of typed text to the case, /stop and "delete my data".
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.engine.events import HandoffRequested
from bot.services.conversation import Reply
from bot.services.handoff import Address
from tests.services.test_cases_support import (
    CHANNEL,
    CHAT_ID,
    SUNDAY_12,
    Desk,
    app,
    desk,
    says,
)

__all__ = ["app", "desk"]  # fixtures


async def test_asking_opens_one_case_and_says_who_when_privacy_and_how_to_stop(
    desk: Desk,
) -> None:
    await desk.start("en", "16-17")
    reply = await desk.ask_for_person()
    text = " ".join(says(reply.events))
    assert "usually within 30 minutes" in text
    assert "will not see your name, your number or your account" in text
    assert "/stop" in text
    [case] = await desk.service.queue()
    assert (case.status, case.age_band, case.language, case.urgent) == (
        "waiting", "16-17", "en", False,
    )  # fmt: skip
    again = " ".join(says((await desk.ask_for_person()).events))
    assert "You have already asked to talk to a person" in again
    assert [c.label for c in await desk.service.queue()] == [case.label]
    await desk.settle()
    assert [u.kind for u in desk.updates] == ["opened"]


async def test_the_8_to_12_band_gets_the_simpler_sentence(desk: Desk) -> None:
    await desk.start("en", "8-12")
    text = " ".join(says((await desk.ask_for_person()).events))
    assert "A helper from our team will write to you here soon." in text
    assert "within" not in text


async def test_romanian_and_arabic_are_translated(desk: Desk) -> None:
    await desk.start("ro", "13-15", user=1)
    ro = " ".join(says((await desk.ask_for_person(1)).events))
    assert "de obicei în 30 de minute" in ro
    assert "/stop" in ro
    await desk.start("ar", "8-12", user=2)
    reply = await desk.ask_for_person(2)
    assert "لا يستطيع أن يرى اسمك أو رقمك" in " ".join(says(reply.events))
    assert all(say.rtl for say in reply.events if hasattr(say, "rtl"))


async def test_an_urgent_request_raises_the_case_and_jumps_the_queue(desk: Desk) -> None:
    for user in (1, 2, 3):
        await desk.start("en", "13-15", user=user)
        await desk.ask_for_person(user)
        desk.clock.now += dt.timedelta(minutes=1)
    key = desk.conversation.key(CHANNEL, 3)
    danger = HandoffRequested("danger", "13-15", "en", None, urgent=True)
    told = await desk.service.request(key, danger, Address(CHANNEL, "3"))
    assert told  # the state of the open case
    queue = await desk.service.queue()
    assert [c.urgent for c in queue] == [True, False, False]
    assert queue[0].label == (await desk.store.find(key) or queue[1]).label
    await desk.settle()
    assert [u.kind for u in desk.updates].count("urgent") == 1
    # A new urgent case (nobody asked before) goes to the top as well.
    await desk.service.request(desk.conversation.key(CHANNEL, 4), danger, Address(CHANNEL, "4"))
    assert [c.urgent for c in await desk.service.queue()] == [True, True, False, False]


async def test_out_of_hours_the_young_person_gets_helplines_and_the_case_waits(
    desk: Desk,
) -> None:
    desk.clock.now = SUNDAY_12
    await desk.start("en", "18-24")
    text = "\n".join(says((await desk.ask_for_person()).events))
    assert "Our workers are not here right now" in text
    assert "from Monday 09:00" in text
    assert "116 111" in text
    assert "112" in text
    [case] = await desk.service.queue()
    assert case.status == "waiting"
    assert case.helplines_at == SUNDAY_12
    desk.clock.now += dt.timedelta(hours=3)
    assert await desk.service.due_for_helplines() == []  # told once already


async def test_nobody_answering_in_time_brings_helplines_once(desk: Desk) -> None:
    await desk.start("en", "8-12", user=1)
    await desk.ask_for_person(1)
    await desk.start("en", "13-15", user=2)
    await desk.ask_for_person(2)
    claimed = next(c for c in await desk.service.queue() if c.age_band == "13-15")
    await desk.service.claim(claimed.label, "web:ana", "Ana")
    desk.clock.now += dt.timedelta(minutes=29)
    assert await desk.service.due_for_helplines() == []
    due = await desk.service.due_for_helplines(desk.clock.now + dt.timedelta(minutes=2))
    assert [c.age_band for c in due] == ["8-12"]
    told = "\n".join(desk.told("1"))
    assert "We have not forgotten you" in told
    assert "116 111" in told
    assert await desk.service.due_for_helplines(desk.clock.now + dt.timedelta(hours=1)) == []
    await desk.settle()
    assert [u.kind for u in desk.updates].count("no_answer") == 1


async def test_typed_text_goes_to_the_case_and_commands_still_run_the_engine(
    desk: Desk,
) -> None:
    await desk.start("en", "13-15")
    await desk.ask_for_person()
    reply = await desk.say("I need to talk to someone")
    assert reply.relayed
    assert reply.events == ()
    [case] = await desk.service.queue()
    [message] = await desk.service.transcript(case.label)
    assert (message.sender, message.text, message.seq) == (
        "young_person", "I need to talk to someone", 0,
    )  # fmt: skip
    privacy = await desk.command("privacy")
    assert not privacy.relayed
    assert says(privacy.events)
    assert len(await desk.service.transcript(case.label)) == 1
    await desk.settle()
    [update] = [u for u in desk.updates if u.kind == "message"]
    assert update.seq == 0
    assert update.case.label == case.label


async def test_without_a_case_text_runs_the_engine(desk: Desk) -> None:
    await desk.start("en", "13-15")
    reply = await desk.say("hello")
    assert not reply.relayed


async def test_text_reaches_the_case_after_the_conversation_expired(desk: Desk) -> None:
    await desk.start("en", "13-15")
    await desk.ask_for_person()
    await desk.sessions.delete(desk.conversation.key(CHANNEL, CHAT_ID))
    assert (await desk.say("are you there?")).relayed


async def test_stop_closes_the_case(desk: Desk) -> None:
    await desk.start("en", "13-15")
    await desk.ask_for_person()
    [case] = await desk.service.queue()
    reply = await desk.command("stop")
    text = " ".join(says(reply.events))
    assert "Your request to talk to a person is cancelled." in text
    assert "we can stop here" in text
    assert await desk.service.queue() == []
    closed = await desk.service.get(case.label)
    assert closed is not None
    assert closed.closed_by == "young_person"
    assert ("young-person", "case.withdraw", case.label) in desk.audit
    assert not (await desk.say("hello again")).relayed


async def test_delete_my_data_closes_the_case_and_drops_the_mapping_at_once(
    desk: Desk,
) -> None:
    await desk.start("en", "13-15")
    await desk.ask_for_person()
    await desk.say("my secret words")
    [case] = await desk.service.queue()
    await desk.command("forget")
    reply = await desk.press("delete", "sure")
    assert reply.deleted
    assert await desk.service.get(case.label) is None
    assert await desk.store.mapping(case.label) is None
    assert await desk.service.transcript(case.label) == []
    left = desk.dump()
    text = "\n".join(f"{k} {v}" for k, v in left.items())
    assert case.label not in text
    assert str(CHAT_ID) not in text
    assert "secret words" not in text
    await desk.settle()
    assert desk.updates[-1].kind == "closed"
    assert desk.updates[-1].case.closed_by == "deleted"


async def test_text_reaches_the_case_after_the_conversation_started_again(desk: Desk) -> None:
    await desk.start("en", "13-15")
    await desk.ask_for_person()
    await desk.sessions.delete(desk.conversation.key(CHANNEL, CHAT_ID))
    await desk.start("en", "13-15")  # a new conversation; the case still waits
    assert (await desk.say("it's me again")).relayed
    assert not (await desk.command("privacy")).relayed


async def test_danger_typed_while_a_case_is_open_still_brings_help_and_raises_it(
    desk: Desk,
) -> None:
    """Regression: text relayed to the worker skipped the danger check, so a case that
    was waiting could never become urgent and no helplines were shown."""
    await desk.start("en", "13-15")
    await desk.ask_for_person()
    [case] = await desk.service.queue()
    assert not case.urgent
    reply = await desk.say("I want to kill myself")
    assert reply.relayed
    [message] = await desk.service.transcript(case.label)
    assert message.text == "I want to kill myself"  # the worker still reads it
    said = " ".join(says(reply.events))
    assert "116 111" in said  # the helplines, at once
    [raised] = await desk.service.queue()
    assert raised.label == case.label
    assert raised.urgent


async def _unsafe_at_service_asks_for_person(desk: Desk, band: str, user: int) -> Reply:
    """The shipped feedback flow: the shelter, "do you feel safe there?" No, "talk to a
    person now?" Yes, please."""
    await desk.start("en", band, user=user)
    await desk.press("feedback", "choose", user)
    await desk.press("shelter", "which_service", user)
    await desk.press("1", "overall", user)
    await desk.press("no", "felt_safe", user)
    return await desk.press("yes_person", "talk_now", user)


@pytest.mark.parametrize("band", ["8-12", "13-15", "16-17", "18-24"])
async def test_unsafe_at_service_and_asks_for_person_is_a_priority_case(
    desk: Desk, band: str
) -> None:
    """Regression (issue 10): a young person who said they do not feel safe at a service
    and asked for a person got an ordinary case, behind everyone who simply asked."""
    await desk.start("en", "13-15", user=1)
    await desk.ask_for_person(1)  # an ordinary case, waiting longer
    desk.clock.now += dt.timedelta(minutes=5)
    reply = await _unsafe_at_service_asks_for_person(desk, band, 2)
    assert "/stop" in " ".join(says(reply.events))  # the handoff service's own message
    queue = await desk.service.queue()
    assert [(c.reason, c.priority, c.urgent) for c in queue] == [
        ("unsafe", True, False), ("asked", False, False),
    ]  # fmt: skip
    assert queue[0].age_band == band
    # Urgent (danger) still comes first.
    danger = HandoffRequested("danger", "13-15", "en", None, urgent=True)
    await desk.service.request(desk.conversation.key(CHANNEL, 3), danger, Address(CHANNEL, "3"))
    assert [c.reason for c in await desk.service.queue()] == ["danger", "unsafe", "asked"]
    await desk.settle()
    assert [u.kind for u in desk.updates] == ["opened", "opened", "urgent"]
    assert desk.updates[1].case.priority


async def test_an_open_case_becomes_priority_when_the_young_person_says_they_are_unsafe(
    desk: Desk,
) -> None:
    await desk.start("en", "13-15", user=1)
    await desk.ask_for_person(1)
    desk.clock.now += dt.timedelta(minutes=1)
    await desk.start("en", "16-17", user=2)
    await desk.ask_for_person(2)  # asked first, for nothing in particular
    reply = await _unsafe_at_service_asks_for_person(desk, "16-17", 2)
    assert "You have already asked to talk to a person" in " ".join(says(reply.events))
    queue = await desk.service.queue()
    assert [(c.age_band, c.priority) for c in queue] == [("16-17", True), ("13-15", False)]
    assert queue[0].reason == "asked"  # the first reason stays; the case only moves up
    await desk.settle()
    assert [u.kind for u in desk.updates] == ["opened", "opened", "priority"]


async def test_nobody_answered_before_the_office_closed_is_not_told_busy_or_soon(
    desk: Desk,
) -> None:
    """The no-answer message comes 30 minutes after asking: after closing time, "our
    helpers are busy, a helper will write to you soon" would promise what nobody can keep."""
    desk.clock.now = dt.datetime(2026, 1, 14, 14, 50, tzinfo=dt.UTC)  # Wednesday 16:50
    await desk.start("en", "8-12", user=1)
    await desk.ask_for_person(1)
    await desk.start("en", "18-24", user=2)
    await desk.ask_for_person(2)
    later = desk.clock.now + dt.timedelta(minutes=31)  # 17:21: the office has closed
    assert len(await desk.service.due_for_helplines(later)) == 2
    young, older = "\n".join(desk.told("1")), "\n".join(desk.told("2"))
    assert "Our helpers are not here right now" in young
    assert "from Thursday 09:00" in older
    for told in (young, older):
        assert "busy" not in told
        assert "soon" not in told
        assert "116 111" in told


async def test_asking_again_promises_no_time(desk: Desk) -> None:
    desk.clock.now = SUNDAY_12  # nobody is there: "soon" would not be true
    await desk.start("en", "8-12")
    await desk.ask_for_person()
    again = " ".join(says((await desk.ask_for_person()).events))
    assert "You already asked for a helper" in again
    assert "soon" not in again.replace("as soon as they can", "")
