"""The composition root: what each mode builds, and that nothing else builds it."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import bot.privacy.names as names
from bot.app import App, load_app
from bot.channels.telegram.core import CHANNEL as TELEGRAM
from bot.errors import ConfigError, StorageError
from bot.i18n import detect
from bot.runtime import build_runtime, open_database
from bot.safety import ordinary
from bot.services.cases import HandoffService
from bot.storage.feedback import FeedbackStore
from bot.storage.memory import MemorySessionStore
from bot.storage.migrations import HEAD, current
from bot.storage.redis_outbox import RedisOutbox
from bot.storage.redis_pipe import PipeClient
from bot.storage.redis_sessions import RedisSessionStore
from bot.web.chat import CHANNEL as WEB
from tests.storage.test_migrations import make_0_1_0_database

ROOT = Path(__file__).resolve().parents[1]
SECRET = b"a-long-secret-key-for-the-runtime-tests-0123456789"
# Classes only bot/runtime.py (and the stores' own modules) may construct.
BUILT_BY_THE_RUNTIME = (
    "ConversationService", "HandoffService", "FeedbackService", "FeedbackStore",
    "AccountStore", "DeskNameStore", "TopicStore", "MemorySessionStore", "RedisSessionStore",
    "MemoryCaseStore", "RedisCaseStore", "MemoryCaseHub", "RedisCaseHub",
    "MemoryStaffSessions", "RedisStaffSessions", "MemoryLoginLimits", "RedisLoginLimits",
    "MemoryVisitorBoxes", "RedisVisitorBoxes", "MemoryLeaseStore", "RedisLeaseStore",
    "MemoryDeliveryQueue", "RedisDeliveryQueue", "MemoryTraceStore", "RedisTraceStore",
    "MemoryOutbox", "RedisOutbox", "MemoryDeadLetters", "RedisDeadLetters",
    "SqlAccountStore", "SqlMfaStore", "Accounts", "MemoryHandoffDesk", "MemoryPresenceStore",
    "RedisPresenceStore", "MemoryBlockStore", "RedisBlockStore",
)  # fmt: skip
ALLOWED = {"bot/runtime.py"}
# Where the tests and benchmarks may build them anyway, and why.
EXEMPT_FOLDERS = (
    # Every store's own suite (STYLE point 3) builds each implementation it tests.
    "tests/storage/",
    # The staff rules' suites (peppers, sealed keys) build the rules over a store, as a
    # store suite does, with keys of their own (two secrets, a rotation).
    "tests/staff/",
)
EXEMPT_FILES = {
    # The scheduler's suite runs the same checks over the memory and the Redis lease store
    # (N processes are N lease stores on one Redis), as a store suite does.
    "tests/services/test_scheduler.py",
    # Holds a session store's expiry with a clock of its own, as the store suite does.
    "tests/flows/test_privacy_promises.py",
}
# The runtime's own `Fixed(feedback=...)` hook: a factory the runtime calls with its store.
RUNTIME_HOOK = re.compile(r"feedback=lambda \w+: FeedbackService\(")


@contextlib.contextmanager
def as_it_is(url: str) -> Iterator[FeedbackStore]:
    """The database at `url` through the composition root, never migrated: what a test
    reads after a command or a process left it."""
    with open_database(ROOT / "config.toml", url=url, migrate=False) as database:
        yield database.store


@pytest.fixture(scope="module")
def app() -> App:
    return load_app(ROOT / "config.toml").with_secret(SECRET)


def test_only_the_runtime_constructs_stores_and_services() -> None:
    """Regression: `ConversationService` was built in five places, stores lived in the
    web and Telegram packages, and the benchmarks and tests wired their own copies."""
    pattern = re.compile(r"\b(" + "|".join(BUILT_BY_THE_RUNTIME) + r")\(")
    offenders = []
    for folder in ("bot", "benchmarks", "tests"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name in ALLOWED | EXEMPT_FILES or name.startswith(("bot/storage/", *EXEMPT_FOLDERS)):
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                code = RUNTIME_HOOK.sub("", line.split("#")[0])
                if pattern.search(code) and not re.search(r"\bclass \w+\(", code):
                    offenders.append(f"{name}:{number}: {line.strip()}")
    assert offenders == []


def test_the_edges_never_reach_into_the_engine() -> None:
    """Regression: the web preview called `Engine._enter_flow`."""
    offenders = []
    for folder in ("web", "channels"):
        for path in sorted((ROOT / "bot" / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            offenders += [f"{path.name}: {m}" for m in re.findall(r"engine\._\w+", text)]
    assert offenders == []


def test_chat_and_demo_use_the_real_handoff_service_on_memory(app: App) -> None:
    for mode in ("chat", "demo", "test"):
        runtime = build_runtime(app, mode, database_url="sqlite://")  # type: ignore[arg-type]
        try:
            assert isinstance(runtime.cases, HandoffService)
            assert isinstance(runtime.sessions, MemorySessionStore)
            assert not runtime.shared
            assert set(runtime.cases.deliverers) == {WEB, TELEGRAM}
        finally:
            runtime.store.close()


async def test_production_modes_share_redis(app: App, redis_url: str, tmp_path: Path) -> None:
    for mode in ("run", "serve"):
        runtime = build_runtime(app, mode, database_url=f"sqlite:///{tmp_path}/{mode}.db",
                                redis_url=redis_url)  # type: ignore[arg-type]  # fmt: skip
        try:
            await runtime.ping()
            assert runtime.shared
            assert isinstance(runtime.sessions, RedisSessionStore)
            assert runtime.topics is not None
        finally:
            await runtime.close()


@pytest.mark.parametrize("mode", ["run", "serve"])
def test_production_refuses_a_short_secret(app: App, mode: str) -> None:
    with pytest.raises(ConfigError, match="at least 32"):
        build_runtime(app.with_secret(b"short"), mode, database_url="sqlite://")  # type: ignore[arg-type]


async def test_production_creates_a_new_database_at_head(
    app: App, redis_url: str, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/new.db"
    runtime = build_runtime(app, "serve", database_url=url, redis_url=redis_url)
    await runtime.close()
    with as_it_is(url) as store:
        assert current(store.engine) == HEAD


def test_production_leaves_upgrading_an_existing_database_to_migrate(
    app: App, redis_url: str, tmp_path: Path
) -> None:
    """A rolling restart must not change the tables under the old processes: `serve`
    refuses a database that needs a migration and names the command."""
    url = f"sqlite:///{tmp_path}/old.db"
    with as_it_is(url) as store:
        make_0_1_0_database(store.engine)
    with pytest.raises(StorageError, match="safevoice migrate"):
        build_runtime(app, "serve", database_url=url, redis_url=redis_url)
    with as_it_is(url) as store:
        assert current(store.engine) is None  # untouched
    demo = build_runtime(app, "demo", database_url=url)  # demo and tests upgrade at once
    demo.store.close()
    with as_it_is(url) as store:
        assert current(store.engine) == HEAD


async def test_a_web_desk_answer_to_a_telegram_case_is_queued_for_telegram(
    app: App, redis_url: str, tmp_path: Path
) -> None:
    """Regression: the serve process registered its Telegram deliverer as "telegram"
    while cases map Telegram chats as "tg", so a web-desk worker's words were dropped."""
    from bot.channels.console import start_preset
    from bot.engine.inputs import Input

    serve = build_runtime(app, "serve", database_url=f"sqlite:///{tmp_path}/f.db",
                          redis_url=redis_url)  # fmt: skip
    run = build_runtime(app, "run", database_url=f"sqlite:///{tmp_path}/f.db",
                        redis_url=redis_url)  # fmt: skip
    try:
        await start_preset(run.conversation, TELEGRAM, 4242, "en", "16-17")
        await run.conversation.handle(TELEGRAM, 4242, Input.command("person"))
        [case] = await serve.cases.queue()
        await serve.cases.claim(case.label, "web:ana", "Ana")
        await serve.cases.relay_to_young_person(case.label, "web:ana", "Hello, I am Ana.")
        got = [await run.deliveries.pop(TELEGRAM, 2.0) for _ in range(2)]
        texts = [say.text for item in got if item is not None for say in item.events]
        assert all(item is not None and item.address == "4242" for item in got)
        assert "Ana: Hello, I am Ana." in texts
    finally:
        await serve.close()
        await run.close()


