"""The one composition root: every store and service of a process is built here.

`build_runtime(app, mode)` gives a `Runtime` for one of the modes:

- ``run`` and ``serve`` (production): Redis for sessions, cases, staff sessions, login
  limits, web-chat mailboxes, leases and deliveries; the configured SQL database for
  feedback, accounts and audit. Any number of each process share both.
- ``demo``, ``chat`` and ``test``: the same services on memory stores (and the SQL URL
  the caller gives), so what a young person sees is what production would show.

Entry points (`bot/commands/*`), the Telegram and web edges, the tests and the benchmarks
ask this module; nothing else constructs a store or a service (STYLE point 11).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
import secrets
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from sqlalchemy.engine import Engine

from bot.app import App
from bot.config import Config, Settings, load_config
from bot.engine.events import FeedbackSubmitted
from bot.errors import ConfigError, StorageError
from bot.flows.triggers import survey_bands
from bot.privacy.scrub import use_places
from bot.privacy.scrub import warm as scrub_warm
from bot.services.cases import Audit, HandoffService
from bot.services.conversation import ConversationService
from bot.services.dead_letters import DeadLetterService
from bot.services.feedback import FeedbackService
from bot.services.handoff import MemoryHandoffDesk
from bot.services.media import MediaService
from bot.services.outbox import OutboxService
from bot.services.readiness import Mode, secret_item
from bot.services.scheduler import Scheduler
from bot.services.updates import UpdateService
from bot.staff.accounts import Accounts
from bot.staff.keys import StaffKeys
from bot.staff.login_policy import LoginPolicy
from bot.staff.retention import purge_in_batches
from bot.storage.accounts import SqlAccountStore
from bot.storage.cases import CaseHub, CaseStore
from bot.storage.dead_letters import DeadLetterStore, MemoryDeadLetters
from bot.storage.deliveries import DeliveryQueue, MemoryDeliveryQueue
from bot.storage.desk_names import DeskNameStore
from bot.storage.desk_tools import MemoryBlockStore, MemoryPresenceStore
from bot.storage.feedback import FeedbackStore
from bot.storage.issued_passwords import SqlIssuedPasswords
from bot.storage.leases import LeaseStore, MemoryLeaseStore
from bot.storage.login_limits import LoginLimits, MemoryLoginLimits
from bot.storage.memory import MemorySessionStore
from bot.storage.memory_cases import MemoryCaseHub, MemoryCaseStore
from bot.storage.migrations import HEAD, current, is_empty, upgrade
from bot.storage.outbox import MemoryOutbox, OutboxStore
from bot.storage.redis_cases import RedisCaseHub, RedisCaseStore, make_client
from bot.storage.redis_dead_letters import RedisDeadLetters
from bot.storage.redis_deliveries import RedisDeliveryQueue
from bot.storage.redis_desk_tools import RedisBlockStore, RedisPresenceStore
from bot.storage.redis_leases import RedisLeaseStore
from bot.storage.redis_outbox import RedisOutbox
from bot.storage.redis_sessions import RedisSessionStore
from bot.storage.redis_staff import RedisLoginLimits, RedisStaffSessions
from bot.storage.redis_topics import TopicStore
from bot.storage.redis_traces import RedisTraceStore
from bot.storage.redis_visitors import RedisVisitorBoxes
from bot.storage.sessions import SessionStore
from bot.storage.staff_mfa import SqlMfaStore
from bot.storage.staff_notices import SqlNoticeStore
from bot.storage.staff_sessions import MemoryStaffSessions, StaffSessionStore
from bot.storage.traces import MemoryTraceStore, TraceStore
from bot.storage.updates import UpdateStore
from bot.storage.visitors import MemoryVisitorBoxes, VisitorBoxes

__all__ = [
    "Database",
    "Fixed",
    "Mode",
    "Runtime",
    "StaffTimeouts",
    "build_runtime",
    "needs_migrate",
    "open_database",
    "secret_for",
    "staff_keys",
]

log = logging.getLogger(__name__)

PRODUCTION: tuple[Mode, ...] = ("run", "serve")
# The channel names conversations (and so case mappings and delivery queues) carry: the
# web chat's and `bot.channels.telegram.core.CHANNEL`, which `safevoice run` pops.
WEB_CHANNEL = "web"
TELEGRAM_CHANNEL = "tg"


class _DropFeedback(FeedbackService):
    """Previews run real flows, but what advisory groups type while trying them is not
    feedback."""

    async def submit(self, event: FeedbackSubmitted, *, record_id: str | None = None) -> None:
        return None


@dataclass
class StaffTimeouts:
    idle: float = 30 * 60.0
    absolute: float = 12 * 3600.0


@dataclass
class Runtime:
    """Everything one process uses, built for one mode. `close()` releases it all."""

    app: App
    mode: Mode
    secret: bytes
    store: FeedbackStore  # feedback, accounts and audit: the SQL database
    sessions: SessionStore
    cases: HandoffService
    conversation: ConversationService
    preview: ConversationService  # same flows; answers never stored, no case ever opened
    accounts: Accounts
    desk_names: DeskNameStore
    staff_sessions: StaffSessionStore
    login_limits: LoginPolicy
    visitors: VisitorBoxes
    leases: LeaseStore
    deliveries: DeliveryQueue
    outbox: OutboxService  # replies saved with their turn, sent after it (Telegram)
    dead_letters: DeadLetterService  # updates set aside (unreadable, or always failing)
    topics: TopicStore | None = None  # the Telegram staff desk's bookkeeping (Redis only)
    redis: Redis | None = None
    _preview_sessions: SessionStore | None = field(default=None, repr=False)
    media: MediaService | None = None  # photos, places... a young person sends (Telegram)
    updates: UpdateService | None = None  # "you said, we did" (set by build_runtime)

    @property
    def shared(self) -> bool:
        """Stores shared with other processes (Redis), as in production."""
        return self.redis is not None

    def scheduler(self, *, helplines_every: float = 60.0, purge_every: float = 24 * 3600.0,
                  sweep_every: float = 300.0) -> Scheduler:  # fmt: skip
        """The periodic work of a production process, each due run once across processes:
        the retention purge in batches, helplines for young people nobody answered, and
        dropping web-chat mailboxes no page asked about."""
        scheduler = Scheduler(self.leases)
        privacy = self.app.config.privacy
        scheduler.add("retention", purge_every, lambda: purge_in_batches(self.store, privacy))
        scheduler.add("helplines", helplines_every, self.cases.due_for_helplines)
        scheduler.add("overdue", helplines_every, self.cases.due_for_alert)
        scheduler.add("visitor-sweep", sweep_every, self.visitors.sweep)
        if self.updates is not None:
            updates = self.updates
            scheduler.add("update-subscriptions", purge_every,
                          lambda: asyncio.to_thread(updates.expire))  # fmt: skip
        return scheduler

    async def ping(self) -> None:
        """Reach Redis now (StorageError names the host, never the password)."""
        if self.redis is not None:
            await self.sessions.ping()

    async def close(self) -> None:
        await self.visitors.close()
        await self.deliveries.close()
        await self.sessions.close()
        await self.outbox.close()
        if self._preview_sessions is not None:
            await self._preview_sessions.close()
        if self.redis is not None:
            await self.redis.aclose()
        self.store.close()


@dataclass(frozen=True)
class Database:
    """The SQL side alone, for commands that need no flows (users, report, purge)."""

    config: Config
    store: FeedbackStore
    accounts: Accounts


@contextlib.contextmanager
def open_database(
    config_path: str | Path | None, *, url: str | None = None, migrate: bool = True
) -> Iterator[Database]:
    """The configured database (or `url`), its schema brought up to date unless `migrate`
    is False (`safevoice migrate --status`, `safevoice check`); closed on exit."""
    config, base = load_config(config_path)
    store = FeedbackStore(url or Settings.from_env(config, base).database_url)
    try:
        if migrate:
            upgrade(store.engine)
        settings = Settings.from_env(config, base)
        accounts = _accounts(store, staff_keys(settings))
        if migrate:
            accounts.second_factor.seal_stored()
        yield Database(config, store, accounts)
    finally:
        store.close()


def end_staff_sessions(config_path: str | Path | None, name: str) -> bool:
    """End every web login of account `name` on the deployment's shared session store
    (Redis), for `safevoice users` changes made outside the web; False when Redis cannot
    be reached (the logins then end at their idle or absolute timeout)."""
    config, base = load_config(config_path)
    url = Settings.from_env(config, base).redis_url

    async def close() -> None:
        client = make_client(url)
        try:
            await RedisStaffSessions(client).close_account(name)
        finally:
            await client.aclose()

    try:
        asyncio.run(close())
    except (StorageError, OSError):
        return False
    return True


def staff_keys(settings: Settings) -> StaffKeys | None:
    """The keys of the staff rows (passwords, authenticator keys) for commands outside
    `build_runtime` (`safevoice users`): None when the secret key is missing or too short
    for production, so that nothing is protected with a key `serve` would refuse."""
    secret = settings.secret_key
    if secret is None or secret_item(secret).level == "fail":
        return None
    return StaffKeys(secret, settings.previous_secret_keys)


def _accounts(store: FeedbackStore, keys: StaffKeys | None) -> Accounts:
    """Staff accounts with their second factor and their credential-change notices."""
    engine = store.engine
    return Accounts(SqlAccountStore(engine), SqlMfaStore(engine), keys, SqlNoticeStore(engine),
                    SqlIssuedPasswords(engine))  # fmt: skip


def secret_for(app: App, mode: Mode) -> bytes:
    """The secret key: required and long in production; elsewhere a fresh random one when
    none is set (memory sessions die with the process, so nothing is lost)."""
    key = app.settings.secret_key
    if mode in PRODUCTION:
        item = secret_item(key)
        if key is None or item.level == "fail":
            msg = f"{item.text}: {item.fix}"
            raise ConfigError(msg)
        return key
    return key or secrets.token_bytes(32)


def warm_text_checks(app: App) -> None:
    """Load the language models, the scrubber's lists and the danger check's everyday
    words now, side by side (about 6 s rather than 10 one after the other), rather than
    inside a young person's first text, where every chat would wait for them."""
    jobs = [scrub_warm, app.lexicon.warm]
    if app.language_detector is not None:
        jobs.append(app.language_detector.warm)
    with ThreadPoolExecutor(len(jobs), thread_name_prefix="warm") as pool:
        for done in [pool.submit(job) for job in jobs]:
            done.result()


