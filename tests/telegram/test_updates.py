""" "You said, we did" on Telegram: a young person asks to hear back about a service; one
staff member writes an update on the `/updates` page of a `serve` process, another
approves it there, and the `run` process sends it through its outbox and rate limiter, in
the young person's language. Real Redis, the stand-in Bot API, both adapters, SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import load_app
from bot.channels.telegram.limiter import Limits
from bot.channels.telegram.polling import Poller
from bot.runtime import Runtime, build_runtime
from bot.staff.accounts import Account
from bot.storage import Answer, FeedbackRecord
from bot.web import WebSettings, build_web, create_app
from tests.telegram.conftest import close_bot, open_bot
from tests.telegram.fake_api import FakeTelegram
from tests.web.conftest import NEUTRAL, PASSWORDS, login

CHAT = 7755555555
AUTHOR = Account("ana", "worker", ("shelter",))
SECOND = Account("bogdan", "worker", ("shelter",))
PASSWORDS.update({"ana": "ana-password-1234", "bogdan": "bogdan-password-1234"})


@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
async def test_an_approved_update_reaches_a_subscribed_young_person_in_arabic(
    fake: FakeTelegram,
    bot_env: Path,
    library: str,
    database: str,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if database == "postgres":
        monkeypatch.setenv("SAFEVOICE_DATABASE_URL", request.getfixturevalue("pg_database_url"))
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
        await staff_publish(serve)
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


async def staff_publish(serve: Runtime) -> None:
    """On the serve process's staff pages: ana writes in English, bogdan adds Arabic and
    approves the update, ana reviews the Arabic."""
    web_state = build_web(serve, WebSettings(neutral_url=NEUTRAL, purge_every=3600.0))
    web_state.accounts.add("ana", "worker", ("shelter",), PASSWORDS["ana"])
    web_state.accounts.add("bogdan", "worker", ("shelter",), PASSWORDS["bogdan"])
    server = TestServer(create_app(web_state), host="127.0.0.1")
    async with TestClient(server) as ana:
        ana_csrf = await login(ana, "ana")
        written = await ana.post("/updates", data={
            "csrf": ana_csrf, "question": "shelter|felt_safe", "lang": "en",
            "said": "Half of you did not feel safe at night.",
            "changed": "Someone is awake every night now.",
        })  # fmt: skip
        assert written.status == 200, await written.text()
        assert serve.updates is not None
        [row] = serve.updates.store.for_services(("shelter",))
        bogdan = TestClient(server)
        await bogdan.start_server()
        bogdan_csrf = await login(bogdan, "bogdan")
        added = await bogdan.post(f"/updates/{row.id}/texts", data={
            "csrf": bogdan_csrf, "lang": "ar", "said": "نصفكم لم يشعر بالأمان ليلًا.",
            "changed": "يوجد الآن شخص مستيقظ كل ليلة.",
        })  # fmt: skip
        assert added.status == 200
        reviewed = await ana.post(f"/updates/{row.id}/texts/ar/approve", data={"csrf": ana_csrf})
        assert reviewed.status == 200
        own = await ana.post(f"/updates/{row.id}/approve", data={"csrf": ana_csrf})
        assert own.status == 400  # the author never publishes their own words
        done = await bogdan.post(f"/updates/{row.id}/approve", data={"csrf": bogdan_csrf})
        assert "published, approved by bogdan" in await done.text()
        await bogdan.session.close()  # the server closes with ana's client


SLOW = Limits(per_bot=10, bot_burst=1, per_chat=1000, chat_burst=1000, per_group=1000)


async def test_a_broadcast_leaves_through_the_bots_limiter_one_chat_per_message(
    fake: FakeTelegram, bot_env: Path, library: str
) -> None:
    """25 subscribers, a bot limited to 10 messages a second: the news leaves through the
    `run` process's sender, spread out as the limiter allows, one message per chat that
    names nobody else."""
    app = load_app(bot_env)
    bot = await open_bot(app, library, SLOW)
    serve = build_runtime(app, "serve")
    stop = asyncio.Event()
    times: list[float] = []
    send = fake._sendMessage

    async def timed(params: dict[str, Any]) -> dict[str, Any]:
        times.append(asyncio.get_running_loop().time())
        return await send(params)

    fake._sendMessage = timed  # type: ignore[method-assign]
    task = asyncio.create_task(bot.background(stop, scheduled=False))
    try:
        assert serve.updates is not None
        chats = [7760000000 + n for n in range(25)]
        for chat in chats:
            key = serve.conversation.key("tg", chat)
            serve.updates.subscribe(key, "shelter", "tg", str(chat), "en", "18-24")
        for i in range(12):
            serve.store.add(
                FeedbackRecord.build(
                    flow_id="service_feedback", flow_version=1, age_band="18-24",
                    language="en", service="shelter",
                    answers=[Answer("felt_safe", "yes_no", "no" if i % 2 else "yes")],
                    today=dt.date.today(),
                )
            )  # fmt: skip
        row = serve.updates.draft(AUTHOR, "shelter", "felt_safe", "en",
                                  "Half of you did not feel safe at night.",
                                  "Someone is awake every night now.")  # fmt: skip
        await serve.updates.approve(SECOND, row.id)
        await fake.wait_for(lambda: len(times) >= len(chats), timeout=30)
        await asyncio.sleep(0.3)
        sent = [params for method, params in fake.calls if method == "sendMessage"]
        assert sorted(int(p["chat_id"]) for p in sent) == chats  # each once
        for params in sent:
            assert "We did: Someone is awake every night now." in params["text"]
            assert not any(str(other) in params["text"] for other in chats)
        # At 10 a second, 25 messages take over 2 s; no second carries more than 10 + burst.
        assert times[-1] - times[0] >= 2.0
        for start in times:
            assert sum(start <= t < start + 1.0 for t in times) <= 12
    finally:
        stop.set()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await serve.close()
        await close_bot(bot)
