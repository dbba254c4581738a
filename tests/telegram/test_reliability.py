"""End to end, both adapters: buttons, redelivery, Telegram failures, Redis restarts,
things that are not text, clearing the chat, many chats at once, and privacy."""

from __future__ import annotations

import logging
import time

import pytest
import redis

from bot.channels.telegram import texts
from tests.fixtures.redis import RedisProcess
from tests.telegram.conftest import TOKEN
from tests.telegram.fake_api import FIRST_NAME, PHONE, USERNAME, FakeTelegram

CHAT = 7712345678


async def begin(fake: FakeTelegram, chat: int = CHAT, band_label: str = "13 to 15") -> None:
    fake.text(chat, "/start")
    await fake.settled()
    fake.press(chat, "English")
    await fake.settled()
    fake.press(chat, band_label)
    await fake.settled()


def redis_dump(url: str) -> str:
    client = redis.Redis.from_url(url)
    try:
        parts = []
        for key in client.scan_iter("*"):
            parts.append(key.decode(errors="replace"))
            if client.type(key) == b"string":
                parts.append((client.get(key) or b"").decode(errors="replace"))
        return "\n".join(parts)
    finally:
        client.close()


async def test_forged_and_stale_buttons(fake: FakeTelegram, start_bot) -> None:
    async with start_bot():
        fake.text(CHAT, "/start")
        await fake.settled()
        _, shown = fake.newest_keyboard(CHAT, "English")
        english = shown.keyboard[0][0]["callback_data"]
        fake.press(CHAT, data="AAAAAAAAAAA|pick_language|en")
        await fake.settled()
        answers = [p for m, p in fake.calls if m == "answerCallbackQuery"]
        assert answers[-1]["text"] == texts.FORGED_BUTTON
        assert len(fake.bot_texts(CHAT)) == 1  # nothing acted on
        fake.press(CHAT, "English")
        await fake.settled()
        # The language question was answered; its old button pressed again is stale.
        fake.press(CHAT, data=english)
        await fake.settled()
    assert "earlier question" in fake.bot_texts(CHAT)[-1]
    assert any(p["text"].endswith("✓ English") for m, p in fake.calls if m == "editMessageText")


async def test_same_update_twice_has_one_effect(fake: FakeTelegram, start_bot) -> None:
    async with start_bot() as running:
        update = fake.text(CHAT, "/start")
        await fake.settled()
        before = fake.count("sendMessage")
        # Redelivered (as after a crash, or a webhook retry): the real parser and channel.
        incoming = running.bot.transport.parse(update)
        assert incoming is not None
        await running.bot.channel.handle(incoming)
        await running.bot.sender.drain()
    assert fake.count("sendMessage") == before == 1


async def test_429_retry_after_is_honoured(fake: FakeTelegram, start_bot) -> None:
    fake.fail("sendMessage", 429, retry_after=1)
    async with start_bot():
        started = time.monotonic()
        fake.text(CHAT, "/start")
        await fake.wait_for(lambda: len(fake.chats[CHAT]) == 2)
        waited = time.monotonic() - started
        await fake.settled()
    assert waited >= 0.9
    assert fake.count("sendMessage") == 2  # the refused attempt and the delivered one
    assert len(fake.transcript(CHAT)) == 2  # delivered once


async def test_5xx_then_success(fake: FakeTelegram, start_bot) -> None:
    fake.fail("sendMessage", 502, times=2)
    async with start_bot(backoff=0.05):
        fake.text(CHAT, "/start")
        await fake.wait_for(lambda: len(fake.chats[CHAT]) == 2)
        await fake.settled()
    assert fake.count("sendMessage") == 3
    assert len(fake.transcript(CHAT)) == 2


async def test_redis_restarted_mid_conversation(
    fake: FakeTelegram, start_bot, redis_restartable: RedisProcess, monkeypatch
) -> None:
    monkeypatch.setenv("SAFEVOICE_REDIS_URL", redis_restartable.url)
    async with start_bot():
        fake.text(CHAT, "/start")
        await fake.settled()
        fake.press(CHAT, "English")
        await fake.settled()
        redis_restartable.restart()  # every session is gone
        fake.press(CHAT, "13 to 15")
        await fake.settled(quiet=0.5)
        assert texts.LOST_PLACE in fake.bot_texts(CHAT)[-1]
        fake.press(CHAT, "English")  # and the young person can go on
        await fake.settled()
    assert "How old are you" in fake.bot_texts(CHAT)[-1]


