"""Retention: free text and whole records are deleted once older than the configured days.

Used by `safevoice purge` and by the daily job of the running web service, so both apply
exactly the same rule.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from bot.config import Privacy
from bot.errors import StorageError
from bot.storage.feedback import FeedbackStore

log = logging.getLogger(__name__)

DAY = 24 * 3600.0


@dataclass(frozen=True, slots=True)
class Purged:
    texts: int
    records: int


def purge(store: FeedbackStore, privacy: Privacy, today: dt.date, actor: str) -> Purged:
    """Apply both retention limits as of ``today``, and write what was done to the audit log."""
    texts = store.purge_text_older_than(today - dt.timedelta(days=privacy.text_retention_days))
    records = store.purge_records_older_than(
        today - dt.timedelta(days=privacy.record_retention_days)
    )
    store.audit(
        actor,
        "purge",
        f"texts={texts} records={records} text_days={privacy.text_retention_days} "
        f"record_days={privacy.record_retention_days}",
    )
    return Purged(texts, records)


async def daily_purge(
    store: FeedbackStore,
    privacy: Privacy,
    today: Callable[[], dt.date] = dt.date.today,
    every: float = DAY,
) -> None:
    """Run ``purge`` now and then every ``every`` seconds, until cancelled."""
    while True:
        try:
            done = await asyncio.to_thread(purge, store, privacy, today(), "retention-job")
            log.info("retention: removed %d texts and %d records", done.texts, done.records)
        except StorageError:
            # Try again at the next run; the service keeps running.
            log.exception("retention: the purge failed")
        await asyncio.sleep(every)
