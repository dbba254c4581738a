"""The worker tools both desks share, as part of `HandoffService`: who is on duty, blocking
an abusive sender for a while, an alert when a waiting case passes its time, approved
replies, and the outcome form on close. Import `HandoffService` from
`bot.services.cases`; the runtime wires `presence`, `blocks` and `record_outcome`.

Blocking works on the pseudonymous session key behind a case, through the mapping only
this service reads: the worker names the case label, never learns who it is, and the
block list keeps a digest of the key (never the key). A blocked young person is told
kindly and cannot ask for a person until the block ends; danger signals still get their
safety answer from the flows, and a clear danger signal still opens an urgent case.

The outcome form is stored as an anonymous record (flow `case_outcome`: band, language,
service, week, the chosen category and outcome keys), so the dashboard counts it with
the same small-group suppression as feedback. No label, worker or note goes with it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.config import Config
from bot.engine.events import FeedbackSubmitted, Say
from bot.services.case_access import Actor, as_actor, check_owner
from bot.services.case_core import CaseCore, CaseError, CaseNotFound, gone
from bot.services.desk_reach import receiving_desks
from bot.storage.cases import Case
from bot.storage.desk_tools import BlockStore, PresenceStore

__all__ = ["OUTCOME_FLOW", "DeskTools", "ReplyChoice", "key_digest", "outcome_wording"]

OUTCOME_FLOW = "case_outcome"
CATEGORY_KEY, OUTCOME_KEY = "case_category", "case_outcome"

RecordOutcome = Callable[[FeedbackSubmitted], Awaitable[None]]


def outcome_wording(config: Config) -> dict[tuple[str, str], tuple[str, dict[str, str]]]:
    """How the dashboard names the outcome form's questions and answers: (key, kind) ->
    (question, stored value -> label), from `[desk]`."""
    desk = config.desk
    return {
        (CATEGORY_KEY, "multi"): ("Workers' outcome form: what the case was about",
                                  dict(desk.categories)),
        (OUTCOME_KEY, "choice"): ("Workers' outcome form: how the case ended",
                                  dict(desk.outcomes)),
    }  # fmt: skip


def key_digest(key: str) -> str:
    """What the block list keeps of a session key: a hash of it, so the list alone finds
    no conversation (the key indexes sessions; its digest indexes nothing)."""
    return hashlib.sha256(f"sv-block:{key}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ReplyChoice:
    """An approved reply as a desk offers it for one case: in the case's language when
    there is a version in it (`lang` says which was used)."""

    id: str
    title: str
    lang: str
    text: str


class _ClosesCases(Protocol):
    """What the outcome form needs of the service it is part of: `HandoffService.close`
    (defined with the other case actions). A self-type, so mypy checks at each call that
    the service has it, and nothing stands in for it at run time."""

    config: Config
    record_outcome: RecordOutcome | None

    async def close(
        self,
        label: str,
        who: str | Actor,
        display_name: str | None = None,
        reason: str | None = None,
    ) -> Case: ...


class DeskTools(CaseCore):
    presence: PresenceStore | None = None
    blocks: BlockStore | None = None
    record_outcome: RecordOutcome | None = None
    # Whether this process serves a web desk (the runtime: every mode but `run`).
    web_here: bool = True

    # -- where a case can go -------------------------------------------------------------
    def receiving_desks(self, case: Case) -> tuple[str, ...]:
        """The desks ("web", "telegram") that would show `case`: where it may be sent."""
        return receiving_desks(self.config, self.organisation_of(case), web_here=self.web_here)

    # -- who is on duty -----------------------------------------------------------------------
    async def on_duty(self, now: dt.datetime | None = None) -> list[str]:
        if self.presence is None:
            return []
        return await self.presence.on_duty((now or self.clock()).timestamp())

    async def answering(self, now: dt.datetime) -> bool:
        """Whether a young person may be told "soon": office hours (holidays closed) and,
        with `[desk] on_duty = "workers"`, at least one worker on duty."""
        if not self.hours.is_open(now):
            return False
        return self.config.desk.on_duty == "hours" or bool(await self.on_duty(now))

    async def start_duty(self, worker: str) -> dt.datetime:
        """`worker` is on duty for `[desk] duty_hours` (or until `end_duty`)."""
        now = self.clock()
        until = now + dt.timedelta(hours=self.config.desk.duty_hours)
        if self.presence is not None:
            await self.presence.start(worker, until.timestamp())
        await self._audit_log(worker, "duty.start", f"until {until.isoformat()}")
        return until

    async def end_duty(self, worker: str) -> None:
        if self.presence is not None:
            await self.presence.end(worker)
        await self._audit_log(worker, "duty.end", "")

    # -- blocking ---------------------------------------------------------------------------
    async def is_blocked(self, key: str) -> bool:
        if self.blocks is None:
            return False
        return (
            await self.blocks.blocked_until(key_digest(key), self.clock().timestamp()) is not None
        )

    async def block(
        self, label: str, who: str | Actor, hours: int, reason: str | None = None
    ) -> Case:
        """Block the sender behind `label` for `hours` (one of `[desk] block_hours`) and
        close the case; they are told kindly, without a rating. A colleague's claimed
        case: a supervisor only, with a reason."""
        actor = as_actor(who)
        if hours not in self.config.desk.block_hours:
            allowed = ", ".join(str(h) for h in self.config.desk.block_hours)
            msg = f"choose how long to block: {allowed} hours"
            raise CaseError(msg)
        before = await self._live(label, actor)
        check_owner(actor, reason, before, "block the sender of")
        mapping = await self.store.mapping(label)
        if mapping is None or self.blocks is None:
            raise CaseNotFound(gone(label))
        now = self.clock()
        until = now + dt.timedelta(hours=hours)
        await self.blocks.block(key_digest(mapping.key), until.timestamp(), now.timestamp())

        def close(case: Case) -> dict[str, object]:
            check_owner(actor, reason, case, "block the sender of")
            return {"status": "closed", "closed_by": "worker"}

        case = await self._change(label, close, actor)
        detail = f"{label} hours={hours}" + (f" reason={reason}" if reason else "")
        await self._audit_log(actor.id, "case.block", detail)
        await self._publish("closed", case)
        await self._deliver(label, self.texts.blocked(case))
        return case

    async def blocked_reply(
        self, key: str, language: str, band: str | None, service: str | None = None
    ) -> list[Say] | None:
        """What a blocked sender is told instead of a new case; None when not blocked."""
        if not await self.is_blocked(key):
            return None
        return self.texts.blocked_request(language, band, service)

    # -- the alert for a case waiting too long ----------------------------------------------
    async def due_for_alert(self, now: dt.datetime | None = None) -> list[Case]:
        """Waiting cases past `answer_within_minutes`: tell the desks once per wait (again
        after a transfer starts a new wait). Out of hours only urgent cases alert, so the
        staff group is not woken at night for a case the office will see in the morning.
        Safe from every process: one caller changes each case."""
        now = now or self.clock()
        limit = dt.timedelta(minutes=self.config.handoff.answer_within_minutes)
        office = self.hours.is_open(now)
        done = []
        for case in await self.store.open_cases():
            if case.status != "waiting" or now - case.waiting_since < limit:
                continue
            if case.overdue_at is not None and case.overdue_at > case.waiting_since:
                continue
            if not (office or case.urgent):
                continue
            changed = case.changed(now, overdue_at=now)
            if not await self.store.replace(changed, self.ttl):
                continue
            await self._publish("overdue", changed)
            done.append(changed)
        return done

    def overdue(self, case: Case, now: dt.datetime | None = None) -> bool:
        limit = dt.timedelta(minutes=self.config.handoff.answer_within_minutes)
        return case.status == "waiting" and (now or self.clock()) - case.waiting_since >= limit

    # -- approved replies and the outcome form --------------------------------------------
    def replies_for(self, case: Case) -> list[ReplyChoice]:
        desk, source = self.config.desk, self.config.languages.source
        choices = []
        for reply_id, reply in desk.replies.items():
            found = desk.reply_text(reply_id, case.language, source)
            if found is not None:
                choices.append(ReplyChoice(reply_id, reply.title, *found))
        return choices

    async def close_with_outcome(
        self: _ClosesCases,
        label: str,
        who: str | Actor,
        outcome: str | None,
        categories: Sequence[str] = (),
        display_name: str | None = None,
        reason: str | None = None,
    ) -> Case:
        """Close (as `close`), recording the outcome form as an anonymous record. Both
        parts are optional: a chat the young person left at once may have neither."""
        desk = self.config.desk
        chosen = sorted(set(categories))
        if outcome is not None and outcome not in desk.outcomes:
            msg = "choose the outcome of the case from the list"
            raise CaseError(msg)
        if any(c not in desk.categories for c in chosen):
            msg = "choose the case's categories from the list"
            raise CaseError(msg)
        case = await self.close(label, who, display_name, reason)
        answers = tuple((CATEGORY_KEY, "multi", c) for c in chosen)
        if outcome:
            answers += ((OUTCOME_KEY, "choice", outcome),)
        if answers and self.record_outcome is not None and case.age_band:
            band, lang = case.age_band, case.language
            record = FeedbackSubmitted(OUTCOME_FLOW, 1, band, lang, case.service, answers)
            await self.record_outcome(record)
        return case