async def test_a_serving_processs_first_typed_text_waited_seconds_for_the_name_lists(
    app: App, redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen in the tap benchmark: after a restart the first typed text waited 6.2 s while
    the scrubber loaded its name lists and the detector its models. `serve` loads both
    before it takes a message."""
    monkeypatch.setattr(names, "_cache", [])
    detect._lingua.cache_clear()
    runtime = build_runtime(app, "serve", database_url=f"sqlite:///{tmp_path}/w.db",
                            redis_url=redis_url)  # fmt: skip
    try:
        assert names._cache  # loaded: the first scrub finds them there
        assert detect._lingua.cache_info().currsize == 1
    finally:
        await runtime.close()


async def test_a_restarted_bots_first_answer_waited_six_seconds_for_the_everyday_words(
    app: App, redis_url: str, tmp_path: Path
) -> None:
    """Seen in the fault suite: a bot killed and started again answered 6.1 s after its
    getMe, every chat waiting while the danger check read its everyday-word lists inside
    the first misspelt word. `run` reads them before it takes a message."""
    ordinary._ordinary.cache_clear()
    runtime = build_runtime(app, "run", database_url=f"sqlite:///{tmp_path}/w.db",
                            redis_url=redis_url)  # fmt: skip
    try:
        assert ordinary._ordinary.cache_info().currsize == 1
        read = ordinary._ordinary.cache_info().misses
        app.lexicon.match("ma3i mshkle")  # "mshkle" is near a danger word: lists asked
        assert ordinary._ordinary.cache_info().misses == read
        assert ordinary._ordinary.cache_info().hits > 0
    finally:
        await runtime.close()


async def test_run_gives_the_outbox_a_pipelined_connection_of_its_own(
    app: App, redis_url: str, tmp_path: Path
) -> None:
    """Confirms of sent replies went through the shared pool (0.7 ms a call in the
    throughput profile); `run` gives the outbox its own pipelined connection."""
    runtime = build_runtime(app, "run", database_url=f"sqlite:///{tmp_path}/w.db",
                            redis_url=redis_url)  # fmt: skip
    try:
        store = runtime.outbox.store
        assert isinstance(store, RedisOutbox)
        assert isinstance(store._client, PipeClient)
        await runtime.outbox.heartbeat()  # a call on it reaches Redis
        assert store.beating
    finally:
        await runtime.close()
    assert store._client._protocol is None  # closed with the runtime
