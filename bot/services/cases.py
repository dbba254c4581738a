"""`HandoffService`: cases between young people and the worker desks.

The conversation service calls the young person's side (`request`, `relay_to_worker`,
`stop`, `forget`, `rate`: bot/services/case_requests.py); the Telegram staff group and
the web desk call the worker's side here (`claim`, `relay_to_young_person`, `note`,
`transfer`, `close`, `queue`, ...), the worker tools (bot/services/desk_tools.py) and
`subscribe()` for live updates. See docs/ARCHITECTURE.md, "Cases and handoff".

What a desk gets is a `Case`, a `CaseUpdate`, messages and notes: never the mapping (who
the young person is), which only `_deliver` reads. Nothing here logs a label, key, id or
text. Every claim, transfer, close and note goes to the injected audit log.
"""

from __future__ import annotations

import datetime as dt
import secrets

from bot.engine.events import Say
from bot.inputs.text import clean_text
from bot.services.case_access import Actor, as_actor, check_owner
from bot.services.case_core import (
    Audit,
    CaseConflict,
    CaseError,
    CaseNotFound,
    Deliver,
    gone,
)
from bot.services.case_requests import MAX_TEXT, RATING_FLOW, CaseRequests
from bot.services.desk_reach import unreachable
from bot.storage.cases import Case, CaseNote

__all__ = [
    "RATING_FLOW",
    "Actor",
    "Audit",
    "CaseConflict",
    "CaseError",
    "CaseNotFound",
    "Deliver",
    "HandoffService",
]


def staff_text(text: str, empty: str) -> str:
    """A worker's words as they will be kept and sent: cleaned like the young person's
    (bot/inputs/text.py), and refused, never cut, when too long or empty."""
    text = clean_text(text).strip()
    if not text:
        raise CaseError(empty)
    if len(text) > MAX_TEXT:
        msg = (
            f"not sent: this message has {len(text)} characters and one message can have "
            f"{MAX_TEXT}; send it in two parts"
        )
        raise CaseError(msg)
    return text


MAX_NAME = 40


def _display(display_name: str) -> str:
    name = " ".join(display_name.split())
    if not 0 < len(name) <= MAX_NAME:
        msg = f"choose a display name of 1 to {MAX_NAME} characters"
        raise CaseError(msg)
    return name


