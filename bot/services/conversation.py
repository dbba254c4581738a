"""One conversation turn: lock, load, run the engine, act on its events, save, unlock.

Channels call `handle()` with what the young person did; they get back the events to
render. The raw chat id is turned into an HMAC key here and goes no further.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.engine.events import (
    DataDeletionRequested,
    Event,
    FeedbackSubmitted,
    HandoffRequested,
)
from bot.engine.inputs import Input
from bot.engine.runner import Engine
from bot.engine.session import Session, SessionError
from bot.privacy.keys import session_key
from bot.services.feedback import FeedbackService
from bot.services.handoff import HandoffDesk
from bot.storage.sessions import SessionStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reply:
    """What a turn produced. `duplicate` means the update was handled before: send nothing."""

    events: tuple[Event, ...]
    duplicate: bool = False
    deleted: bool = False


class ConversationService:
    def __init__(
        self,
        engine: Engine,
        sessions: SessionStore,
        feedback: FeedbackService,
        desk: HandoffDesk,
        secret: bytes,
    ) -> None:
        self.engine, self.sessions, self.feedback, self.desk = engine, sessions, feedback, desk
        self.secret = secret

    def key(self, channel: str, user_id: str | int) -> str:
        return session_key(self.secret, channel, user_id)

    async def handle(
        self,
        channel: str,
        user_id: str | int,
        inp: Input | None,
        *,
        update_id: str | None = None,
        language_hint: str | None = None,
        service: str | None = None,
    ) -> Reply:
        """Handle one input (None, or /start, begins a conversation) for one chat."""
        key = self.key(channel, user_id)
        turn = await self.sessions.begin(key, update_id=update_id)
        try:
            if turn.duplicate:
                await self.sessions.release(turn)
                return Reply((), duplicate=True)
            session, events = self._run(turn.session, inp, language_hint, service)
            deleted = any(isinstance(event, DataDeletionRequested) for event in events)
            await self._act(key, events)
        except BaseException:
            await self.sessions.release(turn)
            raise
        await self.sessions.commit(turn, None if deleted else session.to_json())
        return Reply(tuple(events), deleted=deleted)

    def _run(
        self,
        saved: dict[str, object] | None,
        inp: Input | None,
        language_hint: str | None,
        service: str | None,
    ) -> tuple[Session, list[Event]]:
        session = None
        if saved is not None:
            try:
                session = Session.from_json(saved)
            except SessionError:
                log.warning("a saved conversation could not be read; starting again")
        starting = inp is None or (inp.kind == "command" and inp.value == "start")
        if session is None or (starting and session.band is None):
            lang = language_hint or (
                session.lang if session else self.engine.config.languages.source
            )
            return self.engine.start(lang, service=service)
        if service and service in self.engine.config.services:
            session.service = service
        return self.engine.resume(session, inp or Input.command("start"))

    async def _act(self, key: str, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, FeedbackSubmitted):
                await self.feedback.submit(event)
            elif isinstance(event, HandoffRequested):
                await self.desk.request(key, event)
            elif isinstance(event, DataDeletionRequested):
                await self.desk.forget(key)
                await self.sessions.delete(key)

    async def forget(self, channel: str, user_id: str | int) -> None:
        """Delete everything kept about this chat, outside a conversation turn."""
        key = self.key(channel, user_id)
        await self.desk.forget(key)
        await self.sessions.delete(key)
