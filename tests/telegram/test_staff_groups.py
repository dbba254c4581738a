"""Staff groups per organisation on Telegram, end to end on both adapters: a request for a
person about the shelter goes to the independent safeguarding group, never to another
organisation's group; in a group only the claiming worker closes or writes notes.

The deployment: `staff_groups = { safeguarding = GUARD, health = HEALTH }` and requests
about legal aid answered by the health organisation (`[handoff.routes]`)."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.app import load_app
from bot.channels.telegram.polling import Poller
from bot.channels.telegram.runtime import Bot
from tests.telegram.conftest import close_bot, open_bot, write_config
from tests.telegram.fake_api import FakeTelegram
from tests.telegram.test_staff_desk import COLLEAGUE, WORKER, WORKER_ID, press_value

GUARD = -1001000000001
HEALTH = -1001000000002
YOUNG = 7701234567
OTHER_YOUNG = 7701234568
NURSE = {"id": 5550009, "is_bot": False, "first_name": "Nora", "username": "nora_tg"}
LEAD = {"id": 5550010, "is_bot": False, "first_name": "Lidia", "username": "lidia_tg"}


@pytest.fixture
def groups_bot(
    fake: FakeTelegram, tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch,
    library: str,
) -> Callable[[], contextlib.AbstractAsyncContextManager[Bot]]:  # fmt: skip
    path = write_config(tmp_path, fake.url)
    text = path.read_text(encoding="utf-8")
    # No office hours: workers answer around the clock.
    text = re.sub(r"\n\[handoff\.hours\]\n(?:[a-z]{3} = .*\n)*", "\n", text)
    groups = f"staff_groups = {{ safeguarding = {GUARD}, health = {HEALTH} }}"
    text = text.replace("[telegram]\n", f"[telegram]\n{groups}\n", 1)
    path.write_text(text + '\n[handoff.routes]\nlegal_aid = "health"\n', encoding="utf-8")
    monkeypatch.setenv("SAFEVOICE_TELEGRAM_TOKEN", "123456:TEST-token-abcdefghijklmnopqrstuvwxyz")
    monkeypatch.setenv("SAFEVOICE_SECRET_KEY", "test-secret-key-for-telegram-tests")
    monkeypatch.setenv("SAFEVOICE_REDIS_URL", redis_url)
    monkeypatch.setenv("SAFEVOICE_DATABASE_URL", f"sqlite:///{tmp_path / 'feedback.db'}")
    fake.members = {
        WORKER_ID: "member",
        COLLEAGUE["id"]: "member",
        NURSE["id"]: "member",
        LEAD["id"]: "administrator",
    }  # the group's admin: a supervisor

    @contextlib.asynccontextmanager
    async def start() -> AsyncIterator[Bot]:
        bot = await open_bot(load_app(path), library)
        assert [desk.chat_id for desk in bot.desks] == [GUARD, HEALTH]
        for desk in bot.desks:
            desk.tick = 0.05
        stop = asyncio.Event()
        tasks = [
            asyncio.create_task(Poller(bot.transport, bot.channel, timeout=1).run(stop)),
            asyncio.create_task(bot.background(stop)),
        ]
        for desk in bot.desks:
            await asyncio.wait_for(desk.ready.wait(), 5)
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


async def ask_about(fake: FakeTelegram, chat: int, code: str) -> None:
    fake.text(chat, f"/start {code}", lang="ro")
    await fake.settled()
    for value in ("ro", "13-15", "person"):
        press_value(fake, chat, value)
        await fake.settled()


async def say(fake: FakeTelegram, group: int, thread: int | None, text: str,
              who: dict[str, Any]) -> None:  # fmt: skip
    fake.staff_message(group, who, thread, text=text)
    await fake.settled()


def calls_to(fake: FakeTelegram, chat: int) -> list[str]:
    return [method for method, params in fake.calls if params.get("chat_id") == chat]


async def test_a_shelter_case_goes_to_the_safeguarding_group_and_only_its_claimer_closes_it(
    fake: FakeTelegram, groups_bot: Any
) -> None:
    async with groups_bot() as bot:
        await ask_about(fake, YOUNG, "sh1")
        await fake.wait_for(lambda: len(fake.topics[GUARD]) == 1)
        await fake.settled()
        assert fake.topics[HEALTH] == {}
        thread, name = next(iter(fake.topics[GUARD].items()))
        label = name.split(" ")[0]
        told = "\n".join(fake.bot_texts(YOUNG))
        assert (
            "Persoana care îți răspunde nu lucrează pentru serviciul despre care ne-ai spus "
            "(Centrul de găzduire)." in told
        )
        # The health group's /queue does not list it; nothing of it is posted there.
        await say(fake, HEALTH, None, "/queue", NURSE)
        assert fake.topic_texts(HEALTH, None)[-1] == "No open cases."
        await say(fake, GUARD, thread, "/claim Ana", WORKER)
        await fake.wait_for(lambda: "Ana" in "\n".join(fake.bot_texts(YOUNG)))
        fake.text(YOUNG, "Nu mă simt bine acolo", lang="ro")
        await fake.settled()
        await fake.wait_for(lambda: any("Nu mă simt" in t for t in fake.topic_texts(GUARD, thread)))
        assert all(method != "createForumTopic" for method in calls_to(fake, HEALTH))
        assert not any("Nu mă simt" in t for t in fake.topic_texts(HEALTH, None))

        # A colleague in the same group cannot close it or write notes on it.
        before = len(fake.bot_texts(YOUNG))
        await say(fake, GUARD, thread, "/close", COLLEAGUE)
        await say(fake, GUARD, thread, "/note she closed it", COLLEAGUE)
        refusals = [t for t in fake.topic_texts(GUARD, thread) if "answered by Ana" in t]
        assert len(refusals) == 2, fake.topic_texts(GUARD, thread)
        case = await bot.cases.get(label)
        assert case is not None
        assert (case.status, case.worker_name) == ("claimed", "Ana")
        assert await bot.cases.notes(label) == []
        assert len(fake.bot_texts(YOUNG)) == before

        # A legal aid request goes to the health group, not the safeguarding one.
        await ask_about(fake, OTHER_YOUNG, "la1")
        await fake.wait_for(lambda: len(fake.topics[HEALTH]) == 1)
        await fake.settled()
        assert len(fake.topics[GUARD]) == 1
        await say(fake, GUARD, None, "/queue", WORKER)
        listed = fake.topic_texts(GUARD, None)[-1]
        assert label in listed
        assert "legal_aid" not in listed

        # The group's admin supervises: closing Ana's case needs a reason, and then the
        # young person hears the supervisor's name, not Ana's.
        await say(fake, GUARD, None, "/name Lina", LEAD)
        await say(fake, GUARD, thread, "/close", LEAD)
        assert "choose why" in fake.topic_texts(GUARD, thread)[-1]
        await say(fake, GUARD, thread, "/close ended", LEAD)
        await fake.wait_for(lambda: any("Lina a încheiat conversația" in t
                                        for t in fake.bot_texts(YOUNG)))  # fmt: skip
        assert not any("Ana a încheiat" in t for t in fake.bot_texts(YOUNG))
        entries = [(e.actor, e.action, e.detail) for e in bot.feedback.audit_entries(50)]
        assert (f"tg:{LEAD['id']}", "case.close", f"{label} reason=ended") in entries
