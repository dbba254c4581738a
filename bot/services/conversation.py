"""One conversation turn: lock, load, run the engine, act on its events, save, unlock.

Channels call `handle()` with what the young person did; they get back the events to
render. The raw chat id is turned into an HMAC key here and goes no further.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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

# A channel's own small state (e.g. Telegram message ids for "clear this chat"), kept in
# the session under this key: saved in the same write, gone with the session's TTL.
CHANNEL_KEY = "ch"
ChannelData = dict[str, Any]
ChannelUpdate = Callable[[ChannelData | None], ChannelData | None]


@dataclass(frozen=True)
class Reply:
    """What a turn produced. `duplicate` means the update was handled before: send nothing."""

    events: tuple[Event, ...]
    duplicate: bool = False
    deleted: bool = False
    # The channel data as saved by this turn (also when the session itself was deleted).
    channel_data: ChannelData | None = None
    # An input arrived but no conversation was found (expired, or the store lost it).
    restarted: bool = False
    # The step the conversation waited at before this input: tells stale buttons apart.
    step_before: str | None = None
    lang: str | None = None


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
        channel_data: ChannelUpdate | None = None,
    ) -> Reply:
        """Handle one input (None, or /start, begins a conversation) for one chat.

        `channel_data` maps the channel's saved data to the data to save with this turn.
        """
        key = self.key(channel, user_id)
        turn = await self.sessions.begin(key, update_id=update_id)
        try:
            if turn.duplicate:
                await self.sessions.release(turn)
                return Reply((), duplicate=True)
            saved = turn.session
            session, events = self._run(saved, inp, language_hint, service)
            deleted = any(isinstance(event, DataDeletionRequested) for event in events)
            await self._act(key, events)
            data = self._channel_data(saved, channel_data)
        except BaseException:
            await self.sessions.release(turn)
            raise
        new = session.to_json()
        if data is not None:
            new[CHANNEL_KEY] = data
        await self.sessions.commit(turn, None if deleted else new)
        starting = inp is None or (inp.kind == "command" and inp.value == "start")
        return Reply(
            tuple(events),
            deleted=deleted,
            channel_data=data,
            restarted=saved is None and not starting,
            step_before=str(saved["step"]) if saved and saved.get("step") else None,
            lang=session.lang,
        )

    async def notice(
        self,
        channel: str,
        user_id: str | int,
        *,
        update_id: str | None = None,
        channel_data: ChannelUpdate | None = None,
    ) -> Reply:
        """Something arrived that is not an input (a sticker, a photo): mark the update
        handled and say which language to answer in, leaving the conversation as it is."""
        key = self.key(channel, user_id)
        turn = await self.sessions.begin(key, update_id=update_id)
        if turn.duplicate:
            await self.sessions.release(turn)
            return Reply((), duplicate=True)
        saved = turn.session
        try:
            data = self._channel_data(saved, channel_data) if saved is not None else None
        except BaseException:
            await self.sessions.release(turn)
            raise
        if saved is not None and data is not None:
            saved = {**saved, CHANNEL_KEY: data}
        # Saving unchanged still refreshes the TTL and records the update as handled.
        await self.sessions.commit(turn, saved)
        lang = saved.get("lang") if saved else None
        return Reply((), channel_data=data, lang=lang if isinstance(lang, str) else None)

    @staticmethod
    def _channel_data(
        saved: dict[str, object] | None, update: ChannelUpdate | None
    ) -> ChannelData | None:
        old = saved.get(CHANNEL_KEY) if saved else None
        old = old if isinstance(old, dict) else None
        return update(old) if update else old

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