def build_runtime(
    app: App,
    mode: Mode,
    *,
    database_url: str | None = None,
    redis_url: str | None = None,
    timeouts: StaffTimeouts | None = None,
    fixed: Fixed | None = None,
    redis_client: Redis | None = None,
) -> Runtime:
    """Build the stores and services for `mode`. Production modes use Redis; `test` uses
    Redis only when `redis_url` is given. The SQL schema is brought up to date here.
    `fixed` pins the clock, labels and record ids for transcripts (tests only).
    `redis_client` (with `redis_url`) is the client every Redis store uses, the session
    stores included, instead of those built from the URL: a benchmark counts its round
    trips. The runtime closes it."""
    secret = secret_for(app, mode)
    settings = app.settings
    timeouts = timeouts or StaffTimeouts()
    if mode in (*PRODUCTION, "demo"):
        warm_text_checks(app)
    use_places(app.config.privacy.places)
    store = FeedbackStore(database_url or settings.database_url)
    # Outside production a short (or random) secret still protects the staff rows.
    accounts = _accounts(store, StaffKeys(secret, settings.previous_secret_keys))
    try:
        _prepare_schema(store, mode)
        accounts.second_factor.seal_stored()  # plain keys of earlier releases, old secrets
    except BaseException:
        store.close()
        raise
    url = redis_url or (settings.redis_url if mode in PRODUCTION else None)
    if redis_client is not None and url is None:
        store.close()
        msg = "a Redis client needs its redis_url (the stores name their server by it)"
        raise ConfigError(msg)
    redis = redis_client or (make_client(url) if url is not None else None)
    fixed = fixed or Fixed()
    cases = _cases(app, store, url, redis, fixed)
    parts = (
        _memory(app, timeouts)
        if url is None or redis is None
        else _redis(
            app, timeouts, url, redis, shared_client=redis_client is not None,
            cases=cases.store if isinstance(cases.store, RedisCaseStore) else None,
        )
    )  # fmt: skip
    feedback = fixed.feedback(store) if fixed.feedback else FeedbackService(store)
    cases.record_outcome = feedback.submit  # the outcome form, an anonymous record
    cases.web_here = mode != "run"  # `run` alone serves no web desk (transfers to it)
    conversation = ConversationService(
        app.engine, parts.sessions, feedback, cases, secret, parts.traces
    )
    # Previews never open cases: nobody should answer an advisory group trying a flow.
    preview = ConversationService(
        app.engine, parts.preview_sessions, _DropFeedback(store), MemoryHandoffDesk(), secret
    )
    runtime = Runtime(
        app, mode, secret, store, parts.sessions, cases, conversation, preview,
        accounts, DeskNameStore(store.engine),
        parts.staff_sessions, parts.login_limits, parts.visitors, parts.leases, parts.deliveries,
        OutboxService(parts.outbox), DeadLetterService(parts.dead_letters),
        TopicStore(redis) if redis is not None else None, redis, parts.preview_sessions,
    )  # fmt: skip
    runtime.media = MediaService(conversation, cases)
    updates = UpdateService(UpdateStore(store.engine), store, app.config, app.translator, secret,
                            clock=fixed.clock)  # fmt: skip
    conversation.updates = runtime.updates = updates
    _connect_deliverers(runtime)
    return runtime


