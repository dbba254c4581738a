"""The Telegram channel, shared by both adapters: one update in, one turn, actions out.

`handle()` returns once the update's effect is saved (that is when the update counts
as handled). Its replies are saved with it, in the durable outbox (the same atomic write:
bot/storage/outbox.py), and the drain sends them afterwards, so neither a redelivered
update (the store's dedupe, per bot) nor a killed process costs a reply or repeats an
effect. Without a drain (tests of the channel alone) replies go straight to the sender.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from bot.channels.telegram import texts
from bot.channels.telegram.callbacks import sign, verify
from bot.channels.telegram.drain import Drain, post_of
from bot.channels.telegram.incoming import Incoming, split_command
from bot.channels.telegram.media_turns import MediaTurns, choice_composer
from bot.channels.telegram.render import (
    AnswerCallback,
    Context,
    Outgoing,
    OutgoingMessage,
    Pressed,
    Typing,
    render,
)
from bot.channels.telegram.sender import Sender
from bot.engine.events import Event, Say
from bot.engine.inputs import COMMANDS, Input
from bot.flows.triggers import is_link, known_link
from bot.i18n.negotiate import first_guess
from bot.i18n.translator import Translator
from bot.services.contact import CONTACT_STEP
from bot.services.conversation import ChannelData, Compose, ConversationService, Reply
from bot.services.dead_letters import DeadLetterService
from bot.services.media import MEDIA_STEP, RELAYED, MediaService
from bot.storage.deliveries import Receipt
from bot.storage.outbox import Post

__all__ = ["CHANNEL", "TelegramChannel"]

log = logging.getLogger(__name__)
CHANNEL = "tg"
# Telegram lets a bot delete messages for 48 hours; a little margin for clocks.
_DELETE_WINDOW = 47 * 3600
# A turn slower than this shows "typing..." (e.g. the feedback database is busy).
_TYPING_AFTER = 0.5


class TelegramChannel:
    def __init__(
        self,
        service: ConversationService,
        sender: Sender,
        secret: bytes,
        *,
        clock: Callable[[], float] = time.time,
        box: str = f"{CHANNEL}:0",
        drain: Drain | None = None,
        dead_letters: DeadLetterService | None = None,
        media: MediaService | None = None,
    ) -> None:
        """`box`: this bot's name in keys (``tg:<bot id>``, never the token): its update
        dedupe, its outbox, its dead letters. `drain`: the durable outbox's sender.
        `media`: photos, places... while a case is open (media_turns.py)."""
        self.service, self.sender, self.secret, self.clock = service, sender, secret, clock
        self.box, self.drain, self.dead_letters = box, drain, dead_letters
        self.media = MediaTurns(self, media) if media is not None else None
        config = service.engine.config
        self.languages = config.languages
        self.service_codes = config.service_codes
        self.translator: Translator = service.engine.translator
        # The staff groups (chat id -> the desk that handles its updates), and which group
        # shows a case of an organisation (None: no Telegram desk for it).
        self.staff_desks: dict[int, Callable[[Incoming], Awaitable[None]]] = {}
        self.staff_chat_for: Callable[[str | None], int | None] = lambda organisation: None

    # -- the one entry point --------------------------------------------------------------
    async def handle(self, update: Incoming) -> None:
        """Handle one update. Raises StorageError (and saves nothing) if Redis fails."""
        if update.chat_type != "private":
            # A staff group goes to its desk; any other group or channel is ignored.
            desk = self.staff_desks.get(update.chat_id) if update.chat_id else None
            if desk is not None:
                await desk(update)
            elif update.chat_id:
                log.info("telegram: ignored an update from a chat that is not a staff group")
            return
        if update.kind == "ignored" or not update.chat_id:
            return
        if update.kind == "button":
            await self._button(update)
        elif update.kind == "other":
            if self.media is not None and update.message_id and update.other in RELAYED:
                await self.media.offer(update, update.message_id)
            else:
                await self._other(update)
        else:
            await self._input(update)

    async def deliver(self, address: str, events: Sequence[Event]) -> None:
        """The handoff service's way to a young person (`deliverers[CHANNEL]`): a worker's
        message, "<name> is here now", the rating. Rendered like a turn's replies."""
        await self.relay(address, events)

    async def relay(
        self, address: str, events: Sequence[Event], *, receipt: Receipt | None = None
    ) -> bool:
        """`deliver()`, put in the outbox, taking `receipt`'s delivery off its queue in the
        same write. False when nothing went to the outbox (nothing to send, or no drain)."""
        chat = int(address)
        ctx = Context(chat, lambda step, value: sign(self.secret, chat, step, value))
        actions = render(events, ctx)
        post = post_of(self.box, actions)
        if self.drain is None or post is None:
            self.sender.submit(actions)
            return False
        key = self.service.key(CHANNEL, chat)
        claim = await self.drain.outbox.post(key, post, receipt=receipt)
        self.drain.take(claim, fresh=len(post.items))
        return True

    async def set_aside(self, kind: str, error: str) -> None:
        """An update we move on without (unreadable, or failing): only its kind and the
        error's class are kept, as a dead letter."""
        if self.dead_letters is not None:
            await self.dead_letters.record(self.box, kind, error)
        else:
            log.warning("telegram: set aside an update (%s, %s)", kind, error)

    def say_trouble(self, update: Incoming) -> None:
        """Tell the young person we are stuck (the store is down) and will answer later."""
        if update.chat_id and update.kind != "ignored" and update.chat_type == "private":
            text = self._t(self.hint(update), texts.TROUBLE)
            self.sender.submit([OutgoingMessage(update.chat_id, text)])

    # -- kinds of update ------------------------------------------------------------------
    async def _input(self, update: Incoming) -> None:
        inp: Input
        service = link = None
        command = split_command(update.text) if update.kind == "command" else None
        if command is not None:
            name, argument = command
            if name == "start" and argument:
                # A deep link: t.me/<bot>?start=<code>. Unknown codes are simply ignored.
                service = self.service_codes.get(argument[:64])
                # Or a flow's deep link (bot/flows/triggers.py); logged only as known or not.
                link = argument if service is None and is_link(argument) else None
                known = service is not None or known_link(self.service.engine.flows, link)
                log.info("deep link", extra={"known": known})
            inp = Input.command(name if name in COMMANDS else "help")
        else:
            inp = Input.text(update.text)
        actions: list[Outgoing] = []
        compose = self._composer(update, actions)
        reply = await self._turn(update, inp, service=service, link=link, compose=compose)
        self._dispatch(update, reply, actions)

    async def _button(self, update: Incoming) -> None:
        if update.callback_id is None:  # the parsers set it for every button
            return
        found = verify(self.secret, update.chat_id, update.data)
        if found is None:
            # Forged, or from another chat: answered kindly, nothing acted on or stored.
            hint = self.hint(update)
            self.sender.submit(
                [AnswerCallback(update.callback_id, self._t(hint, texts.FORGED_BUTTON))]
            )
            return
        step, value = found
        if step == MEDIA_STEP and self.media is not None:
            await self.media.choose(update, value, update.callback_id)
            return
        if step == CONTACT_STEP:
            await self._confirm(update, value, update.callback_id)
            return
        actions: list[Outgoing] = []
        compose = self._composer(update, actions, pressed=step or "")
        reply = await self._turn(update, Input.button(value, step), compose=compose)
        self.sender.submit([AnswerCallback(update.callback_id)])
        self._dispatch(update, reply, actions)

    async def _confirm(self, update: Incoming, value: str, callback: str) -> None:
        """A press on "send it" / "don't send" for a typed text with contact details
        (bot/services/contact.py), shown like a photo's (media_turns.py)."""
        actions: list[Outgoing] = []
        toast: list[str] = []
        compose = choice_composer(self, update, actions, toast)
        inp = Input.button(value, CONTACT_STEP)
        reply = await self._turn(update, inp, compose=lambda reply: compose(reply, None))
        self.sender.submit([AnswerCallback(callback, toast[0] if toast else None)])
        self._dispatch(update, reply, actions)

    async def _other(self, update: Incoming) -> None:
        actions: list[Outgoing] = []

        def compose(reply: Reply) -> Post | None:
            lang = reply.lang or self.hint(update)
            private = update.other in ("contact", "location", "venue")
            text = self._t(lang, texts.CONTACT_OR_PLACE if private else texts.NOT_TEXT)
            actions[:] = [OutgoingMessage(update.chat_id, text)]
            return post_of(self.box, actions) if self.drain is not None else None

        reply = await self.service.notice(
            CHANNEL, update.chat_id, update_id=self._uid(update),
            channel_data=self._track(update), outbox=compose,
        )  # fmt: skip
        self._dispatch(update, reply, actions)

    # -- the durable outbox ---------------------------------------------------------------
    def _composer(
        self, update: Incoming, actions: list[Outgoing], *, pressed: str | None = None
    ) -> Compose:
        """Renders the turn's replies into `actions`, and (with a drain) into the items the
        turn's commit saves. `pressed`: the step of the pressed button ("" for none)."""

        def compose(reply: Reply) -> Post | None:
            shown = None
            if pressed is not None and update.message_id is not None:
                step = pressed or None
                stale = step is not None and step != reply.step_before
                label = update.pressed_label()
                shown = Pressed(update.message_id, update.shown_text, label, step, stale)
            actions[:] = self._render(update, reply, shown)
            return post_of(self.box, actions) if self.drain is not None else None

        return compose

    def _dispatch(self, update: Incoming, reply: Reply, actions: list[Outgoing]) -> None:
        if reply.duplicate:
            if self.drain is not None:  # its replies may still wait (a killed process)
                self.drain.resume(self.service.key(CHANNEL, update.chat_id))
        elif self.drain is None:
            self.sender.submit(actions)
        else:
            self.drain.take(reply.claim, fresh=len(actions))  # render() makes durable ones

    # -- helpers --------------------------------------------------------------------------
    async def _turn(
        self,
        update: Incoming,
        inp: Input,
        *,
        compose: Compose,
        service: str | None = None,
        link: str | None = None,
    ) -> Reply:
        typing = asyncio.create_task(self._typing_later(update.chat_id))
        try:
            return await self.service.handle(
                CHANNEL,
                update.chat_id,
                inp,
                update_id=self._uid(update),
                language_hint=self.hint(update),
                service=service,
                link=link,
                channel_data=self._track(update),
                outbox=compose,
            )
        finally:
            typing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await typing

    async def _typing_later(self, chat_id: int) -> None:
        await asyncio.sleep(_TYPING_AFTER)
        self.sender.submit([Typing(chat_id)])

    def _render(self, update: Incoming, reply: Reply, pressed: Pressed | None) -> list[Outgoing]:
        events: list[Event] = list(reply.events)
        says = [e for e in events if isinstance(e, Say)]
        if reply.restarted and says:
            kind = self._t(says[0].lang, texts.LOST_PLACE)
            events.insert(0, Say(kind, says[0].lang, says[0].rtl))
        clear = None
        if reply.deleted and update.chat_type == "private":
            clear = self._clear_range(update, reply)
            # Say exactly what was cleared and what stays: a bot may delete only the
            # messages of the last 48 hours.
            lang = says[-1].lang if says else self.hint(update)
            said = texts.CLEARED if clear else texts.NOT_CLEARED
            events.append(Say(self._t(lang, said), lang, says[-1].rtl if says else False))
        chat = update.chat_id
        ctx = Context(
            chat,
            lambda step, value: sign(self.secret, chat, step, value),
            pressed,
            clear,
        )
        return render(events, ctx)

    def _clear_range(self, update: Incoming, reply: Reply) -> tuple[int, int] | None:
        """(first, last) message ids to delete on "delete my data": from where the chat
        began in the last 48 hours (the trace, which outlives an expired session) to the
        newest message; None when nothing is known or all of it is too old."""
        data = reply.channel_data or {}
        began = reply.trace or data
        first, since = began.get("m0"), began.get("t0")
        newest = [m for m in (data.get("m1"), update.message_id) if isinstance(m, int)]
        if not isinstance(first, int) or not isinstance(since, int) or not newest:
            return None
        if self.clock() - since >= _DELETE_WINDOW:
            return None
        return first, max(newest)

    def _track(self, update: Incoming) -> Callable[[ChannelData | None], ChannelData | None]:
        """Remember the first and newest message ids of this conversation, for clearing."""
        message_id = update.message_id

        def track(old: ChannelData | None) -> ChannelData | None:
            if message_id is None or update.chat_type != "private":
                return old
            data = dict(old or {})
            if not isinstance(data.get("m0"), int):
                data["m0"], data["t0"] = message_id, int(self.clock())
            last = data.get("m1")
            data["m1"] = max(message_id, last) if isinstance(last, int) else message_id
            return data

        return track

    def hint(self, update: Incoming) -> str:
        """Telegram's language for the person, if we ship it; the young person confirms."""
        return first_guess([update.language_code], self.languages.shipped, self.languages.source)

    def _t(self, lang: str, text: str) -> str:
        return self.translator.system(lang, text)

    def _uid(self, update: Incoming) -> str:
        return f"{self.box}:{update.update_id}"

    # -- start-up -------------------------------------------------------------------------
    async def set_commands(self) -> None:
        """The command menu in every shipped language (and the source one as default).

        Telegram takes only two-letter ISO 639-1 codes here: Nigerian Pidgin ("pcm"),
        which no Telegram app is set to anyway, gets the default menu."""
        shipped = [lang for lang in self.languages.shipped if len(lang) == 2 and lang.isalpha()]
        for lang in (None, *shipped):
            chosen = lang or self.languages.source
            menu = [(name, self._t(chosen, text)) for name, text in texts.COMMANDS]
            await self.sender.transport.set_commands(menu, lang)
