"""Web-chat turns per second against 1, 2 and 4 real `safevoice serve` processes (not a test).

    .venv/bin/python benchmarks/web_chat_processes.py [--processes 1 2 4] [--visitors 50]
        [--seconds 20] [--warmup 3] [--sqlite]

Each run starts N `safevoice serve` children (`python -m bot.cli serve`, as in
production) on one throwaway redis-server and one throwaway PostgreSQL database (started
like the tests' fixture; `--sqlite` uses a SQLite file instead, or set
SAFEVOICE_BENCH_DATABASE_URL). A closed loop of `--visitors` young people then does what
the chat page does, over HTTP, with tests/web's `Visitor` (so the page's visit handshake
here is the one the tests keep in step with the page): GET /chat and the visit handshake,
then POST /chat/turn for every answer of the 13-15 feedback conversation (start,
language, age band, menu, scales, yes/no, a multiple choice and Done, free text: 11
turns, the last one storing the feedback), then a new visit. The client spreads requests
over the processes itself, round robin per request (a visit is good on every process:
its session is in Redis), like a load balancer without stickiness.

A turn is one POST /chat/turn; its latency is measured from before the request to the end
of the answer. The table counts turns answered in the `--seconds` after a `--warmup`.
Everything runs on this machine: the client (one asyncio process), the N servers, Redis
and PostgreSQL share its cores; the client's own CPU time is printed so one can see how
much of the machine it took.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any

import aiohttp
from yarl import URL

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.deployment.conftest import SECRET, write_config
from tests.fixtures.processes import Spawner, free_port
from tests.fixtures.redis import RedisProcess, find_redis_server
from tests.web.test_desk import Visitor

# Which answer to give when several are offered, by value (as the browser tests do).
PREFER = ("shelter", "4", "yes", "people")
TEXT = "More trips to the sea, please"
THANKS = "Thank you. We read all answers"


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    client_cpu: float = 0.0  # the client's CPU seconds while measuring
    conversations: int = 0
    errors: int = 0
    first_error: str = ""
    measuring: bool = False

    async def error(self, what: str) -> None:
        self.errors += 1
        self.first_error = self.first_error or what
        await asyncio.sleep(0.1)  # no tight loop against a process that is down


class RoundRobin:
    """The client's own load balancer: each request to the next process."""

    def __init__(self, bases: list[str]) -> None:
        self.bases, self._next = bases, count()

    def make_url(self, path: str) -> URL:
        return URL(self.bases[next(self._next) % len(self.bases)] + path)


def _answer(message: dict[str, Any], picked: set[str]) -> tuple[str, str]:
    """What to send for the question in `message`: (kind, value)."""
    values = [o["value"] for o in message["options"]]
    if not values:
        return "text", TEXT
    if message.get("done") and picked:
        return "button", message["done"]["value"]
    wanted = next((v for v in PREFER if v in values and v not in picked), values[0])
    return "button", wanted


class TimedVisitor(Visitor):
    """tests/web's young person (the page's requests and its visit handshake, kept in step
    with the page there), timing every turn."""

    def __init__(self, lb: RoundRobin, tally: Tally) -> None:
        super().__init__(lb)  # type: ignore[arg-type]  # anything with make_url()
        self.tally = tally

    async def turn(self, kind: str, value: str, step: str | None = None) -> dict[str, Any]:
        started = time.perf_counter()
        data = await super().turn(kind, value, step)
        if self.tally.measuring:
            self.tally.latencies.append(time.perf_counter() - started)
        return data


async def conversation(person: TimedVisitor) -> bool:
    """Open the chat (page, visit, start, language, age band), then answer the feedback
    questions until the thank-you; True when it came."""
    await person.open()
    data = await person.turn("button", "feedback")  # the menu's first choice
    picked: set[str] = set()
    for _ in range(20):
        if any(m["text"].startswith(THANKS) for m in data["messages"]):
            return True
        last = data["messages"][-1]
        kind, value = _answer(last, picked)
        if last.get("done"):
            picked.add(value)
        else:
            picked.clear()
        data = await person.turn(kind, value, last["step"])
    return False


