"""The worker tools on the service, over memory and a real Redis: who is on duty and
holidays (no "usually within 30 minutes" when nobody is there), blocking an abusive
sender by the pseudonymous key, the alert for a case waiting too long, approved replies,
and the outcome form on close counted as an anonymous record."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.config import Config
from bot.config_desk import Desk as DeskConfig
from bot.engine.events import HandoffRequested
from bot.services.cases import CaseConflict, CaseError, HandoffService
from bot.services.desk_tools import OUTCOME_FLOW, DeskTools, key_digest
from bot.services.handoff import Address
from tests.services.test_cases_support import CHANNEL, CHAT_ID, ROOT, Desk, app, desk, says

__all__ = ["app", "desk"]  # fixtures


def _use(desk: Desk, **changes: object) -> None:
    """The service on a config with `[desk]` (or `handoff`) values changed."""
    config: Config = desk.service.config
    values = {k: v for k, v in changes.items() if k != "holidays"}
    update: dict[str, object] = {"desk": config.desk.model_copy(update=values)}
    if "holidays" in changes:
        update["handoff"] = config.handoff.model_copy(update={"holidays": changes["holidays"]})
    new = config.model_copy(update=update)
    desk.service.config = new
    desk.service.texts.config = new
    desk.service.hours.config = new.handoff


async def test_nobody_on_duty_is_never_promised_usually_within_30_minutes(desk: Desk) -> None:
    _use(desk, on_duty="workers")
    await desk.start("en", "16-17", user=1)
    text = "\n".join(says((await desk.ask_for_person(1)).events))
    assert "usually within" not in text
    assert "Nobody from our team is on duty right now" in text
    assert "116 111" in text  # the helplines at once
    [case] = await desk.service.queue()
    assert case.helplines_at == desk.clock.now  # told once: no "busy" later
    await desk.service.start_duty("web:ana")
    assert await desk.service.on_duty() == ["web:ana"]
    await desk.start("en", "16-17", user=2)
    assert "usually within 30 minutes" in " ".join(says((await desk.ask_for_person(2)).events))
    await desk.service.end_duty("web:ana")
    assert await desk.service.on_duty() == []
    assert ("web:ana", "duty.start") in [(a, b) for a, b, _ in desk.audit]


async def test_the_shipped_on_duty_setting_does_what_config_toml_and_the_docs_say(
    desk: Desk,
) -> None:
    """config.toml ships `[desk] on_duty = "hours"`, the default docs/config.md names: a
    small team that never marks shifts is promised an answer in office hours, the case
    reaches the desks at once, and nobody claiming it in time brings the helplines."""
    shipped = desk.service.config.desk.on_duty  # the `desk` fixture loads config.toml
    assert shipped == "hours" == DeskConfig().on_duty
    assert 'default `"hours"`' in (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    assert await desk.service.on_duty() == []  # nobody marked on duty
    await desk.start("en", "16-17")
    text = " ".join(says((await desk.ask_for_person()).events))
    assert "usually within 30 minutes" in text
    assert "116 111" not in text
    [case] = await desk.service.queue()
    assert case.status == "waiting"
    assert case.helplines_at is None
    later = desk.clock.now + dt.timedelta(minutes=31)
    assert [c.label for c in await desk.service.due_for_helplines(later)] == [case.label]
    assert "116 111" in "\n".join(desk.told())


async def test_duty_ends_by_itself_after_duty_hours(desk: Desk) -> None:
    _use(desk, on_duty="workers")
    await desk.service.start_duty("tg:5550001")
    desk.clock.now += dt.timedelta(hours=desk.service.config.desk.duty_hours, minutes=1)
    assert await desk.service.on_duty() == []
    assert not await desk.service.answering(desk.clock.now)


async def test_the_8_to_12_band_with_nobody_on_duty_hears_later_not_soon(desk: Desk) -> None:
    _use(desk, on_duty="workers")
    await desk.start("en", "8-12")
    text = " ".join(says((await desk.ask_for_person()).events))
    assert "soon" not in text
    assert "A helper will write to you here later" in text


async def test_a_holiday_closes_the_day_and_says_when_workers_are_back(desk: Desk) -> None:
    _use(desk, holidays=(desk.clock.now.date(),))  # a Wednesday, in office hours
    await desk.start("en", "18-24")
    text = "\n".join(says((await desk.ask_for_person()).events))
    assert "usually within" not in text
    assert "from Thursday 09:00" in text
    assert "116 111" in text


async def test_romanian_and_arabic_nobody_on_duty(desk: Desk) -> None:
    _use(desk, on_duty="workers")
    await desk.start("ro", "16-17", user=1)
    ro = " ".join(says((await desk.ask_for_person(1)).events))
    assert "de obicei" not in ro
    assert "Nobody from our team" not in ro  # translated, not the English source
    await desk.start("ar", "16-17", user=2)
    ar = " ".join(says((await desk.ask_for_person(2)).events))
    assert "Nobody from our team" not in ar


async def test_blocking_closes_the_case_kindly_and_refuses_new_ones_for_a_while(
    desk: Desk,
) -> None:
    await desk.start("en", "16-17")
    await desk.ask_for_person()
    [case] = await desk.service.queue()
    await desk.service.claim(case.label, "web:ana", "Ana")
    closed = await desk.service.block(case.label, "web:ana", 24)
    assert closed.status == "closed"
    told = "\n".join(desk.told())
    assert "This chat with our team has ended for now" in told
    assert "116 111" in told
    assert "Tap a face" not in told  # no rating after a block
    again = " ".join(says((await desk.ask_for_person()).events))
    assert "You cannot talk to a person here right now" in again
    assert await desk.service.queue() == []
    # The worker and the audit know the label and the length, never the key.
    key = desk.conversation.key(CHANNEL, CHAT_ID)
    assert ("web:ana", "case.block", f"{case.label} hours=24") in desk.audit
    assert all(key not in " ".join(entry) for entry in desk.audit)
    if desk.redis_url:  # the block list holds a digest of the key, never the key
        blocks = {n: v for n, v in desk.dump().items() if n.startswith("sv:block:")}
        assert list(blocks) == [f"sv:block:{key_digest(key)}"]
        assert all(key not in name + value for name, value in blocks.items())
    desk.clock.now += dt.timedelta(hours=24, minutes=1)
    assert not await desk.service.is_blocked(key)
    assert "usually within" in " ".join(says((await desk.ask_for_person()).events))


async def test_a_blocked_sender_in_danger_still_reaches_a_worker(desk: Desk) -> None:
    await desk.start("en", "13-15")
    await desk.ask_for_person()
    [case] = await desk.service.queue()
    await desk.service.block(case.label, "web:ana", 1)
    key = desk.conversation.key(CHANNEL, CHAT_ID)
    danger = HandoffRequested("danger", "13-15", "en", None, urgent=True)
    await desk.service.request(key, danger, Address(CHANNEL, str(CHAT_ID)))
    [urgent] = await desk.service.queue()
    assert urgent.urgent
    # And the safety answer of the flows is there, blocked or not.
    reply = await desk.say("they took my passport and I am not safe")
    assert any("116 111" in text for text in says(reply.events))


async def test_block_lengths_and_permissions(desk: Desk) -> None:
    await desk.start("en", "16-17")
    await desk.ask_for_person()
    [case] = await desk.service.queue()
    await desk.service.claim(case.label, "web:ana", "Ana")
    with pytest.raises(CaseError, match="choose how long"):
        await desk.service.block(case.label, "web:ana", 5)  # not a configured length
    with pytest.raises(CaseConflict):
        await desk.service.block(case.label, "web:bo", 24)  # a colleague's case
    assert (await desk.service.queue())[0].status == "claimed"


async def test_a_case_past_its_time_alerts_the_desks_once_per_wait(desk: Desk) -> None:
    await desk.start("en", "16-17")
    await desk.ask_for_person()
    [case] = await desk.service.queue()
    desk.clock.now += dt.timedelta(minutes=29)
    assert await desk.service.due_for_alert() == []
    assert not desk.service.overdue(case)
    desk.clock.now += dt.timedelta(minutes=2)
    assert desk.service.overdue(case)
    [alerted] = await desk.service.due_for_alert()
    assert alerted.overdue_at == desk.clock.now
    assert await desk.service.due_for_alert() == []  # once
    await desk.service.transfer(case.label, "web:ana", "desk:web")
    desk.clock.now += dt.timedelta(minutes=31)
    assert [c.label for c in await desk.service.due_for_alert()] == [case.label]  # a new wait
    await desk.settle()
    assert [u.kind for u in desk.updates].count("overdue") == 2


async def test_out_of_hours_only_urgent_cases_alert(desk: Desk) -> None:
    desk.clock.now = dt.datetime(2026, 1, 17, 20, 0, tzinfo=dt.UTC)  # Saturday night
    await desk.start("en", "16-17", user=1)
    await desk.ask_for_person(1)
    key = desk.conversation.key(CHANNEL, 2)
    danger = HandoffRequested("danger", "16-17", "en", None, urgent=True)
    await desk.service.request(key, danger, Address(CHANNEL, "2"))
    desk.clock.now += dt.timedelta(hours=1)
    assert [c.urgent for c in await desk.service.due_for_alert()] == [True]


async def test_approved_replies_come_in_the_young_persons_language(desk: Desk) -> None:
    await desk.start("ro", "16-17")
    await desk.ask_for_person()
    [case] = await desk.service.queue()
    replies = {r.id: r for r in desk.service.replies_for(case)}
    assert replies["welcome"].lang == "ro"
    assert replies["welcome"].text.startswith("Bună")
    _use(desk, replies={"only_en": desk.service.config.desk.replies["welcome"].model_copy(
        update={"text": {"en": "Hello"}})})  # fmt: skip
    [fallback] = desk.service.replies_for(case)
    assert (fallback.lang, fallback.text) == ("en", "Hello")


async def test_the_outcome_form_is_an_anonymous_record(desk: Desk) -> None:
    await desk.start("en", "16-17")
    await desk.ask_for_person()
    [case] = await desk.service.queue()
    await desk.service.claim(case.label, "web:ana", "Ana")
    with pytest.raises(CaseError, match="choose the outcome"):
        await desk.service.close_with_outcome(case.label, "web:ana", "unknown", ["housing"])
    with pytest.raises(CaseError, match="categories"):
        await desk.service.close_with_outcome(case.label, "web:ana", "referred", ["nope"])
    await desk.service.close_with_outcome(case.label, "web:ana", "referred", ["housing", "legal"])
    [record] = [r for r in desk.feedback.iter_records() if r.flow_id == OUTCOME_FLOW]
    answers = sorted((a.key, a.value) for a in record.answers)
    assert answers == [("case_category", "housing"), ("case_category", "legal"),
                       ("case_outcome", "referred")]  # fmt: skip
    assert (record.age_band, record.language) == ("16-17", "en")
    assert case.label not in repr(record)
    assert "Ana" not in repr(record)


def test_the_worker_tools_declare_close_for_mypy_only() -> None:
    """`DeskTools.close` was a stub that raised NotImplementedError if anything reached
    it; now the outcome form's self-type (a Protocol) asks mypy for `close`, and the only
    `close` at run time is `HandoffService`'s."""
    assert "close" not in vars(DeskTools)
    assert HandoffService.close.__qualname__ == "HandoffService.close"
