"""Retention purges in batches (SQLite and PostgreSQL): a staff login gets in between two
batches, and after every batch the rollup still matches the rows."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Privacy
from bot.staff.accounts import Accounts
from bot.staff.retention import purge, purge_in_batches
from bot.storage.accounts import SqlAccountStore
from bot.storage.bulk import add_many
from bot.storage.feedback import PURGE_BATCH, FeedbackStore
from bot.storage.purging import PurgeBatch, What
from bot.storage.records import FeedbackFilters, FeedbackRecord
from bot.storage.rollup import cutoff
from tests.fixtures.keys import TEST_KEYS
from tests.storage.test_rollup import MONDAY, check_all, direct, from_rollup, random_record

PASSWORD = "a long password here"
# Text kept 3 weeks, records 8: random_record spreads records over the 12 weeks before MONDAY.
PRIVACY = Privacy(text_retention_days=21, record_retention_days=56)


class WatchedStore(FeedbackStore):
    """Writes down when each batch begins and ends, and whether the rollup still matches
    the rows right after it (in the batch's worker thread, before anything else runs)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.events: list[str] = []
        self.consistent: list[bool] = []

    def purge_batch(
        self, what: What, day: dt.date, *, after: str = "", size: int = PURGE_BATCH
    ) -> PurgeBatch:
        self.events.append(f"{what} batch")
        done = super().purge_batch(what, day, after=after, size=size)
        self.events.append(f"{what} batch done")
        everything = FeedbackFilters()
        self.consistent.append(
            from_rollup(self, everything, True) == direct(self, everything, True)
        )
        return done


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[WatchedStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/feedback.db"
    else:
        url = request.getfixturevalue("pg_database_url")
    opened = WatchedStore(url)
    try:
        opened.create_schema()
        yield opened
    finally:
        opened.close()


def expected_after(
    records: list[FeedbackRecord], privacy: Privacy = PRIVACY
) -> tuple[int, int, int]:
    """(records kept, text answers kept, text answers deleted) by the retention rule, as
    of MONDAY. The text pass comes first, so it also counts the text of records it leaves
    for the record pass to delete."""
    text_day = cutoff(MONDAY - dt.timedelta(days=privacy.text_retention_days))
    record_day = cutoff(MONDAY - dt.timedelta(days=privacy.record_retention_days))

    def texts(old: bool) -> int:
        return sum(
            a.kind == "text"
            for r in records
            for a in r.answers
            if (r.week_start <= text_day) == old
        )

    return sum(r.week_start > record_day for r in records), texts(False), texts(True)


async def test_first_purge_on_a_large_database_does_not_hold_a_staff_login(
    store: WatchedStore,
) -> None:
    # Regression: one transaction for the whole first purge held SQLite's lock for 9 s on
    # a million records, and the first staff login of the day waited for all of it.
    rng = random.Random(7)
    records = [random_record(rng) for _ in range(400)]
    add_many(store, records)
    accounts = Accounts(SqlAccountStore(store.engine), keys=TEST_KEYS)
    accounts.add("ana", "worker", ("ngo",), PASSWORD)
    timeline = store.events

    async def staff_login() -> None:
        while "records batch done" not in timeline:  # the purge is well under way
            await asyncio.sleep(0.005)
        # What the login handler does (bot/web/auth.py): check, write the audit log; then
        # the dashboard reads.
        assert await asyncio.to_thread(accounts.verify, "ana", PASSWORD) is not None
        await asyncio.to_thread(store.audit, "ana", "login")
        await asyncio.to_thread(store.weekly_counts)
        timeline.append("login done")

    # PostgreSQL needs no rest between batches (it locks rows, not the database); a short
    # one here only keeps this purge going long enough to have a middle.
    pause = max(store.purge_pause, 0.05)
    # Text kept as long as records: a short text pass, so the test is quick.
    privacy = Privacy(text_retention_days=56, record_retention_days=56)
    login = asyncio.create_task(staff_login())
    done = await purge_in_batches(store, privacy, MONDAY, "test", batch_size=20, pause=pause)
    timeline.append("purge done")
    await asyncio.wait_for(login, 30)

    login_done = timeline.index("login done")
    assert login_done < timeline.index("purge done")
    assert "records batch" in timeline[login_done:]  # in the middle of the purge
    kept, texts, deleted = expected_after(records, privacy)
    assert (done.texts, done.records) == (deleted, len(records) - kept)
    assert store.count() == kept
    assert len(store.text_answers()) == texts
    assert all(store.consistent)
    check_all(store, rng)
    assert [e.action for e in store.audit_entries()][:2] == ["purge", "login"]


@pytest.mark.parametrize("size", [1, 7, 5000])
def test_a_batched_purge_keeps_the_rollup_exact(store: WatchedStore, size: int) -> None:
    rng = random.Random(size)
    records = [random_record(rng) for _ in range(80)]
    for record in records[:40]:
        store.add(record)
    add_many(store, records[40:])
    store.purge_pause = 0.0  # no login to let in here; 100 batches need no rests
    stored = list(store.iter_records())  # `add` drops a repeated answer
    done = purge(store, PRIVACY, MONDAY, "cli", batch_size=size)
    kept, texts, deleted = expected_after(stored)
    assert (done.texts, done.records) == (deleted, len(records) - kept)
    assert store.count() == kept
    assert len(store.text_answers()) == texts
    assert store.consistent
    assert all(store.consistent)
    check_all(store, rng)
    # Nothing left to do: a second purge deletes nothing and changes no count.
    before = from_rollup(store, FeedbackFilters(), True)
    assert purge(store, PRIVACY, MONDAY, "cli", batch_size=size) == type(done)(0, 0)
    assert from_rollup(store, FeedbackFilters(), True) == before
