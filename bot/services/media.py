"""Photos, voice notes, videos, files and places a young person sends: never opened.

While a case is open, what the young person sends is not passed on at once: they are
asked, with two buttons, whether the person helping should see it (`offer`), and only
"send it" (`choose`) hands the channel a `Relay`, which it copies to the staff desk
(Telegram's copyMessage: the file never passes through SafeVoice). The pending choice
in the session holds the message id and the kind only, and expires with the session.
A case on the web desk cannot show a picture: the young person is told so, kindly.

Outside a case, a photo or video brings the image-abuse route (bot/engine/image_abuse.py);
anything else the channel's usual "I can only read words" answer.

Each call is one locked turn like `ConversationService.handle()` (lock, load, decide,
save with the rendered replies in the same write), so a redelivered update or a second
tap on the same button copies nothing twice: the update is deduplicated, and "send it"
takes the pending choice out of the session in the commit that saves the copy.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from bot.engine.events import Event, Say
from bot.engine.image_abuse import route
from bot.engine.session import Session, SessionError
from bot.services.cases import HandoffService
from bot.services.confirm import SEND, Confirmation, choice_of
from bot.services.conversation import (
    CASE_KEY,
    CHANNEL_KEY,
    ChannelData,
    ChannelUpdate,
    ConversationService,
    Reply,
)
from bot.storage.cases import Case
from bot.storage.outbox import Post
from bot.storage.sessions import Session as Saved
from bot.storage.sessions import Turn

__all__ = ["IMAGES", "MEDIA_STEP", "RELAYED", "MediaService", "Relay", "reads_media"]

log = logging.getLogger(__name__)

MEDIA_STEP = "media"  # the buttons' step; their values are "send.<id>" / "keep.<id>"
MEDIA_KEY = "md"  # the pending choice in the session: {"m": message id, "k": kind}
# What may reach the person helping, once the young person confirms.
RELAYED = ("photo", "voice", "video", "video_note", "document", "location", "audio")
# Outside a case: the image-abuse route.
IMAGES = ("photo", "video")


@dataclass(frozen=True, slots=True)
class Relay:
    """What the channel copies to the desk: a message id of the young person's chat, the
    kind, and the case's topic (None: the desk's general place). Never any content."""

    message_id: int
    kind: str
    label: str
    topic: int | None
    organisation: str | None = None  # whose staff group shows it (`Case.organisation`)


# The channel's staff desk: where a case's media goes (its topic id, None for General).
Topic = Callable[[Case], Awaitable[int | None]]
# Renders the turn's reply (and the relay, on "send it") into what the commit saves.
MediaCompose = Callable[[Reply, Relay | None], Post | None]


def reads_media(case: Case) -> bool:
    """Whether the person helping reads the Telegram staff desk (the web desk shows only
    text): not a case sent to the web desk, nor one a web worker answers."""
    return case.desk != "web" and not (case.worker or "").startswith("web:")


class MediaService:
    def __init__(self, conversation: ConversationService, cases: HandoffService) -> None:
        self.conversation, self.cases = conversation, cases
        self.sessions = conversation.sessions
        self.config = conversation.engine.config
        self.translator = conversation.engine.translator
        self.confirm = Confirmation(self.config, self.translator, MEDIA_STEP)

    async def offer(
        self,
        channel: str,
        user_id: str | int,
        kind: str,
        message_id: int,
        *,
        topic: Topic | None,
        update_id: str | None = None,
        language_hint: str | None = None,
        channel_data: ChannelUpdate | None = None,
        outbox: MediaCompose | None = None,
    ) -> Reply:
        """Something arrived that is not text. `topic`: the staff desk that can show it
        (None when only the web desk answers)."""
        key = self.conversation.key(channel, user_id)
        turn = await self.sessions.begin(key, update_id=update_id)
        if turn.duplicate:
            await self.sessions.release(turn)
            return Reply((), duplicate=True)
        try:
            saved = dict(turn.session) if turn.session is not None else None
            session = self._session(saved, language_hint)
            case = await self._case(key, saved) if kind in RELAYED else None
            events: list[Event] = []
            if case is not None and (topic is None or not reads_media(case)):
                events.append(self._web_desk(session))
            elif case is not None:
                saved = saved or {**session.to_json(), CASE_KEY: True}
                saved[MEDIA_KEY] = {"m": message_id, "k": kind}
                events.append(self._question(session, message_id))
            elif kind in IMAGES:
                events.extend(
                    route(self.config, self.translator, session.lang, session.band,
                          not_opened=True)
                )  # fmt: skip
            data = self._data(saved, channel_data)
            if saved is not None and data is not None:
                saved[CHANNEL_KEY] = data
        except BaseException:
            await self.sessions.release(turn)
            raise
        # No events: the channel gives its usual answer ("I can only read words").
        reply = Reply(tuple(events), channel_data=data, lang=session.lang)
        return await self._save(turn, saved, reply, None, outbox)

    async def choose(
        self,
        channel: str,
        user_id: str | int,
        value: str,
        *,
        topic: Topic | None,
        update_id: str | None = None,
        channel_data: ChannelUpdate | None = None,
        outbox: MediaCompose | None = None,
    ) -> tuple[Reply, Relay | None]:
        """A press on "send it" / "don't send". A choice no longer pending (pressed twice,
        or a newer thing was sent, or the session expired) gives no events at all."""
        key = self.conversation.key(channel, user_id)
        turn = await self.sessions.begin(key, update_id=update_id)
        if turn.duplicate:
            await self.sessions.release(turn)
            return Reply((), duplicate=True), None
        relay = None
        try:
            saved = dict(turn.session) if turn.session is not None else None
            session = self._session(saved, None)
            action, wanted = choice_of(value)
            pending = saved.get(MEDIA_KEY) if saved is not None else None
            events: list[Event] = []
            if saved is not None and isinstance(pending, dict) and str(pending.get("m")) == wanted:
                del saved[MEDIA_KEY]
                kind = str(pending.get("k") or "")
                if action != SEND:
                    events.append(self.confirm.kept(session))
                elif (case := await self.cases.open_case(key)) is None:
                    events.append(self.confirm.ended(session))
                elif topic is None or not reads_media(case):
                    events.append(self._web_desk(session))
                else:
                    relay = Relay(int(wanted), kind, case.label, await topic(case),
                                  case.organisation)  # fmt: skip
                    events.append(self.confirm.sent(session))
            data = self._data(saved, channel_data)
            if saved is not None and data is not None:
                saved[CHANNEL_KEY] = data
        except BaseException:
            await self.sessions.release(turn)
            raise
        reply = await self._save(turn, saved, Reply(tuple(events), lang=session.lang), relay,
                                 outbox)  # fmt: skip
        if relay is not None:
            await self.cases.media_relayed(relay.label, relay.kind)
        return reply, relay

    # -- inside ---------------------------------------------------------------------------
    async def _case(self, key: str, saved: dict[str, object] | None) -> Case | None:
        if saved is not None and not saved.get(CASE_KEY):
            return None  # no case since the session began: no round trip
        case = await self.cases.open_case(key)
        if case is None and saved is not None:
            saved.pop(CASE_KEY, None)
        return case

    async def _save(
        self,
        turn: Turn,
        session: Saved | None,
        reply: Reply,
        relay: Relay | None,
        outbox: MediaCompose | None,
    ) -> Reply:
        try:
            post = outbox(reply, relay) if outbox is not None else None
        except BaseException:
            await self.sessions.release(turn)
            raise
        claim = await self.sessions.commit(turn, session, post=post)
        return replace(reply, claim=claim) if claim is not None else reply

    @staticmethod
    def _data(saved: dict[str, object] | None, update: ChannelUpdate | None) -> ChannelData | None:
        old = saved.get(CHANNEL_KEY) if saved else None
        old = old if isinstance(old, dict) else None
        return update(old) if update else old

    def _session(self, saved: dict[str, object] | None, hint: str | None) -> Session:
        if saved is not None:
            try:
                return Session.from_json(saved)
            except SessionError:
                log.warning("a saved conversation could not be read")
        return Session(lang=hint or self.config.languages.source)

    def _question(self, session: Session, message_id: int) -> Say:
        tr, lang = self.translator, session.lang
        if self.confirm.young(session):
            text = tr.system(
                lang, "Do you want to send this to a grown-up from our team? They will see it."
            )
        else:
            text = tr.system(
                lang,
                "Do you want to send this to our team? The people from our team who are "
                "helping you will see it.",
            )
        return self.confirm.question(session, text, str(message_id))

    def _web_desk(self, session: Session) -> Say:
        if self.confirm.young(session):
            return self.confirm.system_say(
                session,
                "The grown-up helping you can only read words, so I did not send that. "
                "You can write to them instead.",
            )
        return self.confirm.system_say(
            session,
            "The person helping you can only read text here, so I did not send that. "
            "You can write it to them in words instead.",
        )
