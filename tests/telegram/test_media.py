"""Photos, voice notes, places... from a young person, end to end on both adapters: the
stand-in Bot API, the stand-in staff group (a forum) and real Redis.

While a case is open nothing is passed on before a one-tap confirmation; "send it" makes
exactly one copyMessage from the young person's chat to the case's topic (Telegram copies
it: SafeVoice never downloads it), whatever is tapped twice or delivered again. Outside
a case a photo brings the image-abuse route. No file id or caption reaches the logs, the
audit or Redis."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import redis

from bot.channels.telegram import texts
from tests.telegram import test_staff_desk as desk
from tests.telegram.fake_api import FakeTelegram
from tests.telegram.test_staff_desk import STAFF, WORKER, YOUNG, case_opened, press_value, say

# The staff desk's fixtures (a forum staff group, a bot with its desk running), shared.
desk_config = desk.desk_config
desk_bot = desk.desk_bot

FILE_ID = "AgACAgPHOTOFILEID4711"
CAPTION = "this is me near the station 4711"
PHOTO = [{"file_id": FILE_ID, "file_unique_id": "uq4711", "width": 90, "height": 90}]
VOICE = {"file_id": "AwACVOICEFILE4711", "file_unique_id": "uv4711", "duration": 3}
PLACE = {"latitude": 44.4268, "longitude": 26.1025}
SECRETS = (FILE_ID, CAPTION, "uq4711", "AwACVOICEFILE4711", "44.4268", "26.1025")


def buttons(fake: FakeTelegram, chat: int = YOUNG) -> list[str]:
    _, shown = fake.newest_keyboard(chat)
    return [b["text"] for row in shown.keyboard for b in row]


def button_data(fake: FakeTelegram, label: str) -> str:
    _, shown = fake.newest_keyboard(YOUNG, label)
    return next(b["callback_data"] for row in shown.keyboard for b in row if b["text"] == label)


def redis_dump(url: str) -> str:
    """Every key and value in Redis, read by type (DUMP may compress what it holds)."""
    client = redis.Redis.from_url(url)
    try:
        parts: list[str] = []
        for key in client.scan_iter("*"):
            kind = client.type(key)
            if kind == b"string":
                values = [client.get(key) or b""]
            elif kind == b"list":
                values = client.lrange(key, 0, -1)
            elif kind == b"hash":
                values = [b" ".join(pair) for pair in client.hgetall(key).items()]
            elif kind == b"set":
                values = list(client.smembers(key))
            elif kind == b"zset":
                values = client.zrange(key, 0, -1)
            else:
                values = []
            parts.append(key.decode(errors="replace"))
            parts.extend(v.decode(errors="replace") for v in values)
        return "\n".join(parts)
    finally:
        client.close()


async def youngest_case_opened(fake: FakeTelegram, lang: str) -> int:
    """A young person of 8-12 asks for a person; the case's topic (thread id)."""
    fake.text(YOUNG, "/start sh1", lang=lang)
    await fake.settled()
    for value in (lang, "8-12", "person"):
        press_value(fake, YOUNG, value)
        await fake.settled()
    await fake.wait_for(lambda: len(fake.topics[STAFF]) == 1)
    return next(iter(fake.topics[STAFF]))


