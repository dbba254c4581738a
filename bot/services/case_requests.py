"""The young person's side of `HandoffService`: asking for a person (a case opens, or
the open one moves up), their messages to the desk, stopping, "delete my data", and the
one-tap rating after a chat. `ConversationService` calls these through `HandoffDesk`
(bot/services/handoff.py). Import `HandoffService` from `bot.services.cases`.

The young person is known here only by the pseudonymous session key; a case holds a
random label, and the mapping between them is written once, on opening.
"""

from __future__ import annotations

import contextlib

from bot.engine.events import Event, FeedbackSubmitted, HandoffRequested
from bot.errors import StorageError
from bot.privacy.keys import case_label
from bot.services.case_core import CaseError
from bot.services.desk_tools import DeskTools
from bot.services.handoff import Address
from bot.services.handoff_texts import RATING_FACES
from bot.storage.cases import Case, LabelTakenError, Mapping

__all__ = ["MAX_TEXT", "RATING_FLOW", "YOUNG_PERSON", "CaseRequests"]

RATING_FLOW = "handoff_rating"
YOUNG_PERSON = "young-person"  # the audit log's actor for the young person's own actions
MAX_TEXT = 4000  # one message, either way


class CaseRequests(DeskTools):
    async def request(
        self, key: str, event: HandoffRequested, address: Address | None = None
    ) -> list[Event]:
        now = self.clock()
        if not event.urgent:  # a clear danger signal reaches a worker even when blocked
            refused = await self.blocked_reply(key, event.language, event.age_band, event.service)
            if refused is not None:
                return list(refused)
        answering = await self.answering(now)
        where = address or Address("", "")
        mapping = Mapping(key, where.channel, where.address)
        for _ in range(50):
            case = Case(
                case_label(self._rng), "waiting", event.urgent, event.age_band, event.language,
                event.service, event.reason, now, now, now,
                helplines_at=None if answering else now,
                priority=event.priority, organisation=self.config.desk_for(event.service),
            )  # fmt: skip
            try:
                stored, new = await self.store.open(case, mapping, self.ttl)
                break
            except LabelTakenError:
                continue
        else:
            msg = "no free case label; too many open cases"
            raise StorageError(msg)
        if event.rule:
            # Why this case is urgent, for a safeguarding lead: the phrase file and line.
            await self._audit_log("safety", "case.danger", f"{stored.label} {event.rule}")
        if new:
            await self._publish("urgent" if case.urgent else "opened", case)
            return list(self.texts.opened(case, now, answering))
        if event.urgent and not stored.urgent:
            with contextlib.suppress(CaseError):
                stored = await self._change(stored.label, lambda c: {"urgent": True})
                await self._publish("urgent", stored)
        elif event.priority and stored.rank > 1:
            # Asked again, now saying they do not feel safe: the open case moves up.
            with contextlib.suppress(CaseError):
                stored = await self._change(stored.label, lambda c: {"priority": True})
                await self._publish("priority", stored)
        return list(self.texts.state(stored))

    async def relay_to_worker(self, key: str, text: str) -> bool:
        case = await self.store.find(key)
        if case is None:
            return False
        item = {"at": self.clock().isoformat(), "sender": "young_person", "text": text[:MAX_TEXT]}
        seq = await self.store.append(case.label, "messages", item)
        if seq is None:
            return False
        await self._publish("message", case, seq)
        return True

    async def has_open_case(self, key: str) -> bool:
        """Whether the person behind session key `key` has an open case: the web chat
        keeps a text box on screen while they have one."""
        return await self.store.find(key) is not None

    async def open_case(self, key: str) -> Case | None:
        """The open case of the person behind session key `key`, if any (what staff may
        know of it: never the mapping)."""
        return await self.store.find(key)

    async def media_relayed(self, label: str, kind: str) -> None:
        """The audit's line for a photo, voice note, place... the young person chose to
        send to the desk: the kind only, never the file, its id or a caption."""
        await self._audit_log(YOUNG_PERSON, "case.media", f"{label} {kind}")

    async def stop(self, key: str) -> list[Event]:
        case = await self.store.find(key)
        if case is None:
            return []
        with contextlib.suppress(CaseError):
            closed = await self._change(
                case.label, lambda c: {"status": "closed", "closed_by": "young_person"}
            )
            await self._audit_log(YOUNG_PERSON, "case.withdraw", case.label)
            await self._publish("closed", closed)
        return list(self.texts.stopped(case.language))

    async def forget(self, key: str) -> None:
        """Delete my data: the case, its mapping, messages and notes go now, no grace."""
        case = await self.store.find(key)
        if case is None:
            return
        await self.store.purge(case.label)
        gone = case.changed(self.clock(), status="closed", closed_by="deleted")
        await self._audit_log(YOUNG_PERSON, "case.delete", case.label)
        await self._publish("closed", gone)

    async def rate(self, value: str) -> tuple[FeedbackSubmitted | None, list[Event]]:
        face, _, token = value.partition(".")
        if face not in dict(RATING_FACES) or not token:
            return None, []
        data = await self.store.take_token(token)
        if data is None or not data.get("band"):
            return None, []  # pressed twice, or too late: nothing to record
        lang = data.get("lang") or self.config.languages.source
        record = FeedbackSubmitted(
            RATING_FLOW, 1, data["band"], lang, data.get("service") or None,
            (("rating", "scale", face),),
        )  # fmt: skip
        return record, list(self.texts.rated(lang, data["band"]))
