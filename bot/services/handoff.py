"""Requests for a person. The queue here is the seam the worker desks plug into."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

from bot.engine.events import HandoffRequested

log = logging.getLogger(__name__)


class HandoffDesk(Protocol):
    async def request(self, key: str, event: HandoffRequested) -> None:
        """Open (or raise) a case for the chat behind `key`, a pseudonymous HMAC."""

    async def forget(self, key: str) -> None:
        """Close the chat's case at once and drop its mapping ("delete my data")."""


@dataclass
class MemoryHandoffDesk:
    """Keeps open requests in memory, one per chat: for the console, the demo and tests."""

    open: dict[str, HandoffRequested] = field(default_factory=dict)

    async def request(self, key: str, event: HandoffRequested) -> None:
        previous = self.open.get(key)
        urgent = event.urgent or (previous.urgent if previous else False)
        self.open[key] = HandoffRequested(
            event.reason, event.age_band, event.language, event.service, urgent
        )
        # No key, no text: only what staff may know anyway.
        log.info(
            "handoff requested: band=%s lang=%s urgent=%s", event.age_band, event.language, urgent
        )

    async def forget(self, key: str) -> None:
        self.open.pop(key, None)