async def test_a_photo_is_copied_once_after_send_it(
    fake: FakeTelegram, desk_bot: Any, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with desk_bot() as bot:
        thread, name = await case_opened(fake, lang="en")
        label = name.split(" ")[0]
        sent = fake.user_message(YOUNG, "en", photo=PHOTO, caption=CAPTION)
        await fake.settled()
        # Asked first, in the band's words; nothing reaches the desk yet.
        question = fake.bot_texts(YOUNG)[-1]
        assert question == (
            "Do you want to send this to our team? The people from our team who are "
            "helping you will see it."
        )
        assert buttons(fake) == ["Send it", "Don't send"]
        assert fake.copies() == []
        pending = redis_dump(redis_url)

        data = button_data(fake, "Send it")
        fake.press(YOUNG, data=data)
        fake.press(YOUNG, data=data)  # a double tap
        await fake.settled()
        copies = fake.copies()
        assert len(copies) == 1, copies
        copy = copies[0]
        assert copy["chat_id"] == STAFF
        assert copy["message_thread_id"] == thread
        assert int(copy["from_chat_id"]) == YOUNG
        assert int(copy["message_id"]) == sent["message"]["message_id"]
        assert copy["protect_content"] in (True, "true")
        assert "caption" not in copy
        topic = fake.topic_texts(STAFF, thread)
        assert any(t.startswith("📎 The young person sent a photo") for t in topic), topic
        assert "Sent. The people helping you will see it." in fake.bot_texts(YOUNG)
        # The tap of the button: the question keeps its text, shows the choice, no buttons.
        assert any(t.endswith("✓ Send it") for t in fake.transcript(YOUNG))

        # The same update once more (a process that died before Telegram heard it was
        # handled): deduplicated, nothing copied again.
        press = {"update_id": 424242, "callback_query": _query(fake, data)}
        for update in (press, press):
            await bot.channel.handle(bot.transport.parse(update))
        await fake.settled()
        assert len(fake.copies()) == 1
        answers = [p.get("text") for m, p in fake.calls if m == "answerCallbackQuery"]
        assert texts.CHOICE_CLOSED in answers
        dump = redis_dump(redis_url)
    audit = [(e.actor, e.action, e.detail) for e in bot.feedback.audit_entries(50)]
    assert ("young-person", "case.media", f"{label} photo") in audit
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name != "aiohttp.access")
    details = "\n".join(d for _, _, d in audit)
    for secret in SECRETS:
        assert secret not in logged, secret
        assert secret not in details, secret
        assert secret not in dump, secret
        assert secret not in pending, secret
    assert fake.count("getFile") == 0


def _query(fake: FakeTelegram, data: str) -> dict[str, Any]:
    message_id, shown = max(
        ((m, s) for m, s in fake.chats[YOUNG].items() if s.from_bot), key=lambda item: item[0]
    )
    return {
        "id": "99",
        "from": fake._user(YOUNG),
        "chat_instance": "1",
        "data": data,
        "message": fake._message(YOUNG, message_id, shown.text, None, bot=True),
    }


async def test_dont_send_copies_nothing(fake: FakeTelegram, desk_bot: Any) -> None:
    async with desk_bot():
        thread, _ = await case_opened(fake, lang="en")
        fake.user_message(YOUNG, "en", location=PLACE)
        await fake.settled()
        assert buttons(fake) == ["Send it", "Don't send"]
        fake.press(YOUNG, "Don't send")
        await fake.settled()
        assert fake.copies() == []
        assert fake.bot_texts(YOUNG)[-1] == "Okay, I did not send it."
        assert not any("📎" in t for t in fake.topic_texts(STAFF, thread))


async def test_the_youngest_hear_a_grown_up_from_our_team(
    fake: FakeTelegram, desk_bot: Any
) -> None:
    async with desk_bot():
        await youngest_case_opened(fake, "ro")
        fake.user_message(YOUNG, "ro", voice=VOICE)
        await fake.settled()
        question = fake.bot_texts(YOUNG)[-1]
        assert question == (
            "Vrei să trimiți asta unui adult din echipa noastră? Va vedea ce ai trimis."
        )
        assert buttons(fake) == ["Trimite", "Nu trimite"]
        fake.press(YOUNG, "Trimite")
        await fake.settled()
        assert len(fake.copies()) == 1
        assert fake.bot_texts(YOUNG)[-1] == (
            "Am trimis. Un adult din echipa noastră va vedea ce ai trimis."
        )
        thread = next(iter(fake.topics[STAFF]))
        assert any("sent a voice message" in t for t in fake.topic_texts(STAFF, thread))


async def test_a_case_on_the_web_desk_refuses_kindly(fake: FakeTelegram, desk_bot: Any) -> None:
    async with desk_bot():
        thread, _ = await case_opened(fake, lang="en")
        await say(fake, thread, "/transfer web", WORKER)
        fake.user_message(YOUNG, "en", photo=PHOTO)
        await fake.settled()
        assert fake.bot_texts(YOUNG)[-1] == (
            "The person helping you can only read text here, so I did not send that. "
            "You can write it to them in words instead."
        )
        assert fake.copies() == []
        _, shown = max(fake.chats[YOUNG].items())
        assert shown.keyboard == []