class HandoffService(CaseRequests):
    """Both sides of a handoff; see the module docstring and docs/ARCHITECTURE.md."""

    # -- the worker's side (desks) ---------------------------------------------------------
    # `who` is an `Actor` (desks pass one: their organisations, supervisor or not) or a
    # bare worker id (a worker of every organisation). See bot/services/case_access.py.
    async def claim(self, label: str, who: str | Actor, display_name: str) -> Case:
        actor, name = as_actor(who), _display(display_name)

        def claim(case: Case) -> dict[str, object]:
            if case.status == "claimed" and case.worker != actor.id:
                msg = f"{label} is already answered by {case.worker_name}"
                raise CaseConflict(msg)
            return {"status": "claimed", "worker": actor.id, "worker_name": name,
                    "offered_to": None}  # fmt: skip

        before = await self._live(label, actor)
        case = await self._change(label, claim, actor)
        await self._audit_log(actor.id, "case.claim", label)
        await self._publish("claimed", case)
        if before.status != "claimed":
            await self._deliver(label, self.texts.claimed(case))
        return case

    async def take_over(
        self, label: str, who: str | Actor, display_name: str, reason: str | None
    ) -> Case:
        """A supervisor answers a case a colleague claimed, giving a reason (audited);
        the young person is told the supervisor's name."""
        actor, name = as_actor(who), _display(display_name)

        def take(case: Case) -> dict[str, object]:
            check_owner(actor, reason, case, "take over")
            return {"status": "claimed", "worker": actor.id, "worker_name": name,
                    "offered_to": None}  # fmt: skip

        before = await self._live(label, actor)
        if before.status != "claimed" or before.worker == actor.id:
            return await self.claim(label, actor, name)
        case = await self._change(label, take, actor)
        await self._audit_log(actor.id, "case.take_over", f"{label} reason={reason}")
        await self._publish("claimed", case)
        await self._deliver(label, self.texts.claimed(case))
        return case

    async def relay_to_young_person(self, label: str, who: str | Actor, text: str) -> Say:
        """Deliver the claiming worker's message as "<display name>: text"; returns it."""
        actor = as_actor(who)
        case = await self._live(label, actor)
        if case.status != "claimed" or case.worker != actor.id or not case.worker_name:
            msg = f"claim {label} first: only the worker answering it can write to it"
            raise CaseConflict(msg)
        text = staff_text(text, "there is nothing to send")
        item = {"at": self.clock().isoformat(), "sender": "worker", "name": case.worker_name,
                "text": text}  # fmt: skip
        seq = await self.store.append(label, "messages", item)
        say = self.texts.relayed(case, case.worker_name, text)
        await self._deliver(label, [say])
        await self._publish("worker_message", case, seq)
        return say

    async def note(self, label: str, who: str | Actor, text: str) -> CaseNote:
        """An internal note: staff only, never relayed, gone with the case. On a claimed
        case only its worker writes notes (a supervisor takes it over first)."""
        actor = as_actor(who)
        case = await self._live(label, actor)
        if case.status == "claimed" and case.worker != actor.id:
            msg = (
                f"{label} is answered by {case.worker_name}; only they can add notes "
                "(a supervisor can take it over first)"
            )
            raise CaseConflict(msg)
        note = CaseNote(self.clock(), actor.id, staff_text(text, "write the note first"))
        item = {"at": note.at.isoformat(), "worker": actor.id, "text": note.text}
        if await self.store.append(label, "notes", item) is None:
            raise CaseNotFound(gone(label))
        await self._audit_log(actor.id, "case.note", label)
        return note

    async def transfer(
        self, label: str, who: str | Actor, to: str, reason: str | None = None
    ) -> Case:
        """To a worker id, or "desk:telegram" / "desk:web": the case waits to be claimed.
        A colleague's claimed case: only by a supervisor, with a reason (a reassignment).
        A desk that would not show the case (`receiving_desks`) is refused, kindly."""
        now, actor = self.clock(), as_actor(who)

        def transfer(case: Case) -> dict[str, object]:
            check_owner(actor, reason, case, "transfer")
            desk = to.removeprefix("desk:") if to.startswith("desk:") else case.desk
            return {"status": "waiting", "worker": None, "worker_name": None, "desk": desk,
                    "offered_to": None if to.startswith("desk:") else to,
                    "waiting_since": now, "helplines_at": None}  # fmt: skip

        before = await self._live(label, actor)
        over = check_owner(actor, reason, before, "transfer")
        target = to.removeprefix("desk:")
        if to.startswith("desk:") and target not in self.receiving_desks(before):
            raise CaseError(unreachable(target))
        case = await self._change(label, transfer, actor)
        if over:
            await self._audit_log(actor.id, "case.reassign", f"{label} to {to} reason={reason}")
        else:
            await self._audit_log(actor.id, "case.transfer", f"{label} to {to}")
        await self._publish("transferred", case)
        if before.status == "claimed":
            await self._deliver(label, self.texts.transferred(case))
        return case

    async def close(
        self,
        label: str,
        who: str | Actor,
        display_name: str | None = None,
        reason: str | None = None,
    ) -> Case:
        """Close; the young person is told who ended the chat (the name of whoever acted:
        the claiming worker, or the supervisor or worker `display_name`) and offered a
        one-tap anonymous rating. A colleague's claimed case: only a supervisor, with a
        reason."""
        actor = as_actor(who)
        before = await self._live(label, actor)
        over = check_owner(actor, reason, before, "close")
        mine = before.status == "claimed" and before.worker == actor.id
        name = before.worker_name if mine else " ".join((display_name or "").split())
        if over and not 0 < len(name or "") <= MAX_NAME:
            msg = f"choose a display name of 1 to {MAX_NAME} characters"
            raise CaseError(msg)

        def close(case: Case) -> dict[str, object]:
            check_owner(actor, reason, case, "close")
            return {"status": "closed", "closed_by": "worker"}

        case = await self._change(label, close, actor)
        detail = f"{label} reason={reason}" if over else label
        await self._audit_log(actor.id, "case.close", detail)
        await self._publish("closed", case)
        token = secrets.token_urlsafe(9)
        data = {"band": case.age_band or "", "lang": case.language, "service": case.service or ""}
        await self.store.put_token(token, data, self.ttl)
        told = name or self.texts.translator.system(case.language, "Our team")
        await self._deliver(label, self.texts.closed(case, token, told))
        return case

    async def due_for_helplines(self, now: dt.datetime | None = None) -> list[Case]:
        """Waiting cases nobody claimed in time: give their young person the helplines once.

        Safe to run from every process: a case is changed (and told) by one caller only.
        """
        now = now or self.clock()
        limit = dt.timedelta(minutes=self.config.handoff.answer_within_minutes)
        done = []
        for case in await self.store.open_cases():
            if case.status != "waiting" or case.helplines_at or now - case.waiting_since < limit:
                continue
            changed = case.changed(now, helplines_at=now)
            if not await self.store.replace(changed, self.ttl):
                continue  # someone claimed it or another process got there first
            await self._publish("no_answer", changed)
            told = self.texts.no_answer(changed, await self.answering(now))
            await self._deliver(case.label, told)
            done.append(changed)
        return done
