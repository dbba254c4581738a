"""Regression (issue 9): a kill between the feedback write and the turn's commit stored
the young person's answers twice when Telegram delivered the update again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.app import load_app
from bot.engine.inputs import Input
from bot.runtime import Runtime, build_runtime
from bot.storage.sessions import SessionStore, Turn

CHANNEL, USER = "tg", 4242
ANSWERS = [
    Input.button("shelter", "which_service"),
    Input.button("4", "overall"),
    Input.button("yes", "felt_safe"),
    Input.button("skip", "listened"),
    Input.button("skip", "liked"),
]
LAST = Input.text("more trips outside")


class KilledBeforeCommit:
    """The real session store, except that the next commit never happens: as when the
    process is killed after acting on a turn. The lock goes, as its TTL would let it."""

    def __init__(self, store: SessionStore) -> None:
        self.store, self.armed = store, False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    async def commit(self, turn: Turn, session: Any, **kwargs: Any) -> Any:
        if self.armed:
            self.armed = False
            await self.store.release(turn)
            raise SystemExit("killed")
        return await self.store.commit(turn, session, **kwargs)


@pytest.fixture
async def runtime() -> AsyncIterator[Runtime]:
    built = build_runtime(load_app(), "test", database_url="sqlite://")
    try:
        yield built
    finally:
        await built.close()


async def test_feedback_stored_once_when_a_turn_is_replayed(runtime: Runtime) -> None:
    conversation = runtime.conversation
    await conversation.open_at(CHANNEL, USER, "en", "13-15", "service_feedback")
    for number, inp in enumerate(ANSWERS):
        await conversation.handle(CHANNEL, USER, inp, update_id=f"u{number}")
    killed = KilledBeforeCommit(conversation.sessions)
    conversation.sessions = killed  # type: ignore[assignment]
    killed.armed = True
    with pytest.raises(SystemExit):
        await conversation.handle(CHANNEL, USER, LAST, update_id="last")
    assert runtime.store.count() == 1  # written before the kill
    # Telegram delivers the unconfirmed update again: the turn runs again, in full.
    again = await conversation.handle(CHANNEL, USER, LAST, update_id="last")
    assert not again.duplicate
    assert any("Thank you" in getattr(event, "text", "") for event in again.events)
    assert runtime.store.count() == 1
    # The next feedback of the same young person is a record of its own.
    await conversation.open_at(CHANNEL, USER, "en", "13-15", "service_feedback")
    for number, inp in enumerate([*ANSWERS, LAST]):
        await conversation.handle(CHANNEL, USER, inp, update_id=f"v{number}")
    assert runtime.store.count() == 2
