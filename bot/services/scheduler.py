"""Periodic jobs shared by N processes: each due run of a job happens once across them.

A job added with ``every`` seconds has periods that begin at whole multiples of
``every`` on the wall clock (a daily job at 00:00 UTC, a minute job at :00), so every
process agrees on when a period begins. To run a job, a process takes two leases:

- ``job:<name>``, held while the job runs and renewed every third of ``hold`` seconds:
  another process that comes to run it finds it held and skips it for now. A process
  that dies mid-run stops renewing; the lease runs out within ``hold`` seconds.
- ``job:<name>:<period number>``, the period's run, kept until the period is over: the
  first process to claim it runs the job, the others find it claimed and wait for the
  next period. A run cut short by a crash is not repeated in its period; the next one
  runs as usual.

A job that raises is logged with its exception type only (its message may quote data)
and runs again next period; the scheduler keeps going. Setting ``stop`` ends ``run``
at once: jobs still running are cancelled and their leases given back.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.storage.leases import LeaseStore

__all__ = ["Job", "Scheduler"]

log = logging.getLogger(__name__)

Job = Callable[[], object]  # an async function, or a quick plain one
# Look at the clock at least this often, in case it was set back or forward.
_MAX_SLEEP = 60.0


@dataclass(eq=False)
class _Entry:
    name: str
    every: float
    job: Job
    next_try: float = -math.inf
    task: asyncio.Task[None] | None = None


class Scheduler:
    """``clock`` is wall-clock seconds (``time.time``), the same in every process;
    ``hold`` caps how long a crashed process keeps a job from the others."""

    def __init__(
        self,
        leases: LeaseStore,
        clock: Callable[[], float] = time.time,
        *,
        hold: float = 60.0,
    ) -> None:
        self.leases = leases
        self.clock = clock
        self.hold = hold
        self._jobs: dict[str, _Entry] = {}
        self._wake = asyncio.Event()

    @staticmethod
    def lease_name(name: str, period: int | None = None) -> str:
        """The lease held while job ``name`` runs, or the one of its run in ``period``."""
        return f"job:{name}" if period is None else f"job:{name}:{period}"

    def add(self, name: str, every: float, job: Job) -> None:
        """Run ``job()`` (awaited when it returns an awaitable) once every ``every`` s."""
        if every <= 0 or name in self._jobs:
            msg = f"a job needs a new name and a positive period: {name!r}, {every!r}"
            raise ValueError(msg)
        self._jobs[name] = _Entry(name, float(every), job)

    async def run(self, stop: asyncio.Event) -> None:
        """Run the jobs as they fall due until ``stop`` is set."""
        relay = asyncio.create_task(self._relay(stop))
        try:
            while not stop.is_set():
                self._wake.clear()
                for entry in self._jobs.values():
                    if entry.task is None and self.clock() >= entry.next_try:
                        await self._try(entry)
                idle = [e.next_try for e in self._jobs.values() if e.task is None]
                delay = min(max(0.0, min(idle) - self.clock()), _MAX_SLEEP) if idle else None
                await _wait(self._wake, delay)
        finally:
            running = [e.task for e in self._jobs.values() if e.task is not None]
            for task in (relay, *running):
                task.cancel()
            await asyncio.gather(relay, *running, return_exceptions=True)

    async def _relay(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self._wake.set()

    async def _try(self, entry: _Entry) -> None:
        now, hold = self.clock(), min(entry.every, self.hold)
        period = math.floor(now / entry.every)
        next_period = (period + 1) * entry.every
        running, claimed = self.lease_name(entry.name), self.lease_name(entry.name, period)
        try:
            token = await self.leases.acquire(running, hold)
            if token is None:
                # Running elsewhere: look again once it may be over (or its holder dead).
                entry.next_try = min(next_period, now + hold)
                return
            # Held a little past the period's end, for clocks a little behind this one.
            claim = await self.leases.acquire(claimed, next_period - now + hold)
            if claim is None:
                await self.leases.release(running, token)
                entry.next_try = next_period  # this period's run is another's
                return
        except Exception as exc:  # the lease store is down: look again soon, keep going
            log.warning("scheduler: no lease for job %s (%s)", entry.name, type(exc).__name__)
            entry.next_try = now + hold
            return
        entry.next_try = next_period
        entry.task = asyncio.create_task(self._run(entry, (running, token), (claimed, claim), hold))

    async def _run(
        self, entry: _Entry, running: tuple[str, str], claimed: tuple[str, str], hold: float
    ) -> None:
        finished = asyncio.Event()
        beat = asyncio.create_task(self._heartbeat(entry.name, running, hold, finished))
        try:
            try:
                result = entry.job()
                if inspect.isawaitable(result):
                    await result
            except Exception as exc:  # any failure: the next period tries again
                log.warning("job %s failed (%s)", entry.name, type(exc).__name__)
            finished.set()
            await beat
            await self._quietly(entry.name, self.leases.release(*running))
        except asyncio.CancelledError:
            beat.cancel()
            if not finished.is_set():
                # Stopped mid-run: give both back, so another process may run it now.
                for lease in (running, claimed):
                    await self._quietly(entry.name, self.leases.release(*lease))
            raise
        finally:
            entry.task = None
            self._wake.set()

    async def _heartbeat(
        self, name: str, running: tuple[str, str], hold: float, done: asyncio.Event
    ) -> None:
        while not await _wait(done, hold / 3):
            try:
                kept = await self.leases.renew(*running, hold)
            except Exception as exc:  # the lease store is down: try at the next beat
                log.warning("scheduler: cannot renew job %s (%s)", name, type(exc).__name__)
                continue
            if not kept:
                log.warning("job %s outlived its lease; another process may run it too", name)

    async def _quietly(self, name: str, call: Awaitable[object]) -> None:
        try:
            await call
        except Exception as exc:  # the lease then simply runs out by itself
            log.warning("scheduler: lease of job %s not updated (%s)", name, type(exc).__name__)


async def _wait(event: asyncio.Event, timeout: float | None) -> bool:
    """Wait for ``event`` at most ``timeout`` seconds (None: for ever); True if it was set."""
    try:
        await asyncio.wait_for(event.wait(), timeout)
    except TimeoutError:
        return False
    return True
