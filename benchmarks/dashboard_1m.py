"""Dashboard queries on 1,000,000 feedback records, on SQLite and PostgreSQL (not a test).

    .venv/bin/python benchmarks/dashboard_1m.py [--records N] [--only sqlite|postgres]

PostgreSQL comes from SAFEVOICE_BENCH_DATABASE_URL, or a throwaway local server started the
same way as the tests' fixture. Prints seconds per view; the target is under 1 s each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import load_app
from bot.services.report import build_report
from bot.storage.feedback import FeedbackStore
from bot.storage.records import FeedbackFilters, FeedbackRecord, iso_week
from bot.web.demo_data import add_many, demo_records

ROOT = Path(__file__).resolve().parents[1]


def fill(store: FeedbackStore, total: int) -> float:
    """Load ``total`` made-up records in one transaction (big batches, one rollup rebuild)."""
    app = load_app(ROOT / "config.toml")
    rng = random.Random(7)
    today = dt.date.today()

    def generate() -> Iterator[FeedbackRecord]:
        left = total
        while left > 0:
            # demo_records gives ~600 realistic records over 12 weeks; spread over 2 years.
            batch = demo_records(app.config, today - dt.timedelta(weeks=rng.randint(0, 90)), rng)
            yield from batch[:left]
            left -= len(batch[:left])

    started = time.perf_counter()
    add_many(store, generate())
    return time.perf_counter() - started


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


def run(name: str, url: str, total: int) -> None:
    with FeedbackStore(url) as store:
        store.create_schema()
        have = store.count()
        if have < total:
            print(f"{name}: loading {total - have:,} records...", flush=True)
            print(f"{name}: loaded in {fill(store, total - have):.1f} s", flush=True)
        print(f"{name}: {store.count():,} records")
        for label, filters in views(dt.date.today()).items():
            started = time.perf_counter()
            build_report(store, filters, 10)
            print(f"  {label:28s} {time.perf_counter() - started:6.2f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--sqlite", default=str(Path(tempfile.gettempdir()) / "sv-bench.db"))
    args = parser.parse_args()
    if args.only in (None, "sqlite"):
        run("SQLite", f"sqlite:///{args.sqlite}", args.records)
    if args.only in (None, "postgres"):
        url = os.environ.get("SAFEVOICE_BENCH_DATABASE_URL")
        stop = None
        if not url:
            from tests.fixtures.postgres import _throwaway_server

            url, stop = _throwaway_server()
        try:
            run("PostgreSQL", url, args.records)
        finally:
            if stop:
                stop()


if __name__ == "__main__":
    main()
