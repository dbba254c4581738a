"""The fault suite: the real bot process, real Redis, the stand-in Bot API doing what
Telegram and networks do. Loopback only, bounded time (a few minutes in all).

Shapes, chosen so the suite fits in CI:

- fast limits: 5,000 updates across 500 chats (10 each, every one delivered three times),
  with 429s, 5xx, sends performed without an answer, unreadable updates inside batches,
  and the bot SIGKILLed twice mid-run;
- Telegram's real limits (1 msg/s per chat, 30/s per bot): 1,000 updates across 500 chats
  (two each: 1,000 replies take ~35 s at 30/s), SIGKILLed while most replies still wait;
- Redis stopped and started empty while updates arrive and replies wait;
- webhook mode: 1,000 updates across 100 chats posted like Telegram posts them, the same
  faults, SIGKILLed mid-run and restarted on the same address.

Each prints its figures; each asserts 0 replies lost, 0 unexpected replies, per-chat
order, at most one repeat of a reply (only where an answer was lost or the process was
killed), 0 duplicate effects beyond that, and answering again within 5 s of a restart.
"""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import dataclass

import pytest

from tests.fixtures.redis import RedisProcess
from tests.telegram.faults.conftest import (
    SCRIPT,
    BotProcess,
    Check,
    check,
    dead_letters,
    feedback_records,
    poison,
    push_script,
    report,
    wait_until,
)
from tests.telegram.faults.fake import Faults, FaultyTelegram

pytestmark = pytest.mark.redis

REFERENCE_CHAT = 7700000000
FAULTS = Faults(repeat=3, flood=0.01, unavailable=0.01, drop=0.005)


def chats(n: int) -> list[int]:
    return [7710000000 + i for i in range(n)]


async def reference(fake: FaultyTelegram) -> list[str]:
    """What one chat is told for the script, on a bot without faults."""
    push_script(fake, [REFERENCE_CHAT], SCRIPT)
    await wait_until(lambda: len(fake.texts_by_chat()[REFERENCE_CHAT]) >= len(SCRIPT), 60,
                     "the reference chat")  # fmt: skip
    said = fake.texts_by_chat()[REFERENCE_CHAT]
    assert len(set(said)) == len(SCRIPT), said  # ten different replies
    return said


def answered_after(fake: FaultyTelegram, since: float) -> float | None:
    times = [t for t, _, _ in fake.performed if t >= since]
    return min(times) - since if times else None


@dataclass
class Restart:
    started: float  # seconds from the restart (spawn) to the first reply
    up: float  # seconds from the process being up (its getMe) to the first reply


async def kill_and_restart(fake: FaultyTelegram, bot: BotProcess, ready: str) -> Restart:
    """SIGKILL, start again at once. How long until it answers again: from the spawn
    (includes starting Python, which a loaded CI machine makes slow) and from getMe."""
    await bot.kill()
    before = fake.count(ready)
    await bot.start()
    started = bot.started
    await wait_until(lambda: fake.count(ready) > before, 60, "the bot to start again")
    await wait_until(lambda: answered_after(fake, started) is not None, 30, "an answer")
    took = answered_after(fake, started)
    up = fake.first_call("getMe", started)
    assert took is not None
    assert up is not None
    return Restart(round(took, 2), round(took - up, 2))


def assert_clean(result: Check, allowed_repeats: int) -> None:
    assert result.lost == 0
    assert result.wrong == 0
    assert result.out_of_order == 0
    assert result.max_copies <= 2
    assert result.repeated <= allowed_repeats