async def test_redis_down_then_back_nothing_lost(
    fake: FakeTelegram, start_bot, redis_restartable: RedisProcess, monkeypatch
) -> None:
    monkeypatch.setenv("SAFEVOICE_REDIS_URL", redis_restartable.url)
    async with start_bot():
        redis_restartable.stop()
        fake.text(CHAT, "/start")
        await fake.wait_for(lambda: texts.TROUBLE in fake.bot_texts(CHAT))
        assert fake.confirmed == 0 or all(u["update_id"] >= fake.confirmed for u in fake.updates)
        redis_restartable.start()
        await fake.wait_for(lambda: len(fake.bot_texts(CHAT)) == 2, timeout=20)
        await fake.settled()
    assert "Which language" in fake.bot_texts(CHAT)[-1]


async def test_stickers_photos_contacts(fake: FakeTelegram, start_bot, redis_url: str) -> None:
    async with start_bot():
        await begin(fake)
        fake.user_message(
            CHAT,
            sticker={
                "file_id": "STICKERFILE",
                "file_unique_id": "u1",
                "type": "regular",
                "width": 1,
                "height": 1,
                "is_animated": False,
                "is_video": False,
            },
        )
        fake.user_message(
            CHAT,
            photo=[{"file_id": "PHOTOFILE", "file_unique_id": "u2", "width": 1, "height": 1}],
            caption="my address",
        )
        fake.user_message(CHAT, contact={"phone_number": PHONE, "first_name": FIRST_NAME})
        fake.user_message(CHAT, location={"latitude": 44.4268, "longitude": 26.1025})
        await fake.settled()
        dump = redis_dump(redis_url)
    said = fake.bot_texts(CHAT)[-4:]
    # Outside a case a photo brings the image-abuse route (tests/telegram/test_media.py).
    assert said[0] == texts.NOT_TEXT
    assert said[1].startswith("I did not open that: I can only read words here.")
    assert said[2:] == [texts.CONTACT_OR_PLACE, texts.CONTACT_OR_PLACE]
    assert fake.count("getFile") == 0
    for secret in (PHONE, "44.4268", "STICKERFILE", "PHOTOFILE", "my address"):
        assert secret not in dump


async def test_forget_deletes_data_and_clears_chat(
    fake: FakeTelegram, start_bot, redis_url: str
) -> None:
    async with start_bot():
        await begin(fake)
        fake.text(CHAT, "/forget")
        await fake.settled()
        fake.press(CHAT, "Yes, delete it")
        await fake.settled()
        dump = redis_dump(redis_url)
    assert fake.count("deleteMessages") >= 1
    left = fake.transcript(CHAT)
    assert len(left) == 1
    assert "deleted our conversation" in left[0]
    assert "sv:s:" not in dump


async def test_200_chats_at_once_keep_order(
    fake: FakeTelegram, start_bot, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    chats = [7790000000 + i for i in range(200)]
    for chat in chats:
        fake.text(chat, "/start", lang="ro" if chat % 2 else "en")
        fake.text(chat, "English")
        fake.text(chat, "13 to 15")
    async with start_bot():
        await fake.wait_for(lambda: all(len(fake.bot_texts(c)) >= 3 for c in chats), timeout=60)
        await fake.settled()
        dump = redis_dump(redis_url)
    for chat in chats:
        said = fake.bot_texts(chat)
        assert len(said) == 3
        assert "How old" in said[1]
        assert "What would you like to do?" in said[2]
    # The stand-in server's own access log (aiohttp.access) is not the bot's.
    logs = "\n".join(r.getMessage() for r in caplog.records if r.name != "aiohttp.access")
    for secret in (FIRST_NAME, USERNAME, TOKEN, *map(str, chats)):
        leaked = {r.name for r in caplog.records if secret in r.getMessage()}
        assert secret not in logs, leaked
        assert secret not in dump