def _prepare_schema(store: FeedbackStore, mode: Mode) -> None:
    """Bring the schema to HEAD. A production process creates a new database, but leaves
    upgrading an existing one to `safevoice migrate`: during a rolling restart the old
    processes must not find their tables changed under them, and the operator backs up
    first (docs/deploy.md, "Upgrades")."""
    if mode not in PRODUCTION:
        store.create_schema()  # upgrade, and refill the rollups of a database without them
        return
    refusal = needs_migrate(store.engine)
    if refusal is not None:
        raise StorageError(refusal)
    # Empty: created at HEAD; equal: nothing to change; newer: refused with the reason.
    store.create_schema()


def needs_migrate(engine: Engine) -> str | None:
    """Why `run` and `serve` refuse this database until `safevoice migrate` has run (it
    holds 0.1.0's unversioned tables, or an older schema version), else None. `safevoice
    check` asks the same question."""
    if is_empty(engine):
        return None
    version = current(engine)
    if version is not None and version >= HEAD:
        return None
    have = "SafeVoice 0.1.0's tables" if version is None else f"schema version {version}"
    return (
        f"the database has {have}; this SafeVoice needs schema version {HEAD}. Back it up, "
        "run `safevoice migrate` once, then start again (docs/deploy.md, Upgrades)"
    )


