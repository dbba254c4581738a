"""The worker desk on Telegram, end to end on both adapters: a young person on the
stand-in Bot API talks to a worker in the stand-in staff group (a forum), over real Redis.

Whatever happens, the staff side never receives the young person's chat id, first name
or username, and the young person never sees the worker's Telegram name."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.app import load_app
from bot.channels.telegram.polling import Poller
from bot.channels.telegram.runtime import Bot
from bot.runtime import build_runtime
from tests.telegram.conftest import close_bot, open_bot, write_config
from tests.telegram.fake_api import FIRST_NAME, USERNAME, FakeTelegram

STAFF = -1001234567890
OTHER_GROUP = -1009999999999
YOUNG = 7701234567
WORKER_ID = 5550001
WORKER = {"id": WORKER_ID, "is_bot": False, "first_name": "Maria", "last_name": "Popescu",
          "username": "maria_popescu_tg"}  # fmt: skip
COLLEAGUE = {"id": 5550002, "is_bot": False, "first_name": "Ioana", "username": "ioana_tg"}
STRANGER = {"id": 6660001, "is_bot": False, "first_name": "Eve", "username": "eve_outsider"}
SECRET_WORDS = "my secret words 4711"


@pytest.fixture
def desk_config(
    fake: FakeTelegram, tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> Path:
    path = write_config(tmp_path, fake.url)
    text = path.read_text(encoding="utf-8")
    text = text.replace("[telegram]\n", f"[telegram]\nstaff_chat_id = {STAFF}\n", 1)
    # No hours: workers answer around the clock. The sections after them stay: [web]
    # public_url says a web desk answers too (a transfer there reaches someone).
    text = re.sub(r"\n\[handoff\.hours\]\n(?:[a-z]{3} = .*\n)*", "\n", text)
    assert "[handoff]" in text
    assert "\n[handoff.hours]\n" not in text
    assert "public_url = " in text
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("SAFEVOICE_TELEGRAM_TOKEN", "123456:TEST-token-abcdefghijklmnopqrstuvwxyz")
    monkeypatch.setenv("SAFEVOICE_SECRET_KEY", "test-secret-key-for-telegram-tests")
    monkeypatch.setenv("SAFEVOICE_REDIS_URL", redis_url)
    monkeypatch.setenv("SAFEVOICE_DATABASE_URL", f"sqlite:///{tmp_path / 'feedback.db'}")
    return path


@pytest.fixture
def desk_bot(
    desk_config: Path, library: str, fake: FakeTelegram
) -> Callable[[], contextlib.AbstractAsyncContextManager[Bot]]:
    fake.members = {WORKER_ID: "member", COLLEAGUE["id"]: "administrator"}

    @contextlib.asynccontextmanager
    async def start() -> AsyncIterator[Bot]:
        bot = await open_bot(load_app(desk_config), library)
        assert bot.desk is not None
        bot.desk.tick = 0.05
        # A tiny grace: the config counts whole minutes, and 0 would expire the mapping
        # before the service delivers its goodbye and the rating.
        bot.cases.grace = 1.0
        stop = asyncio.Event()
        tasks = [
            asyncio.create_task(Poller(bot.transport, bot.channel, timeout=1).run(stop)),
            asyncio.create_task(bot.background(stop)),
        ]
        await asyncio.wait_for(bot.desk.ready.wait(), 5)
        try:
            yield bot
        finally:
            stop.set()
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await close_bot(bot)

    return start


def press_value(fake: FakeTelegram, chat: int, value: str) -> None:
    _, shown = fake.newest_keyboard(chat)
    data = next(
        b["callback_data"] for row in shown.keyboard for b in row
        if b["callback_data"].endswith("|" + value)
    )  # fmt: skip
    fake.press(chat, data=data)


async def ask_for_person(fake: FakeTelegram, chat: int = YOUNG, lang: str = "ro") -> None:
    fake.text(chat, "/start sh1", lang=lang)
    await fake.settled()
    for value in (lang, "13-15", "person"):
        press_value(fake, chat, value)
        await fake.settled()


def case_topic(fake: FakeTelegram) -> tuple[int, str]:
    assert len(fake.topics[STAFF]) == 1, fake.topics[STAFF]
    return next(iter(fake.topics[STAFF].items()))


async def case_opened(fake: FakeTelegram, lang: str = "ro") -> tuple[int, str]:
    """The young person asks for a person; the case's topic (thread id, name) once made."""
    await ask_for_person(fake, lang=lang)
    await fake.wait_for(lambda: len(fake.topics[STAFF]) == 1)
    await fake.settled()
    return case_topic(fake)


async def say(
    fake: FakeTelegram, thread: int | None, text: str, who: dict[str, Any] = WORKER
) -> None:
    fake.staff_message(STAFF, who, thread, text=text)
    await fake.settled()


