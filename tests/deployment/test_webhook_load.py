"""Two `safevoice run --webhook` processes (aiogram and python-telegram-bot) take 5,000
updates from 500 young people, spread over both as a load balancer would.

As Telegram does, each chat's updates are posted in order, each only after the answer to
the previous one; different chats go at the same time. Some updates are posted again, to
the other process, afterwards or at the same moment. What the stand-in Bot API recorded
per chat must be exactly one reply per update, in order: nothing lost, nothing twice.
"""

from __future__ import annotations

import asyncio
import random
import time

import pytest

from bot.runtime import open_database
from bot.storage.records import FeedbackFilters
from tests.deployment.conftest import Deployment

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.asyncio(loop_scope="package")]

CHATS = 500
BASE = 7_400_000_000
# Ten typed updates: a whole feedback conversation, each answered by one new message.
SCRIPT = ["/start", "English", "13-15", "Give feedback", "The shelter", "4", "yes", "5",
          "The people", "More trips to the sea"]  # fmt: skip
REPLIES = [
    "Hi! This is SafeVoice.",
    "How old are you?",
    "Welcome.",
    "Thanks for helping.",
    "Overall, how",
    "Do you feel safe there?",
    "Do the adults there listen",
    "What is good there?",
    "You picked 1 answer.",
    "Thank you. Your answers are kept",
]
# How many young people write at the same time.
CONCURRENT = 100


async def test_5000_updates_over_two_webhook_processes_none_lost_none_twice_in_order(
    deployment: Deployment,
) -> None:
    d = deployment
    runs = (d.run_a, d.run_b)
    reposted = 0

    async def young_person(n: int, gate: asyncio.Semaphore) -> None:
        nonlocal reposted
        chat, rng = BASE + n, random.Random(n)
        async with gate:
            for step, text in enumerate(SCRIPT):
                update = d.updates.text(chat, text)
                which = rng.randrange(2)
                if n % 10 == 5 and step == 4:
                    # Delivered to both at once (a retry racing the first attempt).
                    statuses = await asyncio.gather(*(d.post(run, update) for run in runs))
                    reposted += 1
                else:
                    statuses = [await d.post(runs[which], update)]
                if n % 10 == 0 and step in (1, 6):
                    # Delivered again later, to the other process (an answer that got lost).
                    statuses.append(await d.post(runs[1 - which], update))
                    reposted += 1
                assert statuses == [200] * len(statuses), (chat, step, statuses)

    started = time.monotonic()
    gate = asyncio.Semaphore(CONCURRENT)
    await asyncio.gather(*(young_person(n, gate) for n in range(CHATS)))
    posted = time.monotonic() - started
    total = CHATS * len(SCRIPT)

    def sent() -> int:
        return sum(len(d.sent_to(BASE + n)) for n in range(CHATS))

    await d.fake.wait_for(lambda: sent() >= total, timeout=180)
    await asyncio.sleep(2.0)  # room for a late second answer to show up
    answered = time.monotonic() - started
    print(f"\n{total} updates (+{reposted} posted again): all answered over HTTP in "
          f"{posted:.1f} s, all replies at the Bot API in {answered:.1f} s")  # fmt: skip
    wrong = {}
    for n in range(CHATS):
        said = d.sent_to(BASE + n)
        if len(said) != len(REPLIES) or not all(
            text.startswith(reply) for text, reply in zip(said, REPLIES, strict=True)
        ):
            wrong[BASE + n] = [text[:30] for text in said]
    assert not wrong, f"{len(wrong)} chats: {list(wrong.items())[:3]}"
    # And each conversation's feedback was recorded once, in the one PostgreSQL database.
    shelter = FeedbackFilters(services=("shelter",), flow_id="service_feedback")
    url = d.env["SAFEVOICE_DATABASE_URL"]
    with open_database(d.config, url=url, migrate=False) as database:
        assert await asyncio.to_thread(database.store.count, shelter) == CHATS
