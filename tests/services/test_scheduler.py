"""The Scheduler: jobs shared by several processes (two Schedulers on one real Redis, each
on its own client, as two processes would be) run once per period; failures and stops.

Periods here are a few tenths of a second, so the tests really wait; they assert which
period each run fell in and what overlapped, never how long anything took.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import time
from collections.abc import AsyncIterator, Callable, Iterable

import pytest
from redis.asyncio import Redis

from bot.services.scheduler import Scheduler
from bot.storage.leases import LeaseStore, MemoryLeaseStore
from bot.storage.redis_leases import RedisLeaseStore
from tests.fixtures.redis import RedisProcess

EVERY = 0.25


@pytest.fixture
async def processes(redis_url: str) -> AsyncIterator[list[LeaseStore]]:
    """The lease stores of two processes sharing one Redis."""
    clients = [Redis.from_url(redis_url), Redis.from_url(redis_url)]
    try:
        yield [RedisLeaseStore(client) for client in clients]
    finally:
        for client in clients:
            await client.aclose()


async def until(condition: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        await asyncio.sleep(0.01)


async def running(schedulers: Iterable[Scheduler], stop: asyncio.Event) -> list[asyncio.Task[None]]:
    # Start early in a period: the first run then begins in the period it was due in, like
    # every later one (which starts as its period begins), so a job can tell which it is.
    while time.time() % EVERY > EVERY / 4:
        await asyncio.sleep(0.005)
    tasks = [asyncio.create_task(s.run(stop)) for s in schedulers]
    await asyncio.sleep(0)
    return tasks


async def stopped(stop: asyncio.Event, tasks: list[asyncio.Task[None]]) -> None:
    stop.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 5)


@pytest.mark.redis
async def test_two_processes_run_a_shared_job_once_per_period(
    processes: list[LeaseStore],
) -> None:
    runs: list[tuple[str, int]] = []

    def job(process: str) -> Callable[[], None]:
        return lambda: runs.append((process, math.floor(time.time() / EVERY)))

    schedulers = [Scheduler(leases) for leases in processes]
    for n, scheduler in enumerate(schedulers):
        scheduler.add("helplines", EVERY, job(f"p{n}"))
    stop = asyncio.Event()
    tasks = await running(schedulers, stop)
    await until(lambda: len(runs) >= 6, "six runs")
    await stopped(stop, tasks)
    periods = [period for _, period in runs]
    assert len(periods) == len(set(periods)), f"a period ran twice: {runs}"
    assert periods == sorted(periods)


@pytest.mark.redis
async def test_a_job_still_running_elsewhere_is_skipped(processes: list[LeaseStore]) -> None:
    now_running: list[str] = []
    overlaps: list[list[str]] = []
    started: list[int] = []

    def job(process: str) -> Callable[[], object]:
        async def slow() -> None:
            now_running.append(process)
            overlaps.append(list(now_running))
            started.append(math.floor(time.time() / EVERY))
            await asyncio.sleep(EVERY * 2.5)  # well into the period after next
            now_running.remove(process)

        return slow

    schedulers = [Scheduler(leases) for leases in processes]
    for n, scheduler in enumerate(schedulers):
        scheduler.add("retention", EVERY, job(f"p{n}"))
    stop = asyncio.Event()
    tasks = await running(schedulers, stop)
    await until(lambda: len(started) >= 3, "three runs")
    await stopped(stop, tasks)
    assert all(len(together) == 1 for together in overlaps), overlaps
    # Each run began at least two periods after the one before: the periods it
    # overlapped were skipped, not queued up.
    assert all(b - a >= 2 for a, b in itertools.pairwise(started)), started


@pytest.mark.redis
async def test_a_crashed_holders_lease_runs_out(processes: list[LeaseStore]) -> None:
    crashed, alive = processes
    runs: list[float] = []
    scheduler = Scheduler(alive)
    scheduler.add("retention", EVERY, lambda: runs.append(time.time()))
    # Another process is running the job and renewing its lease...
    token = await crashed.acquire(Scheduler.lease_name("retention"), 1.0)
    assert token
    stop = asyncio.Event()
    tasks = await running([scheduler], stop)
    for _ in range(8):  # ... for about three periods, during which nobody else runs it,
        await asyncio.sleep(0.1)
        assert await crashed.renew(Scheduler.lease_name("retention"), token, 1.0)
        assert runs == []
    # ... then dies: it stops renewing, and the lease runs out by itself.
    await until(lambda: len(runs) >= 1, "the job ran again")
    await stopped(stop, tasks)


async def test_a_failing_job_logs_its_type_only_and_runs_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[int] = []

    async def broken() -> None:
        calls.append(1)
        msg = "case #K7QX: Ana, 0722 123 456 said something"
        raise ValueError(msg)

    scheduler = Scheduler(MemoryLeaseStore())
    scheduler.add("helplines", EVERY / 2, broken)
    stop = asyncio.Event()
    with caplog.at_level(logging.WARNING, logger="bot.services.scheduler"):
        tasks = await running([scheduler], stop)
        await until(lambda: len(calls) >= 3, "three tries")
        await stopped(stop, tasks)
    failures = [r for r in caplog.records if "failed" in r.getMessage()]
    assert len(failures) >= 3
    for entry in failures:
        assert "ValueError" in entry.getMessage()
        assert entry.exc_info is None  # a traceback would print the message
    assert not any(s in caplog.text for s in ("K7QX", "Ana", "0722"))


async def test_plain_functions_are_jobs_too() -> None:
    swept: list[int] = []
    scheduler = Scheduler(MemoryLeaseStore())
    scheduler.add("visitor-sweep", EVERY / 2, lambda: swept.append(1))
    stop = asyncio.Event()
    tasks = await running([scheduler], stop)
    await until(lambda: len(swept) >= 2, "two sweeps")
    await stopped(stop, tasks)


async def test_stop_ends_run_at_once_and_gives_the_leases_back() -> None:
    leases = MemoryLeaseStore()
    started, cancelled = asyncio.Event(), asyncio.Event()

    async def forever() -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        finally:
            cancelled.set()

    scheduler = Scheduler(leases)
    scheduler.add("retention", 24 * 3600.0, forever)
    scheduler.add("helplines", 60.0, lambda: None)
    stop = asyncio.Event()
    tasks = await running([scheduler], stop)
    await asyncio.wait_for(started.wait(), 5)
    await stopped(stop, tasks)
    assert cancelled.is_set()
    # Stopped mid-run: another process may run today's purge at once.
    period = math.floor(time.time() / (24 * 3600.0))
    for name in (Scheduler.lease_name("retention"), Scheduler.lease_name("retention", period)):
        assert await leases.acquire(name, 1.0)


@pytest.mark.redis
async def test_redis_down_at_start_delays_jobs_but_stops_nothing(
    redis_restartable: RedisProcess, caplog: pytest.LogCaptureFixture
) -> None:
    client = Redis.from_url(redis_restartable.url)
    runs: list[int] = []
    scheduler = Scheduler(RedisLeaseStore(client))
    scheduler.add("helplines", EVERY, lambda: runs.append(1))
    redis_restartable.stop()
    stop = asyncio.Event()
    try:
        with caplog.at_level(logging.WARNING, logger="bot.services.scheduler"):
            tasks = await running([scheduler], stop)
            await until(lambda: "no lease for job helplines" in caplog.text, "a warning")
            assert runs == []
            redis_restartable.start()
            await until(lambda: len(runs) >= 1, "a run once Redis is back")
            await stopped(stop, tasks)
        assert "StorageError" in caplog.text
    finally:
        await client.aclose()


def test_a_job_needs_a_new_name_and_a_period() -> None:
    scheduler = Scheduler(MemoryLeaseStore())
    scheduler.add("retention", 60.0, lambda: None)
    for name, every in (("retention", 60.0), ("helplines", 0.0)):
        with pytest.raises(ValueError, match="new name and a positive period"):
            scheduler.add(name, every, lambda: None)
