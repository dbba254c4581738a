"""Setting an update aside (it could not be read, or kept failing) so everyone else is
answered: a record of its kind and error class only, and a log line saying the same."""

from __future__ import annotations

import logging

from bot.errors import StorageError
from bot.storage.dead_letters import DeadLetter, DeadLetterStore, safe_name

__all__ = ["DeadLetterService"]

log = logging.getLogger(__name__)


class DeadLetterService:
    def __init__(self, store: DeadLetterStore) -> None:
        self.store = store

    async def record(self, source: str, kind: str, error: str) -> None:
        """Never raises: moving on matters more than the record."""
        kind, error = safe_name(kind), safe_name(error)
        log.warning("set aside an update (%s, %s)", kind, error)
        try:
            await self.store.add(source, kind, error)
        except StorageError as exc:
            log.warning("could not record a dead letter (%s)", type(exc).__name__)

    async def recent(self, source: str, limit: int = 100) -> list[DeadLetter]:
        return await self.store.recent(source, limit)
