"""The fault suite's pieces: the faulty stand-in Bot API, the bot as a real process (so it
can be SIGKILLed), the script every chat follows, the checks, and the figures printed at
the end of the run (pytest's terminal summary; `pytest -s` shows them as they come)."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.channels.telegram import texts
from tests.telegram.conftest import ROOT, SECRET, TOKEN, write_config
from tests.telegram.faults.fake import FaultyTelegram

# What each young person types, in order: ten updates, ten different replies.
SCRIPT = ("/start", "English", "13 to 15", "Give feedback", "The shelter", "3", "Yes", "4",
          "The food", "More time outside")  # fmt: skip
# Said besides the script's replies when things go wrong; allowed, counted apart.
KIND_WORDS = (texts.TROUBLE, texts.BROKEN)
BOT_ID = TOKEN.partition(":")[0]

FIGURES: list[str] = []


def report(name: str, figures: dict[str, Any]) -> None:
    line = f"{name}: " + ", ".join(f"{k}={v}" for k, v in figures.items())
    FIGURES.append(line)
    print("\n" + line, flush=True)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FIGURES:
        terminalreporter.section("fault suite figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture
async def faulty() -> AsyncIterator[FaultyTelegram]:
    server = FaultyTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def fault_env(faulty: FaultyTelegram, tmp_path: Path) -> dict[str, str]:
    config = write_config(tmp_path, faulty.url)
    return {
        "config": str(config),
        "SAFEVOICE_TELEGRAM_TOKEN": TOKEN,
        "SAFEVOICE_SECRET_KEY": SECRET,
        "SAFEVOICE_DATABASE_URL": f"sqlite:///{tmp_path / 'feedback.db'}",
        "db": str(tmp_path / "feedback.db"),
        "log": str(tmp_path / "bot.log"),  # the bot's own log (no ids, no texts)
    }


@dataclass
class BotProcess:
    """`safevoice run` (tests/telegram/faults/bot_process.py) as a child process."""

    env: dict[str, str]
    redis_url: str
    library: str
    limits: str
    webhook: str | None = None
    listen: str = "127.0.0.1:0"
    proc: asyncio.subprocess.Process | None = None
    started: float = 0.0
    kills: list[float] = field(default_factory=list)

    async def start(self) -> None:
        args = ["-m", "tests.telegram.faults.bot_process", "--config", self.env["config"],
                "--library", self.library, "--limits", self.limits]  # fmt: skip
        if self.webhook:
            args += ["--webhook", self.webhook, "--listen", self.listen]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "SAFEVOICE_REDIS_URL": self.redis_url,
               **{k: v for k, v in self.env.items() if k.startswith("SAFEVOICE_")}}  # fmt: skip
        self.started = time.monotonic()
        with open(self.env["log"], "ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, *args, cwd=ROOT, env=env,
                stdout=asyncio.subprocess.DEVNULL, stderr=log,
            )  # fmt: skip

    async def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()
        self.kills.append(time.monotonic())

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 20)
            except TimeoutError:
                self.proc.send_signal(signal.SIGKILL)
                await self.proc.wait()


async def wait_until(check: Any, timeout: float, what: str, show: Any = None) -> None:
    deadline = time.monotonic() + timeout
    last = time.monotonic()
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting: {what}")
        if show is not None and time.monotonic() - last > 2:
            last = time.monotonic()
            print(what, show(), flush=True)
        await asyncio.sleep(0.05)


def push_script(fake: FaultyTelegram, chats: list[int], steps: tuple[str, ...]) -> int:
    """Step by step across all chats (so a batch holds many chats). Returns updates."""
    for text in steps:
        for chat in chats:
            fake.text(chat, text)
    return len(chats) * len(steps)


def poison(fake: FaultyTelegram) -> None:
    """An update neither library can read (a chat that is not an object)."""
    fake.push_raw({"message": {"message_id": 1, "date": 1700000000, "chat": "not-a-chat"}})


@dataclass
class Check:
    lost: int = 0
    wrong: int = 0  # replies that are not the script's (e.g. "please choose a button")
    out_of_order: int = 0
    repeated: int = 0  # messages that arrived twice
    max_copies: int = 0
    kind_words: int = 0


def check(fake: FaultyTelegram, chats: list[int], reference: list[str]) -> Check:
    by_chat = fake.texts_by_chat()
    result = Check()
    for chat in chats:
        said = by_chat.get(chat, [])
        result.kind_words += sum(1 for t in said if t in KIND_WORDS)
        said = [t for t in said if t not in KIND_WORDS]
        copies = Counter(said)
        result.lost += sum(1 for t in reference if t not in copies)
        result.wrong += sum(1 for t in copies if t not in reference)
        firsts = list(dict.fromkeys(t for t in said if t in reference))
        result.out_of_order += firsts != [t for t in reference if t in copies]
        result.repeated += sum(n - 1 for n in copies.values() if n > 1)
        result.max_copies = max([result.max_copies, *copies.values()])
    return result


def feedback_records(db: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM feedback_records").fetchone()[0])


def dead_letters(redis_url: str) -> int:
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        return int(client.llen(f"sv:dl:tg:{BOT_ID}"))
    finally:
        client.close()