@dataclass(frozen=True)
class _Stores:
    sessions: SessionStore
    preview_sessions: SessionStore
    staff_sessions: StaffSessionStore
    login_limits: LoginPolicy
    visitors: VisitorBoxes
    leases: LeaseStore
    deliveries: DeliveryQueue
    traces: TraceStore
    outbox: OutboxStore
    dead_letters: DeadLetterStore


@dataclass(frozen=True)
class Fixed:
    """What tests pin: the handoff clock and label draws, and the feedback service (the
    golden transcripts number their records)."""

    clock: Callable[[], dt.datetime] | None = None
    rng: random.Random | None = None
    feedback: Callable[[FeedbackStore], FeedbackService] | None = None
    # The memory stores' expiry clock (monotonic seconds), so tests move time.
    ttl_clock: Callable[[], float] | None = None
    audit: Audit | None = None


def _cases(
    app: App, store: FeedbackStore, url: str | None, redis: Redis | None, fixed: Fixed
) -> HandoffService:
    if url is None or redis is None:
        ttl_clock = {"clock": fixed.ttl_clock} if fixed.ttl_clock else {}
        case_store: CaseStore = MemoryCaseStore(**ttl_clock)
        hub: CaseHub = MemoryCaseHub()
    else:
        case_store, hub = RedisCaseStore(url, client=redis), RedisCaseHub(url, client=redis)
    extra: dict[str, Any] = {"clock": fixed.clock} if fixed.clock else {}
    audit = fixed.audit or store.audit
    service = HandoffService(case_store, hub, app.config, app.translator, audit=audit,
                             rng=fixed.rng, **extra)  # fmt: skip
    # Bands whose young people are offered a survey when a worker ends the chat.
    service.texts.surveys = survey_bands(app.flows, app.config.band_ids)
    # The worker tools' own stores: who is on duty, and senders blocked for a while.
    if redis is None:
        service.presence, service.blocks = MemoryPresenceStore(), MemoryBlockStore()
    else:
        service.presence, service.blocks = RedisPresenceStore(redis), RedisBlockStore(redis)
    return service


