"""The parts of `HandoffService` every action stands on: wiring, reading cases, and the
only places that change a case, publish, audit, and reach a young person (`_deliver`, the
one reader of the mapping). Import from `bot.services.cases`, not from here.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from bot.config import Config
from bot.engine.events import Event
from bot.errors import SafeVoiceError
from bot.i18n.translator import Translator
from bot.services.handoff_texts import HandoffTexts
from bot.services.hours import OfficeHours
from bot.storage.cases import (
    Case,
    CaseHub,
    CaseMessage,
    CaseNote,
    CaseStore,
    CaseUpdate,
    UpdateKind,
)

if TYPE_CHECKING:
    from bot.services.case_access import Actor

__all__ = [
    "Audit", "CaseConflict", "CaseCore", "CaseError", "CaseNotFound", "Deliver", "gone",
]  # fmt: skip

log = logging.getLogger(__name__)

Deliver = Callable[[str, Sequence[Event]], Awaitable[None]]
Audit = Callable[[str, str, str], object]


class CaseError(SafeVoiceError):
    """A worker action that cannot be done; the message can be shown to the worker."""


class CaseNotFound(CaseError):
    pass


class CaseConflict(CaseError):
    pass


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class CaseCore:
    def __init__(
        self,
        store: CaseStore,
        hub: CaseHub,
        config: Config,
        translator: Translator,
        *,
        clock: Callable[[], dt.datetime] = _utcnow,
        audit: Audit | None = None,
        rng: random.Random | None = None,
    ) -> None:
        """`audit(actor, action, detail)` is synchronous (FeedbackStore.audit fits); it runs
        in a worker thread. Channels register `deliverers[channel]` to reach young people."""
        self.store, self.hub, self.config, self.clock = store, hub, config, clock
        self.hours = OfficeHours(config.handoff)
        self.texts = HandoffTexts(config, translator, self.hours)
        self.deliverers: dict[str, Deliver] = {}
        self._audit, self._rng = audit, rng
        self.ttl = config.handoff.case_ttl_hours * 3600.0
        self.grace = config.handoff.grace_minutes * 60.0

    # -- reading (desks) -----------------------------------------------------------------
    async def queue(self, actor: Actor | None = None) -> list[Case]:
        """Open cases, urgent first, then priority, then the others; oldest first in each.
        With `actor`: only those of the organisations they may see."""
        cases = await self.store.open_cases()
        return cases if actor is None else [c for c in cases if self.visible(c, actor)]

    async def get(self, label: str, actor: Actor | None = None) -> Case | None:
        """The case; None when it is gone, or (with `actor`) not theirs to see."""
        case = await self.store.get(label)
        if case is None or (actor is not None and not self.visible(case, actor)):
            return None
        return case

    def organisation_of(self, case: Case) -> str:
        """Whose desk answers it (a case stored before routing: the default desk's)."""
        return case.organisation or self.config.handoff.desk_organisation

    def visible(self, case: Case, actor: Actor) -> bool:
        return actor.sees(self.organisation_of(case))

    async def transcript(self, label: str, start: int = 0) -> list[CaseMessage]:
        items = await self.store.read(label, "messages", start)
        return [
            CaseMessage(
                start + i, dt.datetime.fromisoformat(m["at"]), m["sender"], m.get("name"), m["text"]
            )
            for i, m in enumerate(items)
        ]

    async def notes(self, label: str) -> list[CaseNote]:
        items = await self.store.read(label, "notes")
        return [CaseNote(dt.datetime.fromisoformat(n["at"]), n["worker"], n["text"]) for n in items]

    def subscribe(self) -> contextlib.AbstractAsyncContextManager[AsyncIterator[CaseUpdate]]:
        """``async with service.subscribe() as updates: async for update in updates:``"""
        return self.hub.subscribe()

    # -- inside ------------------------------------------------------------------------------
    async def _live(self, label: str, actor: Actor | None = None) -> Case:
        # Another organisation's case is "not open" to `actor`: labels cannot be probed.
        case = await self.get(label, actor)
        if case is None or not case.open:
            raise CaseNotFound(gone(label))
        return case

    async def _change(
        self, label: str, values: Callable[[Case], dict[str, object]], actor: Actor | None = None
    ) -> Case:
        for _ in range(10):
            case = await self._live(label, actor)
            new = case.changed(self.clock(), **values(case))
            if await self.store.replace(new, self.ttl if new.open else self.grace):
                return new
        msg = f"{label} is changing right now; please try again"
        raise CaseConflict(msg)

    async def _publish(self, kind: UpdateKind, case: Case, seq: int | None = None) -> None:
        await self.hub.publish(CaseUpdate(kind, case, seq))

    async def _audit_log(self, actor: str, action: str, detail: str) -> None:
        if self._audit is not None:
            await asyncio.to_thread(self._audit, actor, action, detail)

    async def _deliver(self, label: str, events: Sequence[Event]) -> None:
        mapping = await self.store.mapping(label)
        deliver = self.deliverers.get(mapping.channel) if mapping else None
        if mapping is None or deliver is None:
            log.warning("a message for a young person could not be delivered (no channel)")
            return
        try:
            await deliver(mapping.address, events)
        except Exception as exc:  # a desk action must not fail on delivery
            log.warning(
                "a message for a young person could not be delivered (%s)", type(exc).__name__
            )


def gone(label: str) -> str:
    return f"{label} is not open (closed, or it expired)"
