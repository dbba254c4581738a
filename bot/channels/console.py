"""The console channel: `safevoice chat`, one line of stdin per input.

It is a real channel over the real conversation service, so what an author tries in a
terminal is what a young person gets on Telegram. A number or a label presses that
button of the last question, "s" skips; anything else is sent as typed. Whatever is
typed, the reply is kind and the session survives: no traceback ever reaches the screen.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TextIO

from bot.channels.render import Message, choose, last_question, lines, render
from bot.engine.events import Event, LanguageChanged
from bot.engine.inputs import Input
from bot.inputs import clean_text
from bot.services.conversation import ConversationService

__all__ = ["COMMANDS", "ConsoleChat", "parse", "run_console", "start_preset"]

log = logging.getLogger(__name__)

CHANNEL = "console"
# Commands a person may type; the engine treats any other /word as a way back to the menu.
COMMANDS = ("person", "language", "privacy", "forget", "stop", "help")
# How many preset steps (language, age band, and any the start flow adds) we answer.
_PRESET_TURNS = 4


async def start_preset(
    conversation: ConversationService,
    channel: str,
    user_id: str | int,
    lang: str,
    band: str | None,
) -> list[Event]:
    """Start a conversation with the language and age band already chosen.

    The start flow asks both; we answer its language and age-band questions the way a
    button press would, so the real flow (and the service's lock, load, save) runs, and
    return only the events after the last answer: the band's welcome.
    """
    config = conversation.engine.config
    reply = await conversation.handle(channel, user_id, Input.command("start"), language_hint=lang)
    events = list(reply.events)
    for _ in range(_PRESET_TURNS):
        asked = last_question(render(events))
        values = {button.value for button in asked.options} if asked else set()
        if asked is None or not values:
            break
        if lang in values and values <= set(config.languages.shipped):
            answer = lang
        elif band is not None and band in values and values <= set(config.band_ids):
            answer = band
        else:
            break
        reply = await conversation.handle(channel, user_id, Input.button(answer, asked.step))
        events = list(reply.events)
    return events


def parse(typed: str, asked: Message | None) -> Input:
    """What a typed line means: a command, a button of the last question, or text.
    The line is read like typed text on every channel (`bot.inputs.clean_text`)."""
    text = clean_text(typed.rstrip("\r\n"))
    stripped = text.strip()
    if stripped.startswith("/") and len(stripped) > 1:
        return Input.command(stripped[1:].split(maxsplit=1)[0].casefold())
    button = choose(asked, text) if asked is not None else None
    if button is not None:
        return Input.button(button.value, button.step)
    return Input.text(text)


@dataclass
class ConsoleChat:
    """One terminal conversation: reads lines, prints replies, remembers the last question."""

    conversation: ConversationService
    lang: str
    band: str | None
    out: Callable[[str], None]
    user_id: str = field(default_factory=lambda: secrets.token_hex(8))
    asked: Message | None = None
    visual: bool = False  # `--bidi visual`: right-to-left text reordered here

    async def start(self) -> None:
        self.out("  " + "  ".join(f"/{name}" for name in COMMANDS))
        events = await start_preset(self.conversation, CHANNEL, self.user_id, self.lang, self.band)
        self._show(events)

    async def line(self, typed: str) -> bool:
        """Handle one line; False when the conversation is over (/stop)."""
        inp = parse(typed, self.asked)
        if inp.kind == "command" and inp.value == "help":
            self.out("  " + "  ".join(f"/{name}" for name in COMMANDS))
        await self._turn(inp)
        return not (inp.kind == "command" and inp.value == "stop")

    async def stop(self) -> None:
        """End of input: say goodbye the way /stop does, so nothing half-done is kept."""
        await self._turn(Input.command("stop"))

    async def _turn(self, inp: Input) -> None:
        try:
            reply = await self.conversation.handle(CHANNEL, self.user_id, inp)
        except Exception as exc:
            # The edge of the system: a person gets a kind word, never a traceback.
            # Only the error's type is logged: its message could hold what was typed.
            log.error("a console turn failed: %s", type(exc).__name__)
            text = self.conversation.engine.translator.system(
                self.lang,
                "Sorry, something went wrong on our side. Please type /start to begin again.",
            )
            self.out(f"BOT: {text}")
            return
        self._show(reply.events)

    def _show(self, events: Sequence[Event]) -> None:
        for event in events:
            if isinstance(event, LanguageChanged):
                self.lang = event.language
        messages = render(events)
        for message in messages:
            for text in lines(message, terminal=True, visual=self.visual):
                self.out(text)
        self.asked = last_question(messages) or (self.asked if not messages else None)


def _reader(stream: TextIO) -> Callable[[], str]:
    # Undecodable bytes become U+FFFD instead of stopping the chat with an exception.
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="replace")
    return stream.readline


async def run_console(
    conversation: ConversationService,
    *,
    lang: str,
    band: str | None,
    stdin: TextIO,
    stdout: TextIO,
    bidi: str = "terminal",
) -> int:
    """Run a conversation on stdin/stdout until end of input or /stop; returns 0.

    `bidi`: "terminal" leaves right-to-left layout to the terminal (with isolate marks);
    "visual" reorders it here, for terminals that show Arabic letters backwards.

    `conversation` comes from the "chat" runtime: the real services on memory stores (a
    request for a person opens a real case, so the console shows what a young person
    would be told)."""
    reconfigure = getattr(stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="replace")

    def out(text: str) -> None:
        stdout.write(text + "\n")
        stdout.flush()

    chat = ConsoleChat(conversation, lang, band, out, visual=bidi == "visual")
    read = _reader(stdin)
    prompt = stdin.isatty()
    await chat.start()
    while True:
        if prompt:
            stdout.write("> ")
            stdout.flush()
        typed = await asyncio.to_thread(read)
        if typed == "":
            await chat.stop()
            break
        if not await chat.line(typed):
            break
    return 0