def _login_policy(app: App, limits: Callable[..., LoginLimits]) -> LoginPolicy:
    web = app.config.web
    window = web.login_window_minutes * 60.0
    return LoginPolicy(
        limits(max_failures=web.login_failures, window=window),
        limits(max_failures=web.login_client_failures, window=window),
    )


def _memory(app: App, timeouts: StaffTimeouts) -> _Stores:
    ttl = float(app.config.privacy.session_ttl_seconds)
    outbox = MemoryOutbox(ttl=ttl)
    return _Stores(
        MemorySessionStore(session_ttl=ttl, outbox=outbox),
        MemorySessionStore(session_ttl=ttl),
        MemoryStaffSessions(idle=timeouts.idle, absolute=timeouts.absolute),
        _login_policy(app, MemoryLoginLimits),
        MemoryVisitorBoxes(),
        MemoryLeaseStore(),
        MemoryDeliveryQueue(),
        MemoryTraceStore(),
        outbox,
        MemoryDeadLetters(),
    )


def _redis(
    app: App,
    timeouts: StaffTimeouts,
    url: str,
    redis: Redis,
    *,
    shared_client: bool,
    cases: RedisCaseStore | None,
) -> _Stores:
    """`shared_client`: the session stores use `redis` too (otherwise each builds its
    own pool from `url`, as production does). The conversation store keeps traces and
    looks at the case index in its begin script (one round trip for both)."""
    ttl = float(app.config.privacy.session_ttl_seconds)
    outbox = RedisOutbox(redis, url, ttl=ttl, own_connection=not shared_client)
    client = redis if shared_client else None
    traces = RedisTraceStore(redis)
    sessions = RedisSessionStore(
        url, session_ttl=ttl, outbox=outbox, client=client, traces=traces, cases=cases
    )
    return _Stores(
        sessions,
        # Preview sessions too: the next request of a preview may reach another process.
        RedisSessionStore(url, prefix="sv:preview:", session_ttl=ttl, client=client),
        RedisStaffSessions(redis, idle=timeouts.idle, absolute=timeouts.absolute),
        _login_policy(app, lambda **limits: RedisLoginLimits(redis, **limits)),
        RedisVisitorBoxes(redis),
        RedisLeaseStore(redis),
        RedisDeliveryQueue(redis, url),
        traces,
        outbox,
        RedisDeadLetters(redis, url),
    )


def _connect_deliverers(runtime: Runtime) -> None:
    """How a worker's words reach a young person from this process, on either channel.

    Web chat: straight into the visitor's mailbox (in Redis when shared, so the page's
    process wakes). Telegram: into the delivery queue, which a `run` process empties; the
    Telegram bot replaces this with its own sender in its process."""
    from bot.web.chat import mailbox_deliverer

    cases = runtime.cases
    cases.deliverers[WEB_CHANNEL] = mailbox_deliverer(runtime.app, runtime.visitors)
    cases.deliverers[TELEGRAM_CHANNEL] = runtime.deliveries.pusher(TELEGRAM_CHANNEL)
    if runtime.updates is not None:
        # Published updates reach Telegram subscribers the same way (the `run` process
        # sends them through its outbox and rate limiter); web chats see them next visit.
        runtime.updates.deliverers[TELEGRAM_CHANNEL] = cases.deliverers[TELEGRAM_CHANNEL]
