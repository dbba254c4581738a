"""The Telegram channel's turns for photos, voice notes, videos, files and places
(bot/services/media.py decides; this renders), for `TelegramChannel`.

While a case is open: a question with "send it" / "don't send"; on "send it" the
commit's outbox holds a line for staff ("The young person sent a photo") and a
`CopyMessage` from the young person's chat to the case's topic, so Telegram copies it
and SafeVoice never downloads it. The copy is never repeated: the update is
deduplicated, the pending choice leaves the session in the same commit, and the sender
and drain never send a copy again after an unknown outcome (docs/ARCHITECTURE.md).

`choice_composer` renders a press on those two buttons; core.py uses it too for the same
question about typed text with contact details in it (bot/services/contact.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.channels.telegram import staff_texts as st
from bot.channels.telegram import texts
from bot.channels.telegram.callbacks import sign
from bot.channels.telegram.drain import post_of
from bot.channels.telegram.incoming import Incoming
from bot.channels.telegram.render import (
    AnswerCallback,
    Context,
    CopyMessage,
    Outgoing,
    OutgoingMessage,
    Pressed,
    render,
)
from bot.services.conversation import Reply
from bot.services.media import MediaService, Relay, Topic
from bot.storage.outbox import Post

if TYPE_CHECKING:
    from bot.channels.telegram.core import TelegramChannel

__all__ = ["MediaTurns", "choice_composer"]

_CHANNEL = "tg"  # bot.channels.telegram.core.CHANNEL (which imports this module)


class MediaTurns:
    def __init__(self, channel: TelegramChannel, media: MediaService) -> None:
        self.channel, self.media = channel, media
        # The staff desk's topic for a case (StaffDesk.topic_for); None: no Telegram desk.
        self.topic: Topic | None = None

    async def offer(self, update: Incoming, message_id: int) -> None:
        """A photo, voice note, place... from the young person (`update.other`)."""
        ch = self.channel
        actions: list[Outgoing] = []
        chat = update.chat_id

        def compose(reply: Reply, relay: Relay | None) -> Post | None:
            if reply.events:
                actions[:] = render(reply.events, context(ch, chat))
            else:
                private = update.other == "location"
                lang = reply.lang or ch.hint(update)
                text = ch._t(lang, texts.CONTACT_OR_PLACE if private else texts.NOT_TEXT)
                actions[:] = [OutgoingMessage(chat, text)]
            return post_of(ch.box, actions) if ch.drain is not None else None

        reply = await self.media.offer(
            _CHANNEL, chat, update.other, message_id, topic=self.topic,
            update_id=ch._uid(update), language_hint=ch.hint(update),
            channel_data=ch._track(update), outbox=compose,
        )  # fmt: skip
        ch._dispatch(update, reply, actions)

    async def choose(self, update: Incoming, value: str, callback: str) -> None:
        """A press on "send it" / "don't send" (its signature checked)."""
        ch = self.channel
        actions: list[Outgoing] = []
        toast: list[str] = []
        compose = choice_composer(ch, update, actions, toast)
        reply, _ = await self.media.choose(
            _CHANNEL, update.chat_id, value, topic=self.topic, update_id=ch._uid(update),
            channel_data=ch._track(update), outbox=compose,
        )  # fmt: skip
        ch.sender.submit([AnswerCallback(callback, toast[0] if toast else None)])
        ch._dispatch(update, reply, actions)


def context(channel: TelegramChannel, chat: int, pressed: Pressed | None = None) -> Context:
    secret = channel.secret
    signer: Callable[[str | None, str], str] = lambda step, value: sign(  # noqa: E731
        secret, chat, step, value
    )
    return Context(chat, signer, pressed)


def choice_composer(
    ch: TelegramChannel, update: Incoming, actions: list[Outgoing], toast: list[str]
) -> Callable[[Reply, Relay | None], Post | None]:
    """Renders a press on "send it" / "don't send" (a photo's, or a typed text's:
    core.py) into `actions`, and a note for the button into `toast` when the choice was
    no longer open."""
    chat = update.chat_id

    def compose(reply: Reply, relay: Relay | None) -> Post | None:
        # A choice no longer open (a second tap, a newer question) changes nothing on
        # screen: the first tap's edit stays; a short note on the button says why.
        stale = not reply.events
        shown = None
        if update.message_id is not None and not stale:
            label = update.pressed_label()
            shown = Pressed(update.message_id, update.shown_text, label, None)
        actions[:] = render(reply.events, context(ch, chat, shown))
        staff = ch.staff_chat_for(relay.organisation) if relay is not None else None
        if relay is not None and staff is not None:
            actions.extend(_copy(staff, chat, relay))
        if stale:
            toast.append(ch._t(reply.lang or ch.hint(update), texts.CHOICE_CLOSED))
        return post_of(ch.box, actions) if ch.drain is not None else None

    return compose


def _copy(staff: int, chat: int, relay: Relay) -> list[Outgoing]:
    """The line for staff, then the copy itself, in the case's topic (or General)."""
    line = st.media_sent(relay.kind)
    if relay.topic is None:
        line = f"[{relay.label}] {line}"
    return [
        OutgoingMessage(staff, line, thread_id=relay.topic),
        CopyMessage(staff, chat, relay.message_id, relay.topic),
    ]
