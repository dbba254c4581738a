"""Contact details typed while a case is open reach the worker only after "Send it".

The young person talks through the real ConversationService and engine, over memory and
a real Redis; the worker's side is the case's transcript (what either desk shows). The
held text lives in the session only: never in a log, an outbox or a feedback record.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pytest

from bot.app import App
from bot.channels.console import start_preset
from bot.engine.events import Event, Say
from bot.engine.inputs import Input
from bot.runtime import build_runtime
from bot.services.contact import CONTACT_STEP, contact_kinds
from bot.services.conversation import Reply
from tests.services.test_cases_support import CHANNEL, CHAT_ID, SECRET, Desk, app, desk, says

__all__ = ["app", "desk"]  # fixtures

PHONE = "please call me on 0722 123 456 tonight"
PHONE_QUESTION = "This looks like a phone number. The worker will see it. Send it?"


def question(events: Sequence[Event]) -> Say:
    [ask] = [e for e in events if isinstance(e, Say) and e.step == CONTACT_STEP]
    return ask


def value(events: Sequence[Event], label: str) -> str:
    return next(o.value for o in question(events).options if o.label == label)


async def worker_sees(desk: Desk) -> list[str]:
    [case] = await desk.service.queue()
    return [m.text for m in await desk.service.transcript(case.label)]


async def press(desk: Desk, value: str) -> Reply:
    return await desk.press(value, CONTACT_STEP)


async def test_contact_details_reach_the_worker_only_after_confirmation(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    """Regression (issue 11, item 6): a phone number typed during an open case reached the
    worker unannounced."""
    caplog.set_level(logging.DEBUG)
    await desk.start("en", "16-17")
    await desk.ask_for_person()
    held = await desk.say(PHONE)
    assert not held.relayed
    ask = question(held.events)
    assert ask.text == PHONE_QUESTION
    assert [o.label for o in ask.options] == ["Send it", "Don't send"]
    assert await worker_sees(desk) == []  # nothing until "Send it"

    send = value(held.events, "Send it")
    sent = await press(desk, send)
    assert sent.relayed
    assert says(sent.events) == ["Sent. The people helping you will see it."]
    assert await worker_sees(desk) == [PHONE]
    again = await press(desk, send)  # a second tap: nothing more
    assert (again.events, again.relayed) == ((), False)
    assert await worker_sees(desk) == [PHONE]

    # "Don't send": the worker never receives it, and it is kept nowhere.
    other = "or text me at 0733 999 888"
    held = await desk.say(other)
    kept = await press(desk, value(held.events, "Don't send"))
    assert not kept.relayed
    assert says(kept.events) == ["Okay, I did not send it."]
    late = await press(desk, value(held.events, "Send it"))  # the other button, later
    assert (late.events, late.relayed) == ((), False)
    assert await worker_sees(desk) == [PHONE]
    assert not any("0733" in text for text in desk.dump().values())
    turn = await desk.sessions.begin(desk.conversation.key(CHANNEL, CHAT_ID))
    await desk.sessions.release(turn)
    assert turn.session is not None
    assert "0733" not in repr(turn.session)
    assert not any("0722" in r.getMessage() or "0733" in r.getMessage() for r in caplog.records)
    assert not any("0722" in repr(r) for r in desk.feedback.iter_records())


async def test_a_new_message_instead_of_a_tap_means_not_sent(desk: Desk) -> None:
    await desk.start("en", "13-15")
    await desk.ask_for_person()
    held = await desk.say(PHONE)
    instead = await desk.say("actually, never mind")
    assert instead.relayed
    assert says(instead.events)[0] == (
        "I did not send your earlier message. To send it, please write it again."
    )
    assert await worker_sees(desk) == ["actually, never mind"]
    late = await press(desk, value(held.events, "Send it"))
    assert late.events == ()
    assert await worker_sees(desk) == ["actually, never mind"]


async def test_the_question_names_the_email_and_the_username(desk: Desk) -> None:
    await desk.start("en", "16-17")
    await desk.ask_for_person()
    email = await desk.say("my mail is ana.pop2009@gmail.com")
    assert question(email.events).text == (
        "This looks like an e-mail address. The worker will see it. Send it?"
    )
    handle = await desk.say("find me on insta @ana_pop_09")
    assert says(handle.events)[0].startswith("I did not send your earlier message.")
    assert question(handle.events).text == (
        "This looks like a username. The worker will see it. Send it?"
    )
    both = await desk.say("@ana_pop_09 or 0722 123 456")
    assert question(both.events).text == (
        "This looks like contact details. The worker will see it. Send it?"
    )
    await press(desk, value(both.events, "Send it"))
    assert await worker_sees(desk) == ["@ana_pop_09 or 0722 123 456"]


async def test_the_8_to_12_band_hears_a_grown_up_from_our_team(desk: Desk) -> None:
    await desk.start("en", "8-12")
    await desk.ask_for_person()
    held = await desk.say("my mum's phone is 0722 123 456")
    assert question(held.events).text == (
        "This looks like a phone number. A grown-up from our team will see it. Send it?"
    )
    sent = await press(desk, value(held.events, "Send it"))
    assert says(sent.events) == ["I sent it. A grown-up from our team will see it."]
    assert await worker_sees(desk) == ["my mum's phone is 0722 123 456"]


async def test_romanian_and_arabic_are_asked_in_their_language(desk: Desk) -> None:
    await desk.start("ro", "8-12", user=1)
    await desk.ask_for_person(1)
    ro = await desk.say("numărul meu e 0722 123 456", user=1)
    assert question(ro.events).text == (
        "Pare un număr de telefon. Un adult din echipa noastră va vedea mesajul. Îl trimit?"
    )
    assert [o.label for o in question(ro.events).options] == ["Trimite", "Nu trimite"]
    await desk.start("ar", "16-17", user=2)
    await desk.ask_for_person(2)
    ar = question((await desk.say("بريدي ana@mail.com", user=2)).events)
    assert ar.rtl
    assert ar.text == "يبدو أن هذا عنوان بريد إلكتروني. سيرى الموظف رسالتك. هل أرسلها؟"


async def test_without_a_case_contact_details_go_to_the_engine(desk: Desk) -> None:
    await desk.start("en", "13-15")
    reply = await desk.say(PHONE)
    assert not any(isinstance(e, Say) and e.step == CONTACT_STEP for e in reply.events)


async def test_danger_in_a_held_text_still_brings_help_at_once(desk: Desk) -> None:
    await desk.start("en", "16-17")
    await desk.ask_for_person()
    reply = await desk.say("he will kill me, call 0722 123 456")
    text = " ".join(says(reply.events))
    assert "Your safety matters most" in text
    assert question(reply.events).text == PHONE_QUESTION
    [case] = await desk.service.queue()
    assert case.urgent
    assert await worker_sees(desk) == []


def test_the_kinds_come_from_scrub() -> None:
    assert contact_kinds("call 0722 123 456") == {"phone"}
    assert contact_kinds("see https://example.org/x") == {"link"}
    assert contact_kinds("I typed [phone] here, nothing else") == frozenset()
    assert contact_kinds("hello, how are you?") == frozenset()


@pytest.mark.redis
async def test_a_held_text_survives_a_restart(app: App, redis_url: str) -> None:
    """The held text is session state: another process (after a restart) sends it."""
    first = build_runtime(app.with_secret(SECRET), "test", database_url="sqlite://",
                          redis_url=redis_url)  # fmt: skip
    await start_preset(first.conversation, CHANNEL, CHAT_ID, "en", "16-17")
    await first.conversation.handle(CHANNEL, CHAT_ID, Input.command("person"))
    held = await first.conversation.handle(CHANNEL, CHAT_ID, Input.text(PHONE))
    send = value(held.events, "Send it")
    await first.close()

    second = build_runtime(app.with_secret(SECRET), "test", database_url="sqlite://",
                           redis_url=redis_url)  # fmt: skip
    try:
        sent = await second.conversation.handle(CHANNEL, CHAT_ID, Input.button(send, CONTACT_STEP))
        assert sent.relayed
        [case] = await second.cases.queue()
        assert [m.text for m in await second.cases.transcript(case.label)] == [PHONE]
    finally:
        await second.close()
