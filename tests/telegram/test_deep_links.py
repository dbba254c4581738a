"""Deep links, both adapters: `t.me/<bot>?start=<name>` arrives as "/start <name>" and
starts the band's flow with that `deep_link` once language and age band are chosen.
An unknown name is the ordinary start; the name itself is never logged."""

from __future__ import annotations

import logging

import pytest

from tests.telegram.fake_api import FakeTelegram

SURVEY = "Did the chat help you?"


async def _choose(fake: FakeTelegram, chat: int, band: str = "13-15") -> None:
    fake.press(chat, "English")
    await fake.settled()
    label = next(
        b["text"]
        for row in fake.newest_keyboard(chat)[1].keyboard
        for b in row
        if b["callback_data"].endswith("|" + band)
    )
    fake.press(chat, label)
    await fake.settled()


async def test_a_deep_link_starts_its_flow_after_language_and_age_band(
    fake: FakeTelegram, start_bot, caplog: pytest.LogCaptureFixture
) -> None:
    chat = 7700000301
    caplog.set_level(logging.INFO)
    async with start_bot():
        fake.text(chat, "/start chat_feedback")
        await fake.settled()
        assert "Which language" in fake.bot_texts(chat)[0]
        await _choose(fake, chat)
        texts = fake.bot_texts(chat)
    assert SURVEY in texts[-1]
    assert not any("What would you like to do?" in text for text in texts)
    assert "chat_feedback" not in caplog.text
    assert any(r.getMessage() == "deep link" and r.__dict__.get("known") for r in caplog.records)


async def test_a_deep_link_goes_straight_to_its_flow_when_the_band_is_known(
    fake: FakeTelegram, start_bot
) -> None:
    chat = 7700000302
    async with start_bot():
        fake.text(chat, "/start")
        await fake.settled()
        await _choose(fake, chat)
        fake.text(chat, "/start chat_feedback")
        await fake.settled()
        texts = fake.bot_texts(chat)
    assert SURVEY in texts[-1]


async def test_an_unknown_deep_link_is_the_normal_start_with_no_error(
    fake: FakeTelegram, start_bot, caplog: pytest.LogCaptureFixture
) -> None:
    chat = 7700000303
    caplog.set_level(logging.INFO)
    async with start_bot():
        fake.text(chat, "/start no_such_poster")
        await fake.settled()
        await _choose(fake, chat)
        texts = fake.bot_texts(chat)
    assert "Which language" in texts[0]
    assert "What would you like to do?" in texts[-1]
    assert not any("something went wrong" in text for text in texts)
    assert "no_such_poster" not in caplog.text
    assert any(r.getMessage() == "deep link" and not r.__dict__["known"] for r in caplog.records)