def assert_staff_never_saw_young_person(fake: FakeTelegram) -> None:
    """Every request the bot made about the staff group: no id, name or username."""
    staff_calls = [(m, p) for m, p in fake.calls if p.get("chat_id") == STAFF]
    assert staff_calls
    for method, params in staff_calls:
        body = json.dumps(params, ensure_ascii=False)
        for secret in (str(YOUNG), FIRST_NAME, USERNAME):
            assert secret not in body, (method, secret)


def young_person_texts(fake: FakeTelegram) -> str:
    return "\n".join(fake.bot_texts(YOUNG))


async def test_case_conversation_end_to_end(
    fake: FakeTelegram, desk_bot: Any, redis_url: str
) -> None:
    async with desk_bot() as bot:
        thread, name = await case_opened(fake)
        assert re.fullmatch(r"#[A-Z0-9]{4} · 13-15 · ro · shelter", name), name
        label = name.split(" ")[0]
        assert label in fake.topic_texts(STAFF, thread)[0]  # the case card

        # A worker claims with a display name; the young person sees only that name.
        await say(fake, thread, "/claim Ana")
        await fake.wait_for(lambda: "Ana" in young_person_texts(fake))
        await say(fake, thread, "Bună, sunt aici. Cum te pot ajuta?")
        await fake.wait_for(lambda: "Ana: Bună, sunt aici" in young_person_texts(fake))

        # The young person's words arrive in the topic.
        fake.text(YOUNG, "Vreau să vorbesc despre centru", lang="ro")
        await fake.settled()
        await fake.wait_for(
            lambda: any("Vreau să vorbesc" in t for t in fake.topic_texts(STAFF, thread))
        )

        # A note stays with staff.
        await say(fake, thread, f"/note {SECRET_WORDS}")
        assert any("Note kept" in t for t in fake.topic_texts(STAFF, thread))
        notes = await bot.cases.notes(label)
        assert [n.text for n in notes] == [SECRET_WORDS]

        # To the web desk and back; a colleague claims it under their own name.
        await say(fake, thread, "/transfer web")
        case = await bot.cases.get(label)
        assert case is not None
        assert case.status == "waiting"
        assert case.desk == "web"
        await say(fake, thread, "Still there?", who=COLLEAGUE)
        assert any("Not sent" in t for t in fake.topic_texts(STAFF, thread))
        await bot.cases.transfer(label, "web:lead", "desk:telegram")
        await fake.settled()
        assert any("Telegram desk" in t for t in fake.topic_texts(STAFF, thread))
        await say(fake, thread, "/name Mihai", who=COLLEAGUE)
        await say(fake, thread, "/claim", who=COLLEAGUE)
        await say(fake, thread, "Salut, sunt Mihai.", who=COLLEAGUE)
        await fake.wait_for(lambda: "Mihai: Salut" in young_person_texts(fake))

        # Non-text from a worker is not relayed.
        sent_before = len(fake.bot_texts(YOUNG))
        fake.staff_message(STAFF, COLLEAGUE, thread, sticker={
            "file_id": "x", "file_unique_id": "y", "type": "regular", "width": 1,
            "height": 1, "is_animated": False, "is_video": False})  # fmt: skip
        await fake.settled()
        assert any("Only text is relayed" in t for t in fake.topic_texts(STAFF, thread))

        # Close: the young person is offered the one-tap rating, recorded anonymously.
        await say(fake, thread, "/close", who=COLLEAGUE)
        await fake.wait_for(lambda: len(fake.bot_texts(YOUNG)) > sent_before)
        _, rating = fake.newest_keyboard(YOUNG)
        assert [b["text"] for row in rating.keyboard for b in row] == ["🙁", "😐", "🙂"]
        fake.press(YOUNG, "🙂")
        await fake.settled()
        await fake.wait_for(lambda: bot.feedback.count() == 1)
        assert (STAFF, thread) in fake.closed_topics
        await fake.wait_for(lambda: (STAFF, thread) in fake.deleted_topics)

        # What the young person saw: display names only, never the note or a worker's
        # Telegram name.
        seen = young_person_texts(fake)
        assert SECRET_WORDS not in seen
        for secret in ("Maria", "Popescu", "maria_popescu_tg", "Ioana", "ioana_tg"):
            assert secret not in seen
        assert "Ana" in seen
        assert "Mihai" in seen

        # After close (+ the tiny grace): no trace of the case or its mapping in Redis.
        await asyncio.sleep(1.2)
        redis = Redis.from_url(redis_url)
        try:
            left = []
            async for key in redis.scan_iter(count=1000):
                name_ = key.decode()
                value = await redis.dump(key) or b""
                if label in name_ or str(YOUNG).encode() in value or label.encode() in value:
                    left.append(name_)
                assert not name_.startswith(("sv:cmap:", "sv:ck:")), name_
        finally:
            await redis.aclose()
        assert left == []
    assert_staff_never_saw_young_person(fake)
    entries = [(e.actor, e.action) for e in bot.feedback.audit_entries(50)]
    assert ("tg:5550001", "case.claim") in entries
    assert ("tg:5550002", "case.close") in entries


