"""Turning the engine's `FeedbackSubmitted` into an anonymous record in the SQL store."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

from bot.engine.events import FeedbackSubmitted
from bot.storage.feedback import FeedbackStore
from bot.storage.records import Answer, FeedbackRecord


class FeedbackService:
    """Builds records with the injected clock (only the ISO week is kept) and stores them."""

    def __init__(self, store: FeedbackStore, today: Callable[[], dt.date] = dt.date.today) -> None:
        self.store, self.today = store, today

    def record(self, event: FeedbackSubmitted, record_id: str | None = None) -> FeedbackRecord:
        return FeedbackRecord.build(
            flow_id=event.flow_id,
            flow_version=event.flow_version,
            age_band=event.age_band,
            language=event.language,
            service=event.service,
            answers=(Answer(key, kind, value) for key, kind, value in event.answers),
            today=self.today(),
            id=record_id,
        )

    async def submit(self, event: FeedbackSubmitted, *, record_id: str | None = None) -> None:
        """Store the record; under a `record_id` already stored, nothing more (a replay)."""
        record = self.record(event, record_id)
        # The SQL layer is synchronous; keep the event loop free for other chats.
        await asyncio.to_thread(self.store.add, record)
