"""End to end, both adapters: a young person's whole conversation over the Bot API."""

from __future__ import annotations

import pytest

from tests.telegram.fake_api import FakeTelegram

BANDS = ["8-12", "13-15", "16-17", "18-24"]
TWO_LETTER_LANGUAGES = ("en", "ro", "it", "sr", "bs", "sq", "lv", "sv", "nb", "nl", "de", "sw",
                        "uk", "ar", "fa", "ti", "so")  # fmt: skip


async def test_start_sets_commands_and_greets(fake: FakeTelegram, start_bot) -> None:
    async with start_bot():
        langs = {p.get("language_code") for m, p in fake.calls if m == "setMyCommands"}
        # Every shipped language Telegram can name: two letters, so not "pcm" (a 400 error).
        assert langs == {None, *TWO_LETTER_LANGUAGES}
        fake.text(7700000001, "/start")
        await fake.settled()
    texts = fake.bot_texts(7700000001)
    assert texts
    assert "SafeVoice" in texts[0]
    assert "Which language" in texts[0]  # statements joined to the question


@pytest.mark.parametrize("band", BANDS)
async def test_full_feedback_conversation(fake: FakeTelegram, start_bot, band: str) -> None:
    chat = 7700000002
    async with start_bot() as running:
        fake.text(chat, "/start")
        await fake.settled()
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
        # The menu: give feedback, then answer or skip until the thank-you.
        _, menu = fake.newest_keyboard(chat)
        first = menu.keyboard[0][0]["text"]
        fake.press(chat, first)
        await fake.settled()
        for _ in range(25):
            if running.bot.feedback.count():
                break
            last = max(fake.chats[chat])
            shown = fake.chats[chat][last]
            if not shown.keyboard:
                fake.text(chat, "More time to play outside, please.")
            else:
                labels = [b["text"] for row in shown.keyboard for b in row]
                done = [x for x in labels if x.endswith("Done")]
                fake.press(chat, done[0] if done else labels[0])
            await fake.settled()
        count = running.bot.feedback.count()
    assert count == 1
    # Every answered question was edited to show the choice, and lost its buttons.
    edits = [p for m, p in fake.calls if m == "editMessageText"]
    assert edits
    assert all("✓" in p["text"] for p in edits)
    assert fake.count("answerCallbackQuery") >= 3