async def test_faults_5000_updates_500_chats_fast_limits(
    faulty: FaultyTelegram, fault_env: dict[str, str], redis_url: str
) -> None:
    started = time.monotonic()
    bot = BotProcess(fault_env, redis_url, "aiogram", "fast")
    await bot.start()
    try:
        await wait_until(lambda: faulty.count("deleteWebhook") >= 1, 60, "the bot to start")
        expected = await reference(faulty)
        faulty.faults = FAULTS
        people = chats(500)
        updates = 0
        for n, text in enumerate(SCRIPT):
            updates += push_script(faulty, people, (text,))
            if n % 2 == 0:
                poison(faulty)  # inside a batch, between everyone else's updates
        restarts = []
        total = len(people) * len(SCRIPT)
        for share in (1 / 3, 2 / 3):
            await wait_until(lambda s=share: len(faulty.performed) >= s * total, 120, "load")
            restarts.append(await kill_and_restart(faulty, bot, "deleteWebhook"))
        done = lambda: check(faulty, people, expected).lost == 0  # noqa: E731
        await wait_until(lambda: done() and faulty.polling_pending() == 0, 180, "all replies")
        await asyncio.sleep(1.5)  # room for a wrong late repeat to show up
        await bot.stop()
    finally:
        await bot.stop()
    result = check(faulty, people, expected)
    records = feedback_records(fault_env["db"]) - 1  # the reference chat's
    # What may repeat: a message whose answer was dropped, or in flight at a kill.
    allowed = faulty.counts.drops + 2 * 150
    report("fast limits, polling, aiogram", {
        "updates": updates, "chats": len(people), "deliveries": updates * FAULTS.repeat,
        "replies_expected": total, "lost": result.lost, "wrong": result.wrong,
        "out_of_order_chats": result.out_of_order, "repeated": result.repeated,
        "max_copies": result.max_copies, "answers_dropped": faulty.counts.drops,
        "429s": faulty.counts.floods, "5xx": faulty.counts.unavailable,
        "kills": len(bot.kills),
        "first_answer_after_restart_s": [r.started for r in restarts],
        "first_answer_after_process_up_s": [r.up for r in restarts],
        "feedback_records": records, "dead_letters": dead_letters(redis_url),
        "apologies": result.kind_words, "seconds": round(time.monotonic() - started, 1),
    })  # fmt: skip
    assert_clean(result, allowed)
    assert all(r.up < 5.0 for r in restarts)
    # One record per young person, also when a kill fell between a feedback write and
    # its turn's commit: the replayed turn stores under the same receipt.
    assert records == len(people)
    # Five unreadable updates, set aside at each delivery (and again if a kill made
    # Telegram deliver their batch once more).
    assert dead_letters(redis_url) >= 5 * FAULTS.repeat


async def test_faults_real_limits_killed_with_replies_queued(
    faulty: FaultyTelegram, fault_env: dict[str, str], redis_url: str
) -> None:
    started = time.monotonic()
    bot = BotProcess(fault_env, redis_url, "ptb", "real")
    await bot.start()
    try:
        await wait_until(lambda: faulty.count("deleteWebhook") >= 1, 60, "the bot to start")
        expected = (await reference(faulty))[:2]
        faulty.faults = Faults(repeat=3, flood=0.005, unavailable=0.005, drop=0.005)
        people = chats(500)
        loaded = time.monotonic()
        updates = push_script(faulty, people, SCRIPT[:2])
        total = len(people) * 2
        # Every update is handled and confirmed long before its reply can leave.
        await wait_until(
            lambda: faulty.polling_pending() == 0,
            60,
            "updates confirmed",
            lambda: (faulty.polling_pending(), len(faulty.performed)),
        )
        await wait_until(lambda: len(faulty.performed) >= 0.4 * total, 60, "some replies")
        waiting = total + len(expected) - len(faulty.performed)
        restart = await kill_and_restart(faulty, bot, "deleteWebhook")
        await wait_until(lambda: check(faulty, people, expected).lost == 0, 120, "all replies")
        await asyncio.sleep(1.5)
    finally:
        await bot.stop()
    result = check(faulty, people, expected)
    sends = [t for t, chat, _ in faulty.performed if chat != REFERENCE_CHAT]
    peak_bot, peak_chat = faulty.peak_rates()
    # A process starts with a full bucket (a burst of 30): leave those seconds out too.
    starts = [min(t for t in sends if t >= s) for s in (loaded, bot.started)]
    steady_bot, _ = faulty.peak_rates(skip=[(t, t + 2.0) for t in starts])
    steady_bot_10s, _ = faulty.peak_rates(skip=[(t, t + 2.0) for t in starts], window=10.0)
    rate = len(sends) / (max(sends) - min(sends))
    stall = faulty.worst_stall()
    report("real limits, polling, ptb", {
        "updates": updates, "chats": len(people), "replies_expected": total,
        "replies_waiting_at_kill": waiting, "lost": result.lost, "wrong": result.wrong,
        "out_of_order_chats": result.out_of_order, "repeated": result.repeated,
        "max_copies": result.max_copies, "answers_dropped": faulty.counts.drops,
        "429s": faulty.counts.floods, "5xx": faulty.counts.unavailable,
        "first_answer_after_restart_s": restart.started,
        "first_answer_after_process_up_s": restart.up, "mean_msgs_per_s": round(rate, 1),
        "peak_msgs_in_1s_bot": peak_bot, "steady_peak_msgs_in_1s_bot": steady_bot,
        "steady_peak_msgs_in_10s_bot": steady_bot_10s,
        "peak_msgs_in_1s_chat": peak_chat, "observer_worst_stall_s": round(stall, 2),
        "seconds": round(time.monotonic() - started, 1),
    })  # fmt: skip
    assert waiting > 0.4 * total  # the kill really caught replies waiting
    assert_clean(result, faulty.counts.drops + 60)
    assert restart.up < 5.0
    assert rate <= 31.0
    # What the sender promises: 30 leave in any second, and at most 30 are on their way
    # at once (sender.py), so the stand-in Telegram (which stamps a message while it is on
    # its way) counts at most 30 * W + 30 in any W seconds from one process, however late
    # either side's loop ran; across the kill, the old process's last 30 on their way too.
    assert steady_bot_10s <= 30 * 10 + 30 + 30
    assert peak_bot <= 30 + 30 + 30 + 30  # the new process's first second is in here
    assert peak_chat <= 6  # a burst of 3 per chat, and once more after the restart


