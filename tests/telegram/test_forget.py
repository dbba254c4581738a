""" "Delete my data" within Telegram's 48 hours, and honest greetings (both adapters).

Regressions: after 30 idle minutes the first /forget was swallowed ("Welcome back! I could
not find where we were…"), the second cleared only the new session's messages yet said "I
have deleted our conversation", and a disclosure stayed on the phone; a young person whose
first message was /help was greeted "Welcome back!".

An expired session is the store forgetting the session (the real TTL is 30 minutes).
"""

from __future__ import annotations

from bot.channels.telegram import texts
from bot.channels.telegram.core import CHANNEL
from tests.telegram.fake_api import FakeTelegram
from tests.telegram.test_reliability import begin

CHAT = 7733333333


async def expire_session(running: object, chat: int = CHAT) -> None:
    service = running.bot.channel.service  # type: ignore[attr-defined]
    await service.sessions.delete(service.key(CHANNEL, chat))


async def test_forget_after_30_minutes_idle_is_not_swallowed_and_clears_the_whole_chat(
    fake: FakeTelegram, start_bot
) -> None:
    async with start_bot() as running:
        await begin(fake, CHAT)
        fake.text(CHAT, "My uncle keeps my passport")  # a disclosure, now on the phone
        await fake.settled()
        assert any("passport" in line for line in fake.transcript(CHAT))
        await expire_session(running)
        fake.text(CHAT, "/forget")
        await fake.settled()
        asked = fake.bot_texts(CHAT)[-1]
        assert "delete our conversation" in asked
        assert texts.LOST_PLACE not in fake.bot_texts(CHAT)
        fake.press(CHAT, "Yes, delete it")
        await fake.settled()
    left = fake.transcript(CHAT)
    assert not any("passport" in line for line in left)
    assert len(left) == 1
    assert "deleted our conversation" in left[0]
    assert texts.CLEARED in left[0]


async def test_forget_says_what_stays_when_nothing_can_be_cleared(
    fake: FakeTelegram, start_bot
) -> None:
    async with start_bot() as running:
        await begin(fake, CHAT)
        await fake.wait_for(lambda: any("What would you" in t for t in fake.bot_texts(CHAT)))
        running.bot.channel.clock = lambda: 10**10  # 48 hours and more later
        fake.text(CHAT, "/forget")
        await fake.settled()
        fake.press(CHAT, "Yes, delete it")
        await fake.settled()
    assert fake.count("deleteMessages") == 0
    assert texts.NOT_CLEARED in fake.bot_texts(CHAT)[-1]


async def test_a_first_message_of_help_is_not_welcomed_back(fake: FakeTelegram, start_bot) -> None:
    async with start_bot():
        fake.text(CHAT, "/help")
        await fake.settled()
    said = fake.bot_texts(CHAT)
    assert said
    assert not any(texts.LOST_PLACE in text for text in said)
    assert "Which language" in said[0] or "language" in said[0].lower()


async def test_someone_who_was_here_is_welcomed_back(fake: FakeTelegram, start_bot) -> None:
    async with start_bot() as running:
        await begin(fake, CHAT)
        await expire_session(running)
        fake.text(CHAT, "hello again")
        await fake.settled()
        await fake.wait_for(lambda: any(texts.LOST_PLACE in t for t in fake.bot_texts(CHAT)))
    assert any(texts.LOST_PLACE in t for t in fake.bot_texts(CHAT))