async def visitor(lb: RoundRobin, tally: Tally, stop: asyncio.Event) -> None:
    while not stop.is_set():
        person = TimedVisitor(lb, tally)  # a new visit, a new conversation
        try:
            finished = await conversation(person)
        except (AssertionError, aiohttp.ClientError, KeyError, IndexError) as exc:
            await tally.error(f"{type(exc).__name__}: {str(exc)[:300]}")
            continue
        finally:
            await person.close()
        if not finished:
            await tally.error("the conversation did not end in 20 answers")
        elif tally.measuring:
            tally.conversations += 1


async def measure(bases: list[str], visitors: int, warmup: float, seconds: float) -> Tally:
    tally, stop = Tally(), asyncio.Event()
    lb = RoundRobin(bases)
    tasks = [asyncio.create_task(visitor(lb, tally, stop)) for _ in range(visitors)]
    await asyncio.sleep(warmup)
    tally.measuring, cpu = True, time.process_time()
    await asyncio.sleep(seconds)
    tally.measuring, tally.client_cpu = False, time.process_time() - cpu
    stop.set()
    await asyncio.gather(*tasks)
    return tally


@contextlib.contextmanager
def database(use_sqlite: bool, folder: Path) -> Iterator[tuple[str, str]]:
    """(URL, label) of the benchmark's SQL database."""
    configured = os.environ.get("SAFEVOICE_BENCH_DATABASE_URL")
    if configured:
        yield configured, "PostgreSQL (SAFEVOICE_BENCH_DATABASE_URL)"
        return
    if use_sqlite:
        yield f"sqlite:///{folder / 'feedback.db'}", "SQLite"
        return
    from tests.fixtures.postgres import _throwaway_server, fresh_database

    server, stop = _throwaway_server()
    try:
        with fresh_database(server) as url:
            yield url, "PostgreSQL (throwaway, fsync off)"
    finally:
        stop()


async def run_one(
    n: int, args: argparse.Namespace, folder: Path, env: dict[str, str], config: Path
) -> Tally:
    spawner = Spawner(folder)
    try:
        children = []
        for i in range(n):
            port = free_port()
            argv = ("--config", str(config), "serve", "--host", "127.0.0.1", "--port", str(port))
            children.append(spawner.start(*argv, env=env, port=port, name=f"serve-{n}-{i}"))
        await asyncio.gather(*(child.ready(timeout=120) for child in children))
        return await measure([c.url for c in children], args.visitors, args.warmup, args.seconds)
    finally:
        problems = await asyncio.get_running_loop().run_in_executor(None, spawner.close)
        for problem in problems:
            print(problem, file=sys.stderr)


def row(n: int, visitors: int, seconds: float, tally: Tally) -> list[str]:
    lat = sorted(tally.latencies)
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else 0.0
    return [
        str(n), str(visitors), f"{len(lat) / seconds:,.0f}",
        f"{statistics.median(lat) * 1000:.1f}" if lat else "-", f"{p99 * 1000:.1f}",
        f"{tally.conversations / seconds:.1f}", str(tally.errors),
        f"{tally.client_cpu / seconds:.0%}",
    ]  # fmt: skip


def table(rows: list[list[str]]) -> str:
    head = ["processes", "visitors", "turns/s", "p50 ms", "p99 ms", "feedback/s", "errors",
            "client CPU"]  # fmt: skip
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "| " + " | ".join("-" * (w - 1) + ":" for w in widths) + " |"
    return "\n".join([line(head), rule, *map(line, rows)])


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="sv-bench-web-") as tmp:
        folder = Path(tmp)
        redis = RedisProcess(find_redis_server(), folder)
        redis.start()
        try:
            with database(args.sqlite, folder) as (url, label):
                config = write_config(folder, "http://127.0.0.1:9")  # no Telegram here
                env = {"SAFEVOICE_SECRET_KEY": SECRET, "SAFEVOICE_REDIS_URL": redis.url,
                       "SAFEVOICE_DATABASE_URL": url}  # fmt: skip
                rows = []
                for n in args.processes:
                    tally = await run_one(n, args, folder, env, config)
                    rows.append(row(n, args.visitors, args.seconds, tally))
                    if tally.first_error:
                        print(f"{n} processes, first error: {tally.first_error}", file=sys.stderr)
        finally:
            redis.stop()
    print(
        f"web chat, 13-15 feedback conversation (11 turns), {args.visitors} visitors in a "
        f"closed loop, {args.warmup:g} s warm-up + {args.seconds:g} s measured per row; "
        f"{label}, one redis-server; {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}"
    )
    print(table(rows))


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--visitors", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