async def test_outside_a_case_a_photo_brings_the_route_and_a_person(
    fake: FakeTelegram, desk_bot: Any
) -> None:
    async with desk_bot():
        fake.text(YOUNG, "/start sh1", lang="en")
        await fake.settled()
        for value in ("en", "16-17"):
            press_value(fake, YOUNG, value)
            await fake.settled()
        fake.user_message(YOUNG, "en", photo=PHOTO, caption=CAPTION)
        await fake.settled()
        # One message (the statement joined to its question), with two buttons.
        route, ask = fake.bot_texts(YOUNG)[-1].rsplit("\n\n", 1)
        assert buttons(fake) == ["Yes, please", "Not now"]
        assert route.startswith("I did not open that: I can only read words here.")
        for step in ("not your fault", "Do not pay them", "Keep the messages", "Block them"):
            assert step in route
        # The deployment's country (RO) has no service of its own: the international one.
        assert route.endswith(
            "Take It Down can help remove a picture or video of you from the internet: "
            "https://takeitdown.ncmec.org"
        )
        assert ask == "Would you like to talk to a person from our team about it?"
        assert fake.copies() == []
        assert fake.topics[STAFF] == {}
        fake.press(YOUNG, "Yes, please")
        await fake.settled()
        await fake.wait_for(lambda: len(fake.topics[STAFF]) == 1)
        assert fake.copies() == []  # nothing sent before the case: the photo stays private
    assert fake.count("getFile") == 0


async def test_typed_contact_details_reach_the_topic_only_after_send_it(
    fake: FakeTelegram, desk_bot: Any, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The same one-tap question for typed text with a phone number in it (issue 11,
    item 6): nothing in the topic before "Send it", nothing ever after "Don't send"."""
    caplog.set_level(logging.DEBUG)
    async with desk_bot():
        thread, _ = await case_opened(fake, lang="en")
        fake.text(YOUNG, "call me on 0722 123 456", lang="en")
        await fake.settled()
        assert fake.bot_texts(YOUNG)[-1] == (
            "This looks like a phone number. The worker will see it. Send it?"
        )
        assert buttons(fake) == ["Send it", "Don't send"]
        assert not any("0722" in t for t in fake.topic_texts(STAFF, thread))
        data = button_data(fake, "Send it")
        fake.press(YOUNG, data=data)
        fake.press(YOUNG, data=data)  # a double tap
        await fake.settled()
        await fake.wait_for(
            lambda: any("0722 123 456" in t for t in fake.topic_texts(STAFF, thread))
        )
        await fake.settled()
        assert sum("0722 123 456" in t for t in fake.topic_texts(STAFF, thread)) == 1
        assert "Sent. The people helping you will see it." in fake.bot_texts(YOUNG)
        assert any(t.endswith("✓ Send it") for t in fake.transcript(YOUNG))
        answers = [p.get("text") for m, p in fake.calls if m == "answerCallbackQuery"]
        assert texts.CHOICE_CLOSED in answers

        fake.text(YOUNG, "or write to ana.pop2009@gmail.com", lang="en")
        await fake.settled()
        assert fake.bot_texts(YOUNG)[-1].startswith("This looks like an e-mail address.")
        fake.press(YOUNG, "Don't send")
        await fake.settled()
        assert fake.bot_texts(YOUNG)[-1] == "Okay, I did not send it."
        assert not any("ana.pop2009" in t for t in fake.topic_texts(STAFF, thread))
        assert "ana.pop2009" not in redis_dump(redis_url)
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name != "aiohttp.access")
    assert "0722" not in logged
    assert "ana.pop2009" not in logged


async def test_typed_contact_details_in_the_youngest_words(
    fake: FakeTelegram, desk_bot: Any
) -> None:
    async with desk_bot():
        thread = await youngest_case_opened(fake, "en")
        fake.text(YOUNG, "my insta is @ana_pop_09", lang="en")
        await fake.settled()
        assert fake.bot_texts(YOUNG)[-1] == (
            "This looks like a username. A grown-up from our team will see it. Send it?"
        )
        fake.text(YOUNG, "hello?", lang="en")  # typing on instead of a tap
        await fake.settled()
        await fake.wait_for(lambda: any("hello?" in t for t in fake.topic_texts(STAFF, thread)))
        assert (
            "I did not send your earlier message. To send it, please write it again."
            in fake.bot_texts(YOUNG)
        )
        assert not any("ana_pop_09" in t for t in fake.topic_texts(STAFF, thread))
