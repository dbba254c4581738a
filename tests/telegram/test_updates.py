""" "You said, we did" on Telegram: a young person asks to hear back about a service; one
staff member writes an update on a `serve` process, another approves it, and the `run`
process sends it through its outbox and rate limiter, in the young person's language.
Real Redis, the stand-in Bot API, both adapters."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from pathlib import Path

from bot.app import load_app
from bot.channels.telegram.polling import Poller
from bot.runtime import build_runtime
from bot.staff.accounts import Account
from bot.storage import Answer, FeedbackRecord
from tests.telegram.conftest import close_bot, open_bot
from tests.telegram.fake_api import FakeTelegram

CHAT = 7755555555
AUTHOR = Account("ana", "worker", ("shelter",))
SECOND = Account("bogdan", "worker", ("shelter",))


async def test_an_approved_update_reaches_a_subscribed_young_person_in_arabic(
    fake: FakeTelegram, bot_env: Path, library: str
) -> None:
    app = load_app(bot_env)
    bot = await open_bot(app, library)
    serve = build_runtime(app, "serve")  # the staff's web process, on the same stores
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(Poller(bot.transport, bot.channel, timeout=1).run(stop)),
        asyncio.create_task(bot.background(stop, scheduled=False)),
    ]
    try:
        for i in range(12):
            serve.store.add(
                FeedbackRecord.build(
                    flow_id="service_feedback", flow_version=1, age_band="18-24",
                    language="ar", service="shelter",
                    answers=[Answer("felt_safe", "yes_no", "no" if i % 2 else "yes")],
                    today=dt.date.today(),
                )
            )  # fmt: skip
        fake.text(CHAT, "/start", lang="ar")
        await fake.settled()
        for label in ("العربية", "من 18 إلى 24", "ما الذي تغيّر؟", "دار الإيواء", "نعم، أخبرني"):
            fake.press(CHAT, label)
            await fake.settled()
        assert any("/forget" in text for text in fake.bot_texts(CHAT))
        before = len(fake.bot_texts(CHAT))
        assert serve.updates is not None
        row = serve.updates.draft(AUTHOR, "shelter", "felt_safe", "en",
                                  "Half of you did not feel safe at night.",
                                  "Someone is awake every night now.")  # fmt: skip
        serve.updates.add_text(SECOND, row.id, "ar", "نصفكم لم يشعر بالأمان ليلًا.",
                               "يوجد الآن شخص مستيقظ كل ليلة.")  # fmt: skip
        serve.updates.approve_text(AUTHOR, row.id, "ar")
        await serve.updates.approve(SECOND, row.id)
        await fake.wait_for(lambda: len(fake.bot_texts(CHAT)) > before, timeout=20)
        news = fake.bot_texts(CHAT)[-1]
        assert "نصفكم لم يشعر بالأمان ليلًا." in news
        assert "نحن فعلنا: يوجد الآن شخص مستيقظ كل ليلة." in news
        # Sent once: the next conversation start does not repeat it.
        fake.text(CHAT, "/start", lang="ar")
        await fake.settled()
        assert sum("نصفكم لم يشعر" in text for text in fake.bot_texts(CHAT)) == 1
        # "Delete my data" removes the subscription.
        key = bot.runtime.conversation.key("tg", CHAT)
        assert serve.updates.store.subscriptions_of(key, dt.datetime.now(dt.UTC))
        fake.text(CHAT, "/forget", lang="ar")
        await fake.settled()
        fake.press(CHAT, fake.newest_keyboard(CHAT)[1].keyboard[0][0]["text"])
        await fake.settled()
        assert serve.updates.store.subscriptions_of(key, dt.datetime.now(dt.UTC)) == []
    finally:
        stop.set()
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await serve.close()
        await close_bot(bot)
