"""Tap to next question through the stand-in Bot API server (not a test).

    .venv/bin/python benchmarks/tap_latency.py [--chats 50] [--think 3 7]

`safevoice run` as the tests start it (production runtime on a throwaway Redis, the
aiogram transport, long polling, the durable outbox and Telegram's real limits) talks
HTTP to tests/telegram/fake_api.py. `--chats` young people go through the 16-17 service
feedback at once, each reading every question for a random `--think` seconds (uniform)
before tapping. Measured per tap (or typed answer): from the update's arrival at the
stand-in server to the next question (the next sendMessage) in that chat; and the
most messages (sendMessage, editMessageText) the bot sent in any one second, as they
left the sender and as they arrived at the stand-in server (which shares the bot's event
loop: a busy loop bunches arrivals). One young
person goes through first, unmeasured: a process's first typed text loads the text checks.

Two variants in one run, alternating: "safevoice" as built, and "own slot" - the same
bot with the "✓" edit taking a per-chat slot of its own and the bot's bucket allowing a
burst of 30 (how it sent before).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from telegram_throughput import throwaway_redis  # noqa: E402

from bot.app import load_app  # noqa: E402
from bot.channels.telegram import sender as sender_module  # noqa: E402
from bot.channels.telegram.limiter import Limits  # noqa: E402
from bot.channels.telegram.polling import Poller  # noqa: E402
from bot.channels.telegram.runtime import build  # noqa: E402
from bot.runtime import build_runtime  # noqa: E402
from tests.telegram.fake_api import FakeTelegram  # noqa: E402

TOKEN = "123456:BENCH-token-abcdefghijklmnopqrstuvwxyz"  # noqa: S105 - fake
MESSAGES = ("sendMessage", "editMessageText", "copyMessage", "deleteMessages")


class TimedFake(FakeTelegram):
    """Notes when each message call arrived, and wakes whoever waits for a chat's next
    question."""

    def __init__(self) -> None:
        super().__init__()
        self.sent_at: list[float] = []
        self.question: dict[int, asyncio.Event] = defaultdict(asyncio.Event)

    async def _handle(self, request: Any) -> Any:
        if request.match_info["method"] in MESSAGES:
            self.sent_at.append(time.monotonic())
        return await super()._handle(request)

    async def _sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        message = await super()._sendMessage(params)
        self.question[int(params["chat_id"])].set()
        return message


def write_config(tmp: Path, api_base: str) -> Path:
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = re.sub(r'api_base = ".*"', f'api_base = "{api_base}"', text)
    text = text.replace('flows_dir = "flows"', f'flows_dir = "{ROOT / "flows"}"')
    text = text.replace('locales_dir = "locales"', f'locales_dir = "{ROOT / "locales"}"')
    text = text.replace("[web]\n", '[web]\npublic_url = "https://feedback.example.org"\n', 1)
    path = tmp / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


@contextlib.asynccontextmanager
async def running_bot(config: Path, limits: Limits) -> AsyncIterator[Any]:
    app = load_app(config)
    runtime = build_runtime(app, "run")
    bot = await build(runtime, library="aiogram", limits=limits)
    bot.left_at = []  # when the sender handed each message to the transport
    for name in ("send_message", "edit_message"):
        call = getattr(bot.transport, name)

        async def stamped(*args: Any, _call: Any = call, **kwargs: Any) -> Any:
            bot.left_at.append(time.monotonic())
            return await _call(*args, **kwargs)

        setattr(bot.transport, name, stamped)
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(Poller(bot.transport, bot.channel, timeout=1).run(stop)),
        asyncio.create_task(bot.drain.run(stop)) if bot.drain else None,
    ]
    try:
        yield bot
    finally:
        stop.set()
        for task in tasks:
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await bot.close()
        await runtime.close()


def choose(labels: list[str], data: list[str]) -> str:
    for label, d in zip(labels, data, strict=True):
        if d.endswith("|16-17") or d.endswith("|en"):
            return label
    done = [x for x in labels if x.endswith("Done")]
    return done[0] if done else labels[0]


async def young_person(
    fake: TimedFake, chat: int, think: tuple[float, float], rng: random.Random,
    waits: list[float], steps: int = 10,
) -> None:  # fmt: skip
    event = fake.question[chat]
    event.clear()
    fake.text(chat, "/start")
    await asyncio.wait_for(event.wait(), 30)
    for _ in range(steps):
        await asyncio.sleep(rng.uniform(*think))
        last = max(fake.chats[chat])
        shown = fake.chats[chat][last]
        event.clear()
        t0 = time.monotonic()
        if not shown.keyboard:
            fake.text(chat, "More activities at weekends, please.")
        else:
            labels = [b["text"] for row in shown.keyboard for b in row]
            data = [b["callback_data"] for row in shown.keyboard for b in row]
            fake.press(chat, choose(labels, data))
        try:
            await asyncio.wait_for(event.wait(), 10)
        except TimeoutError:
            return  # the end of the survey: nothing more is asked
        waits.append(time.monotonic() - t0)


def busiest_second(times: list[float]) -> int:
    times = sorted(times)
    most, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - 1.0:
            j += 1
        most = max(most, i - j + 1)
    return most


async def one(
    name: str, config: Path, fake: TimedFake, args: argparse.Namespace, base: int
) -> dict[str, Any]:
    own_slot = name == "own slot"
    original = sender_module._rides_along
    if own_slot:
        sender_module._rides_along = lambda action, following: False  # type: ignore[assignment]
    limits = Limits(bot_burst=30) if own_slot else Limits()
    waits: list[float] = []
    try:
        async with running_bot(config, limits) as bot:
            # Warm-up: the first typed text of a process loads the text checks (seconds).
            await young_person(fake, base + 999, (0.0, 0.1), random.Random(0), [])
            fake.sent_at.clear()
            bot.left_at.clear()
            rng = random.Random(base)
            await asyncio.gather(*(
                young_person(fake, base + i, tuple(args.think), rng, waits)
                for i in range(args.chats)
            ))  # fmt: skip
            busiest = busiest_second(fake.sent_at)
            left = busiest_second(bot.left_at)
    finally:
        sender_module._rides_along = original
    waits.sort()
    return {
        "variant": name,
        "taps": len(waits),
        "median s": round(statistics.median(waits), 3),
        "p99 s": round(waits[min(len(waits) - 1, int(len(waits) * 0.99))], 3),
        "max s": round(waits[-1], 3),
        "most msgs in 1 s (sent)": left,
        "(arrived)": busiest,
    }


async def main(args: argparse.Namespace, redis_url: str) -> None:
    fake = TimedFake()
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        config = write_config(Path(tmp), fake.url)
        os.environ.update({
            "SAFEVOICE_TELEGRAM_TOKEN": TOKEN,
            "SAFEVOICE_SECRET_KEY": "bench-secret-key-tap-latency-not-for-use",
            "SAFEVOICE_REDIS_URL": redis_url,
            "SAFEVOICE_DATABASE_URL": f"sqlite:///{Path(tmp) / 'feedback.db'}",
        })  # fmt: skip
        rows = []
        for n in range(args.rounds):
            for i, name in enumerate(("safevoice", "own slot")):
                rows.append(await one(name, config, fake, args, 7_000_000 + n * 10_000 + i * 1000))
    await fake.stop()
    print(f"{args.chats} chats at once, thinking {args.think[0]}-{args.think[1]} s per question")
    for row in rows:
        print("  ".join(f"{k}: {v}" for k, v in row.items()))


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("--chats", type=int, default=50)
    p.add_argument("--think", type=float, nargs=2, default=[3.0, 7.0])
    p.add_argument("--rounds", type=int, default=1)
    return p.parse_args()


if __name__ == "__main__":
    arguments = parse()
    with throwaway_redis() as url:
        asyncio.run(main(arguments, url))
