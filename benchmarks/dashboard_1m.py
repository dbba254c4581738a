"""Dashboard queries on 1,000,000 feedback records, on SQLite and PostgreSQL (not a test).

    .venv/bin/python benchmarks/dashboard_1m.py [--records N] [--only sqlite|postgres]
        [--sqlite PATH] [--config config.toml]

PostgreSQL comes from SAFEVOICE_BENCH_DATABASE_URL, or a throwaway local server started the
same way as the tests' fixture. Prints seconds per view (the full ``build_report``, and how
much of it was the comments), uncached (the first run of each view, plan cache emptied:
what a view costs after new feedback) and cached (the best of the other runs); the target
is under 1 s each. Then one view after a real new record, and the memory of one plan.
Adds one record to the database each run.

Loading is sped up here only, never in the product: the secondary indexes of the raw
tables are dropped for the bulk load and built once afterwards, and on SQLite the loading
connection runs with ``synchronous=OFF`` and ``journal_mode=MEMORY`` (a crash mid-load
loses the benchmark database, which is fine for made-up data).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import os
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import App, load_app
from bot.runtime import build_runtime
from bot.services import report as report_module
from bot.services.plans import PLANS, Plan
from bot.services.report import build_report
from bot.storage import rollup
from bot.storage.bulk import add_many
from bot.storage.feedback import FeedbackStore
from bot.storage.records import FeedbackFilters, FeedbackRecord, iso_week
from bot.web.demo_data import demo_records

ROOT = Path(__file__).resolve().parents[1]


def _bulk_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    for pragma in ("synchronous=OFF", "journal_mode=MEMORY", "cache_size=-400000"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


@contextlib.contextmanager
def dashboard_store(app: App, url: str) -> Iterator[FeedbackStore]:
    """The store the dashboard of `safevoice serve` reads, from the composition root
    (schema brought up to date there); SQLite and PostgreSQL both come through here."""
    runtime = build_runtime(app, "test", database_url=url)
    try:
        yield runtime.store
    finally:
        runtime.store.close()


def fill(app: App, url: str, total: int) -> float:
    """Load ``total`` made-up records in one transaction (big batches, one rollup rebuild)."""
    rng = random.Random(7)
    today = dt.date.today()

    def generate() -> Iterator[FeedbackRecord]:
        left = total
        while left > 0:
            # demo_records gives ~600 realistic records over 12 weeks; spread over 2 years.
            batch = demo_records(app.config, today - dt.timedelta(weeks=rng.randint(0, 90)), rng)
            yield from batch[:left]
            left -= len(batch[:left])

    indexes = [
        index for table in (rollup.records_table, rollup.answers_table) for index in table.indexes
    ] + [rollup.text_index]
    with dashboard_store(app, url) as store:
        if store.engine.dialect.name == "sqlite":
            sa.event.listen(store.engine, "connect", _bulk_pragmas)
            store.engine.dispose()  # the schema check's connection lacks the pragmas
        started = time.perf_counter()
        with store.engine.begin() as conn:
            for index in indexes:
                index.drop(conn, checkfirst=True)
        add_many(store, generate())
        loaded = time.perf_counter()
        with store.engine.begin() as conn:
            for index in indexes:
                index.create(conn, checkfirst=True)
            conn.execute(sa.text("ANALYZE"))
        done = time.perf_counter()
    print(f"  rows + rollup {loaded - started:.1f} s, indexes + ANALYZE {done - loaded:.1f} s")
    return done - started


def views(today: dt.date) -> dict[str, FeedbackFilters]:
    last12 = iso_week(today - dt.timedelta(weeks=11))
    return {
        "overview (all, 12 weeks)": FeedbackFilters(week_from=last12),
        "overview (all time)": FeedbackFilters(),
        "service=shelter": FeedbackFilters(services=("shelter",), week_from=last12),
        "scoped (2 services)": FeedbackFilters(services=("shelter", "health"), week_from=last12),
        "band=13-15": FeedbackFilters(age_band="13-15", week_from=last12),
        "lang=ar": FeedbackFilters(language="ar", week_from=last12),
        "service+band+lang": FeedbackFilters(
            services=("shelter",), age_band="16-17", language="ro", week_from=last12
        ),
    }


class _Timed:
    """The store, with the time spent fetching comments added up."""

    def __init__(self, store: FeedbackStore) -> None:
        self.store = store
        self.comments = 0.0

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.store, name)
        if name != "text_samples":
            return method

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.comments += time.perf_counter() - started

        return timed


def run(name: str, url: str, total: int, config: Path, repeat: int) -> None:
    app = load_app(config)
    with dashboard_store(app, url) as store:
        have = store.count()
    if have < total:
        print(f"{name}: loading {total - have:,} records...", flush=True)
        print(f"{name}: loaded in {fill(app, url, total - have):.1f} s", flush=True)
    # A fresh store for the views: the loading pragmas (a 400 MB cache) must not help them.
    with dashboard_store(app, url) as store:
        print(
            f"{name}: {store.count():,} records; build_report s: uncached (the first run, "
            "plan cache emptied), cached (best of the other runs), (of which comments)"
        )
        build_report(store, FeedbackFilters(), 10)  # warm the connection pool and cache
        for label, filters in views(dt.date.today()).items():
            PLANS.clear()  # the first run works its plan out, as after any new record
            best, best_comments, shown, more, first = float("inf"), 0.0, 0, 0, 0.0
            for n in range(repeat):
                timed = _Timed(store)
                started = time.perf_counter()
                result = build_report(timed, filters, 10)
                took = time.perf_counter() - started
                first = took if n == 0 else first
                if n > 0 and took < best:
                    best, best_comments = took, timed.comments
                shown = sum(len(q.texts) for q in result.questions)
                more = sum(q.more_texts for q in result.questions)
            print(
                f"  {label:28s} uncached {first:5.2f} s, cached {best:5.2f} s "
                f"({best_comments:.2f} s; {shown} comments shown, {more:,} more)",
                flush=True,
            )
        overview = views(dt.date.today())["overview (all, 12 weeks)"]
        build_report(store, overview, 10)
        store.add(next(iter(demo_records(app.config, dt.date.today(), random.Random(8)))))
        started = time.perf_counter()
        build_report(store, overview, 10)
        print(f"  overview after a new record  {time.perf_counter() - started:5.2f} s (replans)")
        print(f"  one plan of all services holds {plan_memory(store) / 1e6:.0f} MB (tracemalloc)")


def plan_memory(store: FeedbackStore) -> int:
    """Bytes a cached plan keeps alive (its counts included), as tracemalloc sees them."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        plan = Plan(store.atom_counts(()), 10)
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    del plan
    return held


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--sqlite", default=str(Path(tempfile.gettempdir()) / "sv-bench.db"))
    parser.add_argument(
        "--config",
        type=Path,
        default=ROOT / "config.toml",
        help="config for the made-up services and bands (e.g. `git show HEAD:config.toml`)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per view; the best counts")
    args = parser.parse_args()
    print(f"comments per group: {getattr(report_module, 'COMMENTS_PER_GROUP', None)}")
    if args.only in (None, "sqlite"):
        run("SQLite", f"sqlite:///{args.sqlite}", args.records, args.config, args.repeat)
    if args.only in (None, "postgres"):
        url = os.environ.get("SAFEVOICE_BENCH_DATABASE_URL")
        stop = None
        if not url:
            from tests.fixtures.postgres import _throwaway_server

            url, stop = _throwaway_server()
        try:
            run("PostgreSQL", url, args.records, args.config, args.repeat)
        finally:
            if stop:
                stop()


if __name__ == "__main__":
    main()
