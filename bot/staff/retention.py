"""Retention: free text and whole records are deleted once older than the configured days.

Used by `safevoice purge` (``purge``) and by the daily job the running services register
on the Scheduler (``purge_in_batches``), so both apply exactly the same rule. Both delete
in batches of a few thousand records, one short transaction each (bot/storage/purging.py):
a purge of a million old records never holds the database long enough to keep a staff
login waiting.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass

from bot.config import Privacy
from bot.storage.feedback import PURGE_BATCH, FeedbackStore
from bot.storage.purging import What

__all__ = ["Purged", "purge", "purge_in_batches"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Purged:
    texts: int
    records: int


def _cutoffs(privacy: Privacy, today: dt.date) -> tuple[dt.date, dt.date]:
    return (
        today - dt.timedelta(days=privacy.text_retention_days),
        today - dt.timedelta(days=privacy.record_retention_days),
    )


def _audit(store: FeedbackStore, privacy: Privacy, actor: str, done: Purged) -> None:
    store.audit(
        actor,
        "purge",
        f"texts={done.texts} records={done.records} text_days={privacy.text_retention_days} "
        f"record_days={privacy.record_retention_days}",
    )


def purge(
    store: FeedbackStore,
    privacy: Privacy,
    today: dt.date,
    actor: str,
    *,
    batch_size: int = PURGE_BATCH,
) -> Purged:
    """Apply both retention limits as of ``today``, and write what was done to the audit log."""
    text_day, record_day = _cutoffs(privacy, today)
    done = Purged(
        store.purge_text_older_than(text_day, batch_size=batch_size),
        store.purge_records_older_than(record_day, batch_size=batch_size),
    )
    _audit(store, privacy, actor, done)
    return done


async def purge_in_batches(
    store: FeedbackStore,
    privacy: Privacy,
    today: dt.date | None = None,
    actor: str = "retention-job",
    *,
    batch_size: int = PURGE_BATCH,
    pause: float | None = None,
) -> Purged:
    """``purge`` for a running service: each batch in a worker thread, and the event loop
    (and the database) free for ``pause`` seconds between two batches (default: the
    store's ``purge_pause``), so requests are answered while a big purge goes on."""
    text_day, record_day = _cutoffs(privacy, today or dt.date.today())
    gap = store.purge_pause if pause is None else pause
    texts = await _batches(store, "texts", text_day, batch_size, gap)
    records = await _batches(store, "records", record_day, batch_size, gap)
    done = Purged(texts, records)
    await asyncio.to_thread(_audit, store, privacy, actor, done)
    log.info("retention: removed %d texts and %d records", done.texts, done.records)
    return done


async def _batches(store: FeedbackStore, what: What, day: dt.date, size: int, gap: float) -> int:
    done = await asyncio.to_thread(store.purge_batch, what, day, size=size)
    removed = done.removed
    while done.after is not None:
        await asyncio.sleep(gap)
        done = await asyncio.to_thread(store.purge_batch, what, day, after=done.after, size=size)
        removed += done.removed
    return removed
