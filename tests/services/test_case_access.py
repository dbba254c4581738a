"""Who may see and act on a case, over memory and a real Redis: the organisation whose
desk answers it (never the service's own), the claiming worker, and a supervisor who
gives a listed reason (audited) and is the name the young person is told."""

from __future__ import annotations

import pytest

from bot.engine.events import HandoffRequested
from bot.services.case_access import Actor
from bot.services.cases import CaseConflict, CaseError, CaseNotFound
from bot.services.handoff import Address
from bot.storage.cases import Case
from tests.services.test_cases_support import CHAT_ID, Desk, app, desk

__all__ = ["app", "desk"]  # fixtures

GUARD = Actor("web:ana", frozenset({"safeguarding"}))
COLLEAGUE = Actor("web:bo", frozenset({"safeguarding"}))
LEAD = Actor("web:lina", frozenset({"safeguarding"}), supervisor=True)
SHELTER = Actor("web:sam", frozenset({"shelter"}))
SHELTER_LEAD = Actor("web:sara", frozenset({"shelter"}), supervisor=True)


async def about_shelter(desk: Desk) -> Case:
    """A request for a person from feedback about the shelter (organisation "shelter")."""
    event = HandoffRequested("unsafe", "13-15", "en", "shelter", priority=True)
    told = await desk.service.request("key-1", event, Address("tg", str(CHAT_ID)))
    assert "does not work for the service you told us about (The shelter)" in told[-1].text  # type: ignore[attr-defined]
    [case] = await desk.service.queue()
    return case


async def test_a_request_about_the_shelter_goes_to_the_safeguarding_desk(desk: Desk) -> None:
    case = await about_shelter(desk)
    stored = await desk.store.get(case.label)
    assert stored is not None
    assert stored.organisation == "safeguarding"
    assert await desk.service.queue(SHELTER) == []
    assert await desk.service.get(case.label, SHELTER) is None
    assert [c.label for c in await desk.service.queue(GUARD)] == [case.label]
    for attempt in (
        desk.service.claim(case.label, SHELTER, "Sam"),
        desk.service.note(case.label, SHELTER, "n"),
        desk.service.transfer(case.label, SHELTER, "desk:web"),
        desk.service.close(case.label, SHELTER, "Sam"),
        desk.service.take_over(case.label, SHELTER_LEAD, "Sara", "away"),
    ):
        with pytest.raises(CaseNotFound):
            await attempt
    assert desk.delivered == []


async def test_only_the_claimer_acts_and_a_supervisor_gives_a_reason(desk: Desk) -> None:
    case = await about_shelter(desk)
    label = case.label
    await desk.service.claim(label, GUARD, "Ana")
    for attempt in (
        desk.service.note(label, COLLEAGUE, "n"),
        desk.service.close(label, COLLEAGUE, "Bo"),
        desk.service.transfer(label, COLLEAGUE, "desk:web"),
        desk.service.take_over(label, COLLEAGUE, "Bo", "away"),
        desk.service.relay_to_young_person(label, COLLEAGUE, "hi"),
    ):
        with pytest.raises(CaseConflict):
            await attempt
    with pytest.raises(CaseError, match="choose why"):
        await desk.service.close(label, LEAD, "Lina", None)
    with pytest.raises(CaseError, match="choose why"):
        await desk.service.take_over(label, LEAD, "Lina", "because I said so")
    moved = await desk.service.transfer(label, LEAD, "web:bo", "workload")
    assert (moved.status, moved.offered_to) == ("waiting", "web:bo")
    await desk.service.claim(label, COLLEAGUE, "Bo")
    taken = await desk.service.take_over(label, LEAD, "Lina", "safeguarding")
    assert (taken.worker, taken.worker_name) == ("web:lina", "Lina")
    assert desk.told()[-1] == "Lina from our team is here now. You can write to them here."
    await desk.service.close(label, LEAD)
    bye = desk.told()[-2]
    assert bye.startswith("Lina has ended the chat.")
    assert desk.audit[-5:] == [
        ("web:ana", "case.claim", label),
        ("web:lina", "case.reassign", f"{label} to web:bo reason=workload"),
        ("web:bo", "case.claim", label),
        ("web:lina", "case.take_over", f"{label} reason=safeguarding"),
        ("web:lina", "case.close", label),
    ]


async def test_a_supervisor_closing_a_colleagues_case_is_the_name_the_young_person_hears(
    desk: Desk,
) -> None:
    case = await about_shelter(desk)
    await desk.service.claim(case.label, GUARD, "Ana")
    with pytest.raises(CaseError, match="display name"):
        await desk.service.close(case.label, LEAD, "", "ended")
    await desk.service.close(case.label, LEAD, "Lina", "ended")
    bye = desk.told()[-2]
    assert bye.startswith("Lina has ended the chat.")
    assert ("web:lina", "case.close", f"{case.label} reason=ended") in desk.audit