async def test_faults_redis_stopped_and_started_empty(
    faulty: FaultyTelegram, fault_env: dict[str, str], redis_restartable: RedisProcess
) -> None:
    bot = BotProcess(fault_env, redis_restartable.url, "aiogram", "chat")
    await bot.start()
    people = chats(100)
    language = "Which language would you like?"
    try:
        await wait_until(lambda: faulty.count("deleteWebhook") >= 1, 60, "the bot to start")
        push_script(faulty, people, ("/start",) * 3)  # 3 replies each; 1 msg/s per chat
        await wait_until(lambda: len(faulty.performed) >= 100, 60, "some replies")
        redis_restartable.stop()
        queued_at_stop = 300 - len(faulty.performed)
        push_script(faulty, people, ("/start",))  # arrive while Redis is down
        await asyncio.sleep(3.0)
        redis_restartable.start()  # empty: every session and mark is gone
        back = time.monotonic()
        asked = lambda: sum(language in t for _, _, t in faulty.performed)  # noqa: E731
        # 400 answers and the apologies sent while Redis was down share 30 messages a
        # second: about 20 s of sending, which a loaded 2-core machine can stretch past 60.
        await wait_until(lambda: asked() >= 400, 150, "every update answered")
        latest = [t for t, _, text in faulty.performed if language in text]
        await asyncio.sleep(1.5)
    finally:
        await bot.stop()
    by_chat = faulty.texts_by_chat()
    counts = [sum(language in t for t in by_chat[c]) for c in people]
    resumed = min(t for t in latest[-100:]) - back
    report("Redis stopped 3 s and started empty, polling, aiogram", {
        "updates": 400, "chats": len(people), "replies_queued_at_stop": queued_at_stop,
        "lost": sum(max(0, 4 - n) for n in counts), "repeated": sum(max(0, n - 4) for n in counts),
        "apologies": sum(t.startswith("Sorry") for _, _, t in faulty.performed),
        "answering_again_after_redis_start_s": round(max(0.0, resumed), 2),
    })  # fmt: skip
    assert counts == [4] * len(people)
    assert resumed < 5.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_faults_webhook_1000_updates_killed_mid_run(
    faulty: FaultyTelegram, fault_env: dict[str, str], redis_url: str
) -> None:
    started = time.monotonic()
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    faulty.webhook_mode = True
    bot = BotProcess(fault_env, redis_url, "ptb", "fast", webhook=url, listen=f"127.0.0.1:{port}")
    await bot.start()
    try:
        await wait_until(lambda: faulty.webhook is not None, 60, "the webhook")
        expected = await reference(faulty)
        faulty.faults = FAULTS
        people = chats(100)
        updates = 0
        for n, text in enumerate(SCRIPT):
            updates += push_script(faulty, people, (text,))
            if n % 2 == 0:
                poison(faulty)
        total = len(people) * len(SCRIPT)
        await wait_until(lambda: len(faulty.performed) >= total / 2, 120, "load")
        restart = await kill_and_restart(faulty, bot, "setWebhook")
        done = lambda: check(faulty, people, expected).lost == 0  # noqa: E731
        await wait_until(lambda: done() and faulty.webhook_pending() == 0, 180, "all replies")
        await asyncio.sleep(1.5)
    finally:
        await bot.stop()
    result = check(faulty, people, expected)
    records = feedback_records(fault_env["db"]) - 1
    report("webhook, ptb", {
        "updates": updates, "chats": len(people), "posts": faulty.counts.posts,
        "post_failures": faulty.counts.post_failures, "replies_expected": total,
        "lost": result.lost, "wrong": result.wrong, "out_of_order_chats": result.out_of_order,
        "repeated": result.repeated, "max_copies": result.max_copies,
        "answers_dropped": faulty.counts.drops, "429s": faulty.counts.floods,
        "5xx": faulty.counts.unavailable, "first_answer_after_restart_s": restart.started,
        "first_answer_after_process_up_s": restart.up,
        "feedback_records": records, "dead_letters": dead_letters(redis_url),
        "seconds": round(time.monotonic() - started, 1),
    })  # fmt: skip
    assert_clean(result, faulty.counts.drops + 150)
    assert restart.up < 5.0
    assert records == len(people)
    assert dead_letters(redis_url) >= 5 * FAULTS.repeat