async def test_worker_message_sent_after_a_kill_between_mark_and_act(
    fake: FakeTelegram, desk_bot: Any, redis_url: str
) -> None:
    """Regression (issue 9): the desk marked a staff update seen before acting on it, so
    a process killed in between lost the worker's message for good on redelivery."""
    async with desk_bot() as bot:
        thread, _ = await case_opened(fake, lang="en")
        await say(fake, thread, "/claim Ana")
        await fake.wait_for(lambda: "Ana" in young_person_texts(fake))
        # The process that took the next update was killed before it acted on it.
        upcoming = 900_000
        fake._ids = itertools.count(upcoming)
        # The killed process: another runtime on the same Redis.
        other = build_runtime(bot.runtime.app, "test", database_url="sqlite://",
                              redis_url=redis_url)  # fmt: skip
        killed = other.topics
        assert killed is not None
        try:
            assert await killed.begin_update(f"{bot.desk.bot}:{upcoming}")
            await say(fake, thread, "Hello, I am here now.")
            await fake.wait_for(lambda: "Ana: Hello, I am here now." in young_person_texts(fake))
            # Done once: the same update delivered again is not acted on again.
            assert not await killed.begin_update(f"{bot.desk.bot}:{upcoming}")
        finally:
            await other.close()
    assert young_person_texts(fake).count("Hello, I am here now.") == 1


async def test_urgent_case_is_announced_in_general(fake: FakeTelegram, desk_bot: Any) -> None:
    async with desk_bot():
        fake.text(YOUNG, "/start sh1", lang="en")
        await fake.settled()
        for value in ("en", "16-17"):
            press_value(fake, YOUNG, value)
            await fake.settled()
        fake.text(YOUNG, "he hits me every night", lang="en")
        await fake.settled()
        await fake.wait_for(lambda: len(fake.topics[STAFF]) == 1)
        await fake.settled()
        _, name = case_topic(fake)
        assert name.startswith("🚨 URGENT #"), name
        general = fake.topic_texts(STAFF, None)
        assert any("URGENT" in t and name.split(" ")[2] in t for t in general), general
    assert_staff_never_saw_young_person(fake)


async def test_not_feeling_safe_at_a_service_is_a_priority_topic(
    fake: FakeTelegram, desk_bot: Any
) -> None:
    async with desk_bot():
        fake.text(YOUNG, "/start sh1", lang="en")
        await fake.settled()
        for value in ("en", "16-17", "feedback", "1", "no", "yes_person"):
            press_value(fake, YOUNG, value)
            await fake.settled()
        await fake.wait_for(lambda: len(fake.topics[STAFF]) == 1)
        await fake.settled()
        thread, name = case_topic(fake)
        assert re.fullmatch(r"⚠️ PRIORITY #[A-Z0-9]{4} · 16-17 · en · shelter", name), name
        card = fake.topic_texts(STAFF, thread)[0]
        assert card.startswith("⚠️ PRIORITY: please answer before ordinary cases.")
        assert "(reason: unsafe)" in card
        # Not an alarm in General: that is for danger (urgent) only.
        assert not any("PRIORITY" in t for t in fake.topic_texts(STAFF, None))
    assert_staff_never_saw_young_person(fake)


async def test_outsiders_are_ignored_and_not_logged(
    fake: FakeTelegram, desk_bot: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with desk_bot() as bot:
        thread, name = await case_opened(fake, lang="en")
        label = name.split(" ")[0]
        before = len(fake.calls)
        # Another group (the bot was added somewhere else), and a non-member in the staff group.
        fake.staff_message(OTHER_GROUP, STRANGER, None, text=f"/claim Eve {SECRET_WORDS}")
        await say(fake, thread, f"/claim Eve {SECRET_WORDS}", who=STRANGER)
        await say(fake, thread, f"hello {SECRET_WORDS}", who=STRANGER)
        case = await bot.cases.get(label)
        assert case is not None
        assert case.status == "waiting"
        made = [m for m, p in fake.calls[before:] if m != "getChatMember"]
        assert made == []
        assert SECRET_WORDS not in young_person_texts(fake)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "ignored" in logged
    for secret in (SECRET_WORDS, "Eve", "eve_outsider", str(OTHER_GROUP), str(STRANGER["id"]),
                   str(YOUNG), FIRST_NAME, USERNAME):  # fmt: skip
        assert secret not in logged, secret
    assert_staff_never_saw_young_person(fake)


async def test_claim_needs_a_display_name(fake: FakeTelegram, desk_bot: Any) -> None:
    async with desk_bot() as bot:
        thread, name = await case_opened(fake, lang="en")
        await say(fake, thread, "/claim")
        assert any("Choose the name" in t for t in fake.topic_texts(STAFF, thread))
        case = await bot.cases.get(name.split(" ")[0])
        assert case is not None
        assert case.status == "waiting"
        assert "Maria" not in young_person_texts(fake)
