"""Who may see and act on a case: the organisation that answers it, and the claim.

A case belongs to the organisation whose desk answers it (`Config.desk_for`, never the
organisation of the service it is about). An `Actor` sees a case only if that
organisation is theirs; a case they may not see is "not open" to them, exactly like one
that does not exist, so no label can be probed. On a claimed case only the claiming
worker replies, adds notes, transfers or closes; a supervisor of the organisation may take
it over, reassign or close it, giving one of `REASONS` (a fixed list: the audit log never
holds staff-written text).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.case_core import CaseConflict, CaseError
from bot.storage.cases import Case

__all__ = ["REASONS", "Actor", "as_actor", "check_owner", "check_reason"]

# Why a supervisor acted on a colleague's case: the key goes to the audit log.
REASONS: dict[str, str] = {
    "away": "the worker is away or off shift",
    "safeguarding": "a safeguarding concern needs a senior worker",
    "conduct": "a concern about how the case is handled",
    "workload": "sharing out the work",
    "ended": "the conversation has ended",
}


@dataclass(frozen=True, slots=True)
class Actor:
    """A worker on a desk: their id there ("web:ana", "tg:5550001"), the organisations
    whose cases they may see (None: every one) and whether they supervise."""

    id: str
    organisations: frozenset[str] | None = None
    supervisor: bool = False

    def sees(self, organisation: str) -> bool:
        return self.organisations is None or organisation in self.organisations


def as_actor(who: str | Actor) -> Actor:
    """A bare id is a worker of every organisation (the service's own callers, tests)."""
    return who if isinstance(who, Actor) else Actor(who)


def check_reason(actor: Actor, reason: str | None, case: Case, doing: str) -> None:
    """A supervisor acting on a case another worker answers must give a listed reason."""
    if not actor.supervisor:
        msg = (
            f"{case.label} is answered by {case.worker_name}; only they can {doing} it "
            "(or a supervisor, giving a reason)"
        )
        raise CaseConflict(msg)
    if reason not in REASONS:
        msg = f"choose why you {doing} a colleague's case: " + ", ".join(REASONS)
        raise CaseError(msg)


def check_owner(actor: Actor, reason: str | None, case: Case, doing: str) -> bool:
    """True when `actor` acts on a colleague's claimed case as a supervisor (checked);
    False when the case is theirs or waiting. Raises when they may not act on it."""
    if case.status != "claimed" or case.worker == actor.id:
        return False
    check_reason(actor, reason, case, doing)
    return True
