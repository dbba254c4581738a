"""Requests for a person: the seam between the conversation service and the worker desks.

`HandoffDesk` is what `ConversationService` calls. `bot.services.cases.HandoffService` is
the real one (cases, desks, relay); `MemoryHandoffDesk` only records requests, for the
console, golden transcripts and tests that need no worker side.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.engine.events import Event, FeedbackSubmitted, HandoffRequested

__all__ = ["Address", "HandoffDesk", "MemoryHandoffDesk"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Address:
    """Where a channel delivers to one chat (Telegram: the chat id). Never shown to staff."""

    channel: str
    address: str


class HandoffDesk(Protocol):
    async def request(
        self, key: str, event: HandoffRequested, address: Address | None = None
    ) -> Sequence[Event]:
        """Open (or raise) a case for the chat behind `key`, a pseudonymous HMAC.

        Returns what to tell the young person besides the flow's own text.
        """

    async def forget(self, key: str) -> None:
        """Close the chat's case at once and drop its mapping ("delete my data")."""

    async def stop(self, key: str) -> Sequence[Event]:
        """The young person typed /stop: close their open case, if any."""

    async def has_open_case(self, key: str) -> bool:
        """Whether the chat behind `key` has an open case (typed text would go to it)."""

    async def relay_to_worker(self, key: str, text: str) -> bool:
        """Hand typed text to the chat's open case; False when there is none."""

    async def rate(self, value: str) -> tuple[FeedbackSubmitted | None, Sequence[Event]]:
        """A press on the after-close rating: the anonymous record to store, and a reply."""


@dataclass
class MemoryHandoffDesk:
    """Keeps open requests in memory, one per chat: for the console, the demo and tests."""

    open: dict[str, HandoffRequested] = field(default_factory=dict)

    async def request(
        self, key: str, event: HandoffRequested, address: Address | None = None
    ) -> Sequence[Event]:
        previous = self.open.get(key)
        urgent = event.urgent or (previous.urgent if previous else False)
        priority = event.priority or (previous.priority if previous else False)
        self.open[key] = HandoffRequested(
            event.reason, event.age_band, event.language, event.service, urgent, priority
        )
        # No key, no text: only what staff may know anyway.
        log.info(
            "handoff requested: band=%s lang=%s urgent=%s priority=%s",
            event.age_band, event.language, urgent, priority,
        )  # fmt: skip
        return ()

    async def forget(self, key: str) -> None:
        self.open.pop(key, None)

    async def stop(self, key: str) -> Sequence[Event]:
        return ()

    async def has_open_case(self, key: str) -> bool:
        return False

    async def relay_to_worker(self, key: str, text: str) -> bool:
        return False

    async def rate(self, value: str) -> tuple[FeedbackSubmitted | None, Sequence[Event]]:
        return None, ()
