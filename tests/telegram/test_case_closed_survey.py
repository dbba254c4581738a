"""Both adapters, over the fake Bot API: a worker ends the chat, the young person is asked
"Would you tell us how the chat went?", and only Yes starts the `case_closed` survey."""

from __future__ import annotations

from tests.telegram.fake_api import FakeTelegram
from tests.telegram.test_deep_links import _choose

OFFER = "Would you tell us how the chat went? It is anonymous."
SURVEY = "Did the chat help you?"


async def _closed(fake: FakeTelegram, running, chat: int) -> None:  # type: ignore[no-untyped-def]
    fake.text(chat, "/start")
    await fake.settled()
    await _choose(fake, chat)
    fake.text(chat, "/person")
    await fake.settled()
    cases = running.bot.runtime.cases
    [case] = await cases.queue()
    await cases.claim(case.label, "web:ana", "Ana")
    await cases.close(case.label, "web:ana")
    await fake.settled()
    await running.bot.sender.flush(chat, 5.0)
    assert "Ana has ended the chat" in fake.bot_texts(chat)[-1]
    assert not any(OFFER in text for text in fake.bot_texts(chat))  # the rating first
    fake.press(chat, "🙂")
    await fake.settled()
    await running.bot.sender.flush(chat, 5.0)
    assert fake.bot_texts(chat)[-1].endswith(OFFER)


async def test_yes_on_telegram_starts_the_survey(fake: FakeTelegram, start_bot) -> None:
    chat = 7700000401
    async with start_bot() as running:
        await _closed(fake, running, chat)
        fake.press(chat, "Yes")
        await fake.settled()
        texts = fake.bot_texts(chat)
    assert SURVEY in texts[-1]


async def test_no_on_telegram_starts_nothing(fake: FakeTelegram, start_bot) -> None:
    chat = 7700000402
    async with start_bot() as running:
        await _closed(fake, running, chat)
        fake.press(chat, "No")
        await fake.settled()
        texts = fake.bot_texts(chat)
    assert not any(SURVEY in text for text in texts)
    assert "What would you like to do?" in texts[-1]
