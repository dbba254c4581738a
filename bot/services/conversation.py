"""One conversation turn: lock, load, run the engine, act on its events, save, unlock.

Channels call `handle()` with what the young person did; they get back the events to
render. The raw chat id is turned into an HMAC key here and goes no further.

A channel with a durable outbox passes `outbox=`: a function from the turn's `Reply` to
the rendered replies (`Post`), called just before the commit, so the replies are saved
in the same atomic write as the session; `Reply.claim` then says whether this process
sends them (bot/storage/outbox.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.engine.events import (
    DataDeletionRequested,
    Event,
    FeedbackSubmitted,
    HandoffRequested,
    Say,
    SubscribeRequested,
    UpdatesRequested,
)
from bot.engine.inputs import Input
from bot.engine.runner import Engine
from bot.engine.session import Session, SessionError
from bot.inputs.text import clean_text
from bot.privacy.keys import is_record_id, new_record_id, session_key
from bot.services.confirm import SEND, young
from bot.services.contact import CONTACT_STEP, ContactCheck, contact_kinds
from bot.services.feedback import FeedbackService
from bot.services.handoff import Address, HandoffDesk
from bot.services.handoff_texts import RATING_STEP, SURVEY_STEP
from bot.services.updates import UpdateService
from bot.storage.outbox import Claim, Post
from bot.storage.sessions import Session as Saved
from bot.storage.sessions import SessionStore, Turn
from bot.storage.traces import TraceStore

log = logging.getLogger(__name__)

# A channel's own small state (e.g. Telegram message ids for "clear this chat"), kept in
# the session under this key: saved in the same write, gone with the session's TTL.
CHANNEL_KEY = "ch"
ChannelData = dict[str, Any]
ChannelUpdate = Callable[[ChannelData | None], ChannelData | None]
# Set in the session while the chat may have an open case, so ordinary turns of chats
# without one cost no extra store round trip. A missing session is always checked.
CASE_KEY = "hc"
# The text question on screen when typed text last went to the worker instead (said once).
NOTED_KEY = "hn"
# The id the next feedback record will be stored under: random, saved a turn before it is
# used, and replaced as soon as a record is stored. A turn replayed after a crash between
# the feedback write and the commit stores under the same id, so once (bot/storage/feedback).
RECEIPT_KEY = "rc"


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
    # The text went to the worker on the open case, not to the engine: show a "sent" tick.
    relayed: bool = False
    # On "delete my data": where the chat began within the last 48 hours (the channel's
    # first message id and time), so the channel can clear what the phone still shows.
    trace: ChannelData | None = None
    # The outbox claim of the commit: this process sends the chat's pending replies.
    claim: Claim | None = None
    # The chat asked to hear back about a service this turn (the web chat keeps a token).
    subscribed: bool = False


# The channel's renderer for the durable outbox: the turn's reply -> what to send.
Compose = Callable[[Reply], Post | None]


class ConversationService:
    def __init__(
        self,
        engine: Engine,
        sessions: SessionStore,
        feedback: FeedbackService,
        desk: HandoffDesk,
        secret: bytes,
        traces: TraceStore | None = None,
    ) -> None:
        self.engine, self.sessions, self.feedback, self.desk = engine, sessions, feedback, desk
        self.secret = secret
        # Where each chat began, for 48 hours: "delete my data" after a pause, and an
        # honest "welcome back". None (previews) keeps no traces.
        self.traces = traces
        # Contact details typed while a case is open: asked first (bot/services/contact.py).
        self.contact = ContactCheck(engine.config, engine.translator)
        # "You said, we did" (bot/services/updates.py); None in previews, which neither
        # show real updates nor keep a subscription.
        self.updates: UpdateService | None = None

    def key(self, channel: str, user_id: str | int) -> str:
        return session_key(self.secret, channel, user_id)

    async def open_at(
        self, channel: str, user_id: str | int, lang: str, band: str, flow_id: str
    ) -> list[Event]:
        """Replace the chat's conversation with one opened at `flow_id` (flow previews)."""
        turn = await self.sessions.begin(self.key(channel, user_id))
        try:
            session, events = self.engine.open_at(lang, band, flow_id)
        except BaseException:
            await self.sessions.release(turn)
            raise
        await self.sessions.commit(turn, session.to_json())
        return events

    async def handle(
        self,
        channel: str,
        user_id: str | int,
        inp: Input | None,
        *,
        update_id: str | None = None,
        language_hint: str | None = None,
        service: str | None = None,
        link: str | None = None,
        channel_data: ChannelUpdate | None = None,
        outbox: Compose | None = None,
    ) -> Reply:
        """Handle one input (None, or /start, begins a conversation) for one chat;
        `link` is a deep link's name that came with the start.

        `channel_data` maps the channel's saved data to the data to save with this turn;
        `outbox` renders the reply into the items saved with it (see the module).
        """
        key = self.key(channel, user_id)
        # The trace to keep if this is the chat's first turn, and for typed text whether
        # a case is open: looked at by the begin round trip where the store can.
        trace = {"first": self._channel_data(None, channel_data) or {}} if self.traces else None
        typed = inp is not None and inp.kind == "text"
        turn = await self.sessions.begin_peeking(
            key, update_id=update_id, trace=trace, check_case=typed
        )
        try:
            if turn.duplicate:
                await self.sessions.release(turn)
                return Reply((), duplicate=True)
            saved = turn.session
            address = Address(channel, str(user_id))
            peeked = turn.peeked
            if peeked is not None and peeked.traced:
                earlier = peeked.earlier
            else:
                earlier = await self._remember(key, saved, channel_data)
            # A text held back for "Send it" is not sent once something else comes instead.
            dropped = []
            if self.contact.overtaken(saved, inp):
                dropped.append(self.contact.dropped(self._session_of(saved)))
            no_case = peeked is not None and peeked.case_open is False
            early = await self._before_engine(key, saved, inp, address, no_case=no_case)
            if early is not None:
                reply, saved = early
                data = self._channel_data(saved, channel_data)
                kept = {**saved, CHANNEL_KEY: data} if saved and data is not None else saved
                if kept is not None and reply.relayed:
                    kept = {**kept, CASE_KEY: True}
                reply = replace(reply, events=(*dropped, *reply.events), channel_data=data,
                                lang=_lang(saved) or reply.lang)  # fmt: skip
                return await self._save(turn, kept, reply, outbox)
            session, events = self._run(saved, inp, language_hint, service, link)
            deleted = any(isinstance(event, DataDeletionRequested) for event in events)
            if inp is not None and inp.kind == "command" and inp.value == "stop":
                events = [*await self.desk.stop(key), *events]
            receipt = _receipt(saved)
            subscribed = any(isinstance(event, SubscribeRequested) for event in events)
            events, has_case = await self._act(key, events, address, receipt, session)
            starting = inp is None or (inp.kind == "command" and inp.value == "start")
            if self.updates is not None and (starting or saved is None) and not deleted:
                # The web chat's "shown at the next visit" (Telegram's were sent already).
                news = await asyncio.to_thread(self.updates.pending, key)
                events = [*news, *events]
            events = [*dropped, *events]
            data = self._channel_data(saved, channel_data)
            trace = await self._forget_trace(key) if deleted else None
        except BaseException:
            await self.sessions.release(turn)
            raise
        new = session.to_json()
        if data is not None:
            new[CHANNEL_KEY] = data
        submitted = any(isinstance(event, FeedbackSubmitted) for event in events)
        new[RECEIPT_KEY] = new_record_id() if submitted else receipt
        # A new conversation may still have a case from before its session expired: the
        # first text checks (on Redis inside the begin round trip, elsewhere one of its
        # own) and drops the mark when there is none.
        if has_case or saved is None or saved.get(CASE_KEY):
            new[CASE_KEY] = True
        starting = inp is None or (inp.kind == "command" and inp.value == "start")
        reply = Reply(
            tuple(events),
            deleted=deleted,
            channel_data=data,
            # "Welcome back" only for someone who was here: a session expired but its trace
            # did not, or a button of an earlier conversation was pressed.
            restarted=saved is None
            and not starting
            and (earlier is not None or (inp is not None and inp.kind == "button")),
            trace=trace,
            step_before=str(saved["step"]) if saved and saved.get("step") else None,
            lang=session.lang,
            subscribed=subscribed and self.updates is not None,
        )
        return await self._save(turn, None if deleted else new, reply, outbox)

    async def notice(
        self,
        channel: str,
        user_id: str | int,
        *,
        update_id: str | None = None,
        channel_data: ChannelUpdate | None = None,
        outbox: Compose | None = None,
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
        lang = saved.get("lang") if saved else None
        reply = Reply((), channel_data=data, lang=lang if isinstance(lang, str) else None)
        return await self._save(turn, saved, reply, outbox)

    async def _save(
        self, turn: Turn, session: Saved | None, reply: Reply, outbox: Compose | None
    ) -> Reply:
        """Commit the turn with the replies `outbox` renders from `reply`, atomically."""
        try:
            post = outbox(reply) if outbox is not None else None
        except BaseException:
            await self.sessions.release(turn)
            raise
        claim = await self.sessions.commit(turn, session, post=post)
        return replace(reply, claim=claim) if claim is not None else reply

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
        link: str | None = None,
    ) -> tuple[Session, list[Event]]:
        session = None
        if saved is not None:
            try:
                session = Session.from_json(saved)
            except SessionError:
                log.warning("a saved conversation could not be read; starting again")
        if session is not None and inp is not None and inp.step == SURVEY_STEP:
            return self.engine.after_chat(session, inp.value)
        starting = inp is None or (inp.kind == "command" and inp.value == "start")
        if session is None or (starting and session.band is None):
            lang = language_hint or (
                session.lang if session else self.engine.config.languages.source
            )
            if (
                session is None
                and inp is not None
                and inp.kind == "command"
                and inp.value == "forget"
            ):
                # "Delete my data" is never swallowed, even after the session expired.
                fresh, _ = self.engine.start(lang, service=service)
                return self.engine.resume(fresh, inp)
            return self.engine.start(lang, service=service, link=link if starting else None)
        if service and service in self.engine.config.services:
            session.service = service
        followed = self.engine.follow_link(session, link) if starting and link else None
        if followed is not None:
            return followed
        return self.engine.resume(session, inp or Input.command("start"))

    async def _remember(
        self, key: str, saved: dict[str, object] | None, channel_data: ChannelUpdate | None
    ) -> dict[str, object] | None:
        """At the first turn of a session: keep where the chat began (unless a trace from
        the last 48 hours is kept) and return that earlier trace. Otherwise no round trip."""
        if saved is not None or self.traces is None:
            return None
        first = self._channel_data(None, channel_data) or {}
        return await self.traces.remember(key, {"first": first})

    async def _forget_trace(self, key: str) -> ChannelData | None:
        if self.traces is None:
            return None
        trace = await self.traces.get(key)
        await self.traces.delete(key)
        first = trace.get("first") if trace else None
        return first if isinstance(first, dict) else None

    async def _before_engine(
        self,
        key: str,
        saved: dict[str, object] | None,
        inp: Input | None,
        address: Address,
        *,
        no_case: bool = False,
    ) -> tuple[Reply, dict[str, object] | None] | None:
        """The handoff's turns that bypass the engine: a press on the after-close rating,
        typed text while the chat has an open case (it goes to the worker, or waits for
        "Send it" when it has contact details), and a tap on "Send it" / "Don't send".
        Returns the reply and the session to keep. `no_case`: the begin round trip saw
        no open case, so typed text asks the desk nothing."""
        if inp is not None and inp.kind == "button" and inp.step == RATING_STEP:
            record, events = await self.desk.rate(inp.value)
            if record is not None:
                await self.feedback.submit(record)
            return Reply(tuple(events), lang=_says_lang(events)), saved
        if inp is not None and inp.kind == "button" and inp.step == CONTACT_STEP:
            return await self._confirmed(key, saved, inp.value), saved
        if inp is None or inp.kind != "text" or (saved is not None and not saved.get(CASE_KEY)):
            return None
        if no_case:
            if saved is not None:
                saved.pop(CASE_KEY, None)
            return None
        text = clean_text(inp.value)
        if len(text) > self.engine.config.engine.max_input_chars:
            return None  # the engine refuses it in the chat's language: never cut unsaid
        kinds = contact_kinds(text) if text.strip() else frozenset()
        if kinds and await self.desk.has_open_case(key):
            session = self._session_of(saved)
            held = saved if saved is not None else {**session.to_json(), CASE_KEY: True}
            said = await self._alarm(key, session, inp.value, address)
            return Reply((*said, self.contact.hold(held, session, text, kinds))), held
        if text.strip() and await self.desk.relay_to_worker(key, text):
            session = self._session_of(saved)
            said = await self._alarm(key, session, inp.value, address)
            return Reply((*said, *self._not_an_answer(saved, session)), relayed=True), saved
        if saved is not None:
            saved.pop(CASE_KEY, None)  # no open case any more: back to one round trip
        return None

    async def _alarm(self, key: str, session: Session, text: str, address: Address) -> list[Event]:
        """Typed text the worker reads (or is asked about) still brings help at once when
        it shows danger, and makes the case urgent: the check the engine runs on every
        other text."""
        alarm = self.engine.danger_response(session, text, concern=False)
        said, _ = await self._act(key, alarm, address) if alarm else ([], True)
        return said

    async def _confirmed(self, key: str, saved: dict[str, object] | None, value: str) -> Reply:
        """A tap on "Send it" / "Don't send" for a held text. A choice no longer open (a
        second tap, a newer question, the session gone) gives no events at all."""
        taken = self.contact.take(saved, value)
        if taken is None or saved is None:
            return Reply(())
        action, text = taken
        session = self._session_of(saved)
        confirm = self.contact.confirm
        if action != SEND:
            said = confirm.kept(session)
        elif not await self.desk.relay_to_worker(key, text):
            saved.pop(CASE_KEY, None)
            said = confirm.ended(session)
        else:
            sent = (confirm.sent(session), *self._not_an_answer(saved, session))
            return Reply(sent, relayed=True, step_before=CONTACT_STEP)
        return Reply((said,), step_before=CONTACT_STEP)

    def _not_an_answer(self, saved: dict[str, object] | None, session: Session) -> list[Event]:
        """The rule while a case is open: typed text goes to the worker, even when the
        question on screen asks for words. Said once per such question, so the young
        person knows their words were not taken as the answer and the survey waits."""
        if saved is None or not self.engine.waits_for_text(session):
            return []
        if saved.get(NOTED_KEY) == session.step:
            return []
        saved[NOTED_KEY] = session.step
        engine = self.engine
        if young(engine.config, session.band):
            return [
                engine.system_say(
                    session,
                    "I sent that to the helper. The question can wait until after your chat.",
                )
            ]
        return [
            engine.system_say(
                session,
                "I sent that to the worker, not as your answer to the question. While you wait, "
                "anything you type goes to them. The question can wait: answer it after your chat, "
                "or press Skip.",
            )
        ]

    async def _act(
        self,
        key: str,
        events: list[Event],
        address: Address,
        receipt: str | None = None,
        session: Session | None = None,
    ) -> tuple[list[Event], bool]:
        """Act on the engine's events. Returns them with the desk's words put right after
        the request's own text (and updates where they were asked for), and whether the
        chat now has an open case."""
        told: list[tuple[int, Sequence[Event]]] = []
        has_case = False
        lang = session.lang if session else self.engine.config.languages.source
        for index, event in enumerate(events):
            if isinstance(event, FeedbackSubmitted):
                await self.feedback.submit(event, record_id=receipt)
                told.append((index, await self._after_feedback(event, lang, key)))
            elif isinstance(event, UpdatesRequested):
                shown = (
                    await asyncio.to_thread(
                        self.updates.shown, event.service, lang, event.age_band, key
                    )
                    if self.updates is not None
                    else []
                )
                told.append((index, shown))
            elif isinstance(event, SubscribeRequested) and self.updates is not None:
                await asyncio.to_thread(self.updates.subscribe, key, event.service,
                                        address.channel, address.address, lang,
                                        event.age_band)  # fmt: skip
            elif isinstance(event, HandoffRequested):
                told.append((index, await self.desk.request(key, event, address)))
                has_case = True
            elif isinstance(event, DataDeletionRequested):
                await self.desk.forget(key)
                await self.sessions.delete(key)
                await self._forget_updates(key)
                has_case = False
        out = list(events)
        for index, said in reversed(told):
            at = index + 1
            follows = events[at] if at < len(events) else None
            handoff = isinstance(events[index], HandoffRequested)
            if handoff and isinstance(follows, Say) and follows.step is None:
                at += 1  # after the flow's "a worker will write to you" text
            out[at:at] = said
        # The edge's own requests are answered here; channels never see them.
        kept: list[Event] = [
            e for e in out if not isinstance(e, (UpdatesRequested, SubscribeRequested))
        ]
        return kept, has_case

    async def _after_feedback(self, event: FeedbackSubmitted, lang: str, key: str) -> list[Event]:
        """After the thank-you: the newest update of that service, if any."""
        if self.updates is None or event.service is None:
            return []
        return list(
            await asyncio.to_thread(self.updates.latest, event.service, lang, event.age_band, key)
        )

    async def _forget_updates(self, key: str) -> None:
        if self.updates is not None:
            await asyncio.to_thread(self.updates.forget, key)

    def _session_of(self, saved: dict[str, object] | None) -> Session:
        try:
            return Session.from_json(saved)
        except SessionError:
            return Session(lang=self.engine.config.languages.source)

    async def forget(self, channel: str, user_id: str | int) -> None:
        """Delete everything kept about this chat, outside a conversation turn."""
        key = self.key(channel, user_id)
        await self.desk.forget(key)
        await self.sessions.delete(key)
        await self._forget_updates(key)
        await self._forget_trace(key)


def _receipt(saved: dict[str, object] | None) -> str:
    kept = saved.get(RECEIPT_KEY) if saved else None
    return kept if isinstance(kept, str) and is_record_id(kept) else new_record_id()


def _lang(saved: dict[str, object] | None) -> str | None:
    lang = saved.get("lang") if saved else None
    return lang if isinstance(lang, str) else None


def _says_lang(events: Sequence[Event]) -> str | None:
    return next((e.lang for e in events if isinstance(e, Say)), None)
