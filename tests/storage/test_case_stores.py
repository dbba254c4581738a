"""One suite for every CaseStore and CaseHub (STYLE point 3): memory, and a real Redis.

Time: the memory store runs on a fake clock the test moves; Redis gets short TTLs and
the test really waits. `dump()` is everything the store holds, by key, as text: what a
person with access to the server could read.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
import redis

from bot.storage.cases import Case, CaseHub, CaseStore, CaseUpdate, LabelTakenError, Mapping
from bot.storage.memory_cases import MemoryCaseHub, MemoryCaseStore
from bot.storage.redis_cases import RedisCaseHub, RedisCaseStore

T0 = dt.datetime(2026, 1, 14, 8, 0, tzinfo=dt.UTC)
CHAT_ID = "987654321"


def key(n: int) -> str:
    return hashlib.sha256(f"test:{n}".encode()).hexdigest()


def new_case(label: str, *, urgent: bool = False, minutes: int = 0, priority: bool = False) -> Case:
    at = T0 + dt.timedelta(minutes=minutes)
    return Case(label, "waiting", urgent, "13-15", "ro", "shelter", "asked", at, at, at,
                priority=priority)  # fmt: skip


def mapping(n: int) -> Mapping:
    return Mapping(key(n), "tg", str(int(CHAT_ID) + n))


@dataclass
class Stores:
    kind: str
    store: CaseStore
    hub: CaseHub
    advance: Callable[[float], Awaitable[None]]
    dump: Callable[[], dict[str, str]]
    ttls: Callable[[], dict[str, int]]


def redis_dump(url: str) -> dict[str, str]:
    client = redis.Redis.from_url(url, decode_responses=True)
    out: dict[str, str] = {}
    try:
        for name in client.scan_iter("*"):
            kind = client.type(name)
            if kind == "string":
                out[name] = str(client.get(name))
            elif kind == "list":
                out[name] = repr(client.lrange(name, 0, -1))
            elif kind == "zset":
                out[name] = repr(client.zrange(name, 0, -1, withscores=True))
            else:
                out[name] = f"<{kind!r}>"
    finally:
        client.close()
    return out


def redis_ttls(url: str) -> dict[str, int]:
    client = redis.Redis.from_url(url, decode_responses=True)
    try:
        return {name: int(client.pttl(name)) for name in client.scan_iter("*")}
    finally:
        client.close()


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def stores(request: pytest.FixtureRequest) -> AsyncIterator[Stores]:
    if request.param == "memory":
        now = [1000.0]
        memory = MemoryCaseStore(clock=lambda: now[0])

        async def advance(seconds: float) -> None:
            now[0] += seconds

        yield Stores("memory", memory, MemoryCaseHub(), advance, memory.snapshot, dict)
        return
    url = request.getfixturevalue("redis_url")
    store, hub = RedisCaseStore(url), RedisCaseHub(url)

    async def sleep(seconds: float) -> None:
        await asyncio.sleep(seconds)

    yield Stores("redis", store, hub, sleep, lambda: redis_dump(url), lambda: redis_ttls(url))
    await store.close()
    await hub.close()


async def test_one_open_case_per_person(stores: Stores) -> None:
    first, new = await stores.store.open(new_case("#AAAA"), mapping(1), 60)
    assert new
    assert first.label == "#AAAA"
    again, new = await stores.store.open(new_case("#BBBB"), mapping(1), 60)
    assert not new
    assert again == first
    assert await stores.store.get("#BBBB") is None
    assert await stores.store.find(key(1)) == first
    assert await stores.store.find(key(2)) is None


async def test_a_label_is_unique_among_live_cases(stores: Stores) -> None:
    await stores.store.open(new_case("#AAAA"), mapping(1), 60)
    with pytest.raises(LabelTakenError):
        await stores.store.open(new_case("#AAAA"), mapping(2), 60)
    assert await stores.store.find(key(2)) is None


async def test_the_mapping_is_kept_apart_and_only_it_holds_the_chat_id(stores: Stores) -> None:
    await stores.store.open(new_case("#AAAA"), mapping(1), 60)
    await stores.store.append("#AAAA", "messages", {"text": "hello"})
    assert await stores.store.mapping("#AAAA") == mapping(1)
    address = mapping(1).address
    holding = [name for name, value in stores.dump().items() if address in name + value]
    assert len(holding) == 1
    assert "cmap:" in holding[0]
    assert address not in (await stores.store.get("#AAAA") or new_case("x")).encode()


async def test_urgent_first_then_longest_waiting(stores: Stores) -> None:
    await stores.store.open(new_case("#OLD1", minutes=0), mapping(1), 60)
    await stores.store.open(new_case("#NEW1", minutes=5), mapping(2), 60)
    await stores.store.open(new_case("#URG2", urgent=True, minutes=9), mapping(3), 60)
    await stores.store.open(new_case("#URG1", urgent=True, minutes=7), mapping(4), 60)
    labels = [case.label for case in await stores.store.open_cases()]
    assert labels == ["#URG1", "#URG2", "#OLD1", "#NEW1"]
    # Raised to urgent later: it moves up.
    case = await stores.store.get("#NEW1")
    assert case is not None
    assert await stores.store.replace(case.changed(T0, urgent=True), 60)
    labels = [case.label for case in await stores.store.open_cases()]
    assert labels == ["#NEW1", "#URG1", "#URG2", "#OLD1"]


async def test_urgent_then_priority_then_the_others(stores: Stores) -> None:
    await stores.store.open(new_case("#OLD1", minutes=0), mapping(1), 60)
    await stores.store.open(new_case("#PRI2", priority=True, minutes=8), mapping(2), 60)
    await stores.store.open(new_case("#URG1", urgent=True, minutes=9), mapping(3), 60)
    await stores.store.open(new_case("#PRI1", priority=True, minutes=3), mapping(4), 60)
    labels = [case.label for case in await stores.store.open_cases()]
    assert labels == ["#URG1", "#PRI1", "#PRI2", "#OLD1"]
    # Raised to priority later: it moves up, and waited longest of the priority cases.
    case = await stores.store.get("#OLD1")
    assert case is not None
    assert await stores.store.replace(case.changed(T0, priority=True), 60)
    labels = [case.label for case in await stores.store.open_cases()]
    assert labels == ["#URG1", "#OLD1", "#PRI1", "#PRI2"]
    stored = await stores.store.get("#OLD1")
    assert stored is not None
    assert (stored.priority, stored.urgent) == (True, False)


async def test_a_case_stored_before_priority_existed_reads_as_ordinary() -> None:
    data = new_case("#AAAA").to_json()
    del data["priority"]
    assert Case.from_json(data).priority is False


async def test_replace_refuses_a_change_made_on_an_older_rev(stores: Stores) -> None:
    case, _ = await stores.store.open(new_case("#AAAA"), mapping(1), 60)
    claimed = case.changed(T0, status="claimed", worker="w1", worker_name="Ana")
    assert await stores.store.replace(claimed, 60)
    stale = case.changed(T0, status="claimed", worker="w2", worker_name="Bo")
    assert not await stores.store.replace(stale, 60)
    assert (await stores.store.get("#AAAA")) == claimed
    assert not await stores.store.replace(new_case("#GONE").changed(T0), 60)


async def test_closing_frees_the_person_and_everything_expires_after_grace(
    stores: Stores,
) -> None:
    case, _ = await stores.store.open(new_case("#AAAA"), mapping(1), 60)
    await stores.store.append("#AAAA", "messages", {"text": "hello"})
    await stores.store.append("#AAAA", "notes", {"text": "internal"})
    closed = case.changed(T0, status="closed", closed_by="worker")
    assert await stores.store.replace(closed, 0.3)  # the grace period
    assert await stores.store.find(key(1)) is None
    assert await stores.store.open_cases() == []
    assert await stores.store.get("#AAAA") == closed  # readable during grace
    assert await stores.store.mapping("#AAAA") == mapping(1)
    # The person may ask again at once: a new case.
    again, new = await stores.store.open(new_case("#BBBB"), mapping(1), 60)
    assert new
    await stores.advance(0.5)
    assert await stores.store.get("#AAAA") is None
    assert await stores.store.mapping("#AAAA") is None
    assert await stores.store.read("#AAAA", "messages") == []
    left = stores.dump()
    assert not [name for name, value in left.items() if "#AAAA" in name + value]
    assert await stores.store.find(key(1)) == again


async def test_purge_deletes_at_once(stores: Stores) -> None:
    await stores.store.open(new_case("#AAAA"), mapping(1), 60)
    await stores.store.append("#AAAA", "messages", {"text": "hello"})
    await stores.store.purge("#AAAA")
    assert await stores.store.find(key(1)) is None
    assert await stores.store.mapping("#AAAA") is None
    assert stores.dump() == {}


async def test_logs_are_ordered_and_live_with_the_case(stores: Stores) -> None:
    assert await stores.store.append("#NONE", "messages", {"text": "x"}) is None
    await stores.store.open(new_case("#AAAA"), mapping(1), 0.3)
    assert await stores.store.append("#AAAA", "messages", {"text": "one"}) == 0
    assert await stores.store.append("#AAAA", "messages", {"text": "two"}) == 1
    assert await stores.store.append("#AAAA", "notes", {"text": "n"}) == 0
    assert [m["text"] for m in await stores.store.read("#AAAA", "messages", 1)] == ["two"]
    await stores.advance(0.5)
    assert stores.dump() == {}


async def test_every_key_has_a_ttl(stores: Stores) -> None:
    case, _ = await stores.store.open(new_case("#AAAA"), mapping(1), 60)
    await stores.store.append("#AAAA", "messages", {"text": "one"})
    await stores.store.append("#AAAA", "notes", {"text": "n"})
    await stores.store.put_token("tok", {"band": "8-12"}, 60)
    assert await stores.store.replace(case.changed(T0, urgent=True), 60)
    ttls = stores.ttls()
    assert all(0 < ttl <= 60_000 for ttl in ttls.values()), ttls


async def test_tokens_are_one_time(stores: Stores) -> None:
    await stores.store.put_token("tok", {"band": "8-12", "lang": "ar"}, 0.3)
    assert await stores.store.take_token("tok") == {"band": "8-12", "lang": "ar"}
    assert await stores.store.take_token("tok") is None
    await stores.store.put_token("late", {"band": "8-12"}, 0.3)
    await stores.advance(0.5)
    assert await stores.store.take_token("late") is None


async def test_every_subscriber_hears_every_update(stores: Stores) -> None:
    update = CaseUpdate("message", new_case("#AAAA"), 3)
    async with stores.hub.subscribe() as first, stores.hub.subscribe() as second:
        await asyncio.sleep(0.05)  # Redis: the subscription is live
        await stores.hub.publish(update)
        got = [await asyncio.wait_for(anext(it), 5) for it in (first, second)]
    assert got == [update, update]
