"""The workers' outcome form on the dashboard: counted like feedback, named from
`[desk]`, and a group of fewer than k closed cases hidden with the same suppression."""

from __future__ import annotations

import datetime as dt

from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.services.desk_tools import CATEGORY_KEY, OUTCOME_FLOW, OUTCOME_KEY
from bot.storage.bulk import add_many
from bot.storage.records import Answer, FeedbackRecord
from bot.web import Web
from tests.web.conftest import login

Client = TestClient[web.Request, web.Application]


def _outcome(service: str, outcome: str, *categories: str) -> FeedbackRecord:
    answers = [Answer(CATEGORY_KEY, "multi", c) for c in categories]
    answers.append(Answer(OUTCOME_KEY, "choice", outcome))
    return FeedbackRecord.build(flow_id=OUTCOME_FLOW, flow_version=1, age_band="16-17",
                                language="en", service=service, answers=answers,
                                today=dt.date.today())  # fmt: skip


async def test_outcomes_are_counted_named_and_small_groups_hidden(
    state: Web, client: Client
) -> None:
    add_many(state.store, [_outcome("shelter", "referred", "housing") for _ in range(12)])
    add_many(state.store, [_outcome("health", "safeguarding", "safety") for _ in range(3)])
    await login(client, "admin")
    page = await (await client.get("/dashboard")).text()
    assert "outcome form: how the case ended" in page
    assert "Referred to a service" in page
    assert "Housing, the room, the shelter" in page
    assert "Safeguarding referral made" not in page  # 3 cases: below k, and not listed
    assert "Safety or danger" not in page
