"""The worker tools in the Telegram staff group, end to end over the stand-in Bot API and
real Redis: on duty, approved replies, closing with the outcome form, blocking a sender
(nobody learns who it is) and the alert for a case waiting too long."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.services.desk_tools import OUTCOME_FLOW
from tests.telegram.fake_api import FakeTelegram
from tests.telegram.test_staff_desk import (
    STAFF,
    WORKER_ID,
    YOUNG,
    ask_for_person,
    assert_staff_never_saw_young_person,
    case_opened,
    desk_bot,
    desk_config,
    say,
    young_person_texts,
)

__all__ = ["desk_bot", "desk_config"]  # fixtures


def _texts(fake: FakeTelegram, thread: int | None) -> str:
    return "\n".join(fake.topic_texts(STAFF, thread))


async def test_on_duty_and_off_duty_in_the_staff_group(fake: FakeTelegram, desk_bot: Any) -> None:
    async with desk_bot() as bot:
        await say(fake, None, "/onduty")
        assert "You are on duty until" in _texts(fake, None)
        assert await bot.cases.on_duty() == [f"tg:{WORKER_ID}"]
        await say(fake, None, "/offduty")
        assert await bot.cases.on_duty() == []
        assert "You are off duty" in _texts(fake, None)


async def test_replies_block_and_the_kind_words(fake: FakeTelegram, desk_bot: Any) -> None:
    async with desk_bot() as bot:
        thread, name = await case_opened(fake, lang="ro")
        label = name.split(" ")[0]
        await say(fake, thread, "/claim Ana")
        await say(fake, thread, "/replies")
        shown = _texts(fake, thread)
        assert "Approved replies for" in shown
        assert "Sunt aici să te ascult" in shown  # the Romanian version for a Romanian case
        await say(fake, thread, "/block 5")
        assert "Block for how long?" in _texts(fake, thread)
        await say(fake, thread, "/block 24")
        await fake.wait_for(lambda: "is blocked for 24 hours" in _texts(fake, thread))
        await fake.wait_for(lambda: "Deocamdată conversația" in young_person_texts(fake))
        assert await bot.cases.get(label) is not None  # closed, in its grace period
        assert await bot.cases.queue() == []
        before = len(fake.bot_texts(YOUNG))
        await ask_for_person(fake, lang="ro")
        await fake.wait_for(lambda: len(fake.bot_texts(YOUNG)) > before)
        assert "Acum nu poți vorbi aici cu o persoană" in young_person_texts(fake)
        assert await bot.cases.queue() == []
    assert_staff_never_saw_young_person(fake)


async def test_close_with_the_outcome_form(fake: FakeTelegram, desk_bot: Any) -> None:
    async with desk_bot() as bot:
        thread, _ = await case_opened(fake, lang="en")
        await say(fake, thread, "/claim Ana")
        await say(fake, thread, "/closeas nonsense")
        assert "Not sent: choose the outcome" in _texts(fake, thread)
        await say(fake, thread, "/closeas referred housing")
        await fake.wait_for(lambda: bot.feedback.count() == 1)
        [record] = list(bot.feedback.iter_records())
        assert record.flow_id == OUTCOME_FLOW
        assert sorted(a.value for a in record.answers) == ["housing", "referred"]


async def test_a_case_past_its_time_is_announced_in_general(
    fake: FakeTelegram, desk_bot: Any
) -> None:
    async with desk_bot() as bot:
        thread, name = await case_opened(fake, lang="en")
        later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=31)
        bot.cases.clock = lambda: later
        await fake.wait_for(lambda: "has waited more than 30 minutes" in _texts(fake, None))
        assert name.split(" ")[0] in _texts(fake, None)
        await fake.wait_for(lambda: "has waited more than" in _texts(fake, thread))
        await fake.settled()
        alerts = [t for t in fake.topic_texts(STAFF, None) if "has waited more" in t]
        assert len(alerts) == 1  # once, whatever the number of ticks
