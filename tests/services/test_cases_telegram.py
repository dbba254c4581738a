"""A young person on Telegram (real update parsing, the real Telegram channel) and a worker
on the service: nothing the staff side receives tells who the young person is."""

from __future__ import annotations

import dataclasses
import json
import random
from collections.abc import Iterable, Sequence
from typing import Any

from bot.channels.telegram.aiogram_adapter import AiogramTransport
from bot.channels.telegram.callbacks import sign
from bot.channels.telegram.core import TelegramChannel
from bot.channels.telegram.render import Context, Outgoing, OutgoingMessage, render
from bot.engine.events import Event, HandoffRequested
from bot.privacy.keys import CASE_ALPHABET
from bot.services.handoff import Address
from bot.storage.cases import Case
from tests.services.test_cases_support import CHANNEL, SECRET, Desk, app, desk

__all__ = ["app", "desk"]  # fixtures

CHAT_ID = 555000111
NAME, LAST, USERNAME = "Maria", "Ionescu", "maria_k_2011"
TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[Outgoing] = []

    def submit(self, actions: Iterable[Outgoing]) -> None:
        self.sent.extend(actions)


def update(n: int, text: str) -> dict[str, Any]:
    person = {"id": CHAT_ID, "is_bot": False, "first_name": NAME, "last_name": LAST,
              "username": USERNAME, "language_code": "ro"}  # fmt: skip
    chat = {"id": CHAT_ID, "type": "private", "first_name": NAME, "last_name": LAST,
            "username": USERNAME}  # fmt: skip
    message = {"message_id": n, "date": 1768377600, "chat": chat, "from": person, "text": text}
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"update_id": 9000 + n, "message": message}


async def test_the_staff_side_never_receives_the_young_persons_identity(desk: Desk) -> None:
    transport = AiogramTransport(TOKEN)
    sender = RecordingSender()
    channel = TelegramChannel(desk.conversation, sender, SECRET)  # type: ignore[arg-type]

    async def deliver(address: str, events: Sequence[Event]) -> None:
        chat = int(address)
        ctx = Context(chat, lambda step, value: sign(SECRET, chat, step, value))
        sender.submit(render(list(events), ctx))

    desk.service.deliverers[CHANNEL] = deliver
    staff: list[object] = []  # everything a desk gets back or hears
    try:
        # The young person types the labels of the buttons (language, age band), then asks.
        for n, text in enumerate(["/start", "Română", "13 - 15 ani", "/person"], start=1):
            incoming = transport.parse(update(n, text))
            assert incoming is not None
            await channel.handle(incoming)
        queue = await desk.service.queue()
        [case] = queue
        assert (case.language, case.age_band) == ("ro", "13-15")
        typed = transport.parse(update(10, "Am nevoie de ajutor"))
        assert typed is not None
        await channel.handle(typed)
        staff += [queue, await desk.service.get(case.label)]
        staff.append(await desk.service.claim(case.label, "tg:777", "Dana"))
        staff.append(await desk.service.relay_to_young_person(case.label, "tg:777", "Bună!"))
        staff.append(await desk.service.note(case.label, "tg:777", "note"))
        staff.append(await desk.service.transfer(case.label, "tg:777", "desk:web"))
        staff.append(await desk.service.claim(case.label, "web:ion", "Ion"))
        transcript = await desk.service.transcript(case.label)
        assert [m.text for m in transcript] == ["Am nevoie de ajutor", "Bună!"]
        staff += [transcript, await desk.service.notes(case.label)]
        staff.append(await desk.service.due_for_helplines())
        staff.append(await desk.service.close(case.label, "web:ion"))
        await desk.settle()
        staff += [u.encode() for u in desk.updates]
        staff.append(desk.audit)
    finally:
        await transport.bot.session.close()
    seen = "\n".join(_text(item) for item in staff)
    key = desk.conversation.key(CHANNEL, CHAT_ID)
    for secret in (str(CHAT_ID), NAME, LAST, USERNAME, key, f"{CHANNEL}:{CHAT_ID}"):
        assert secret not in seen, secret
    # The young person got the worker's words, under the worker's chosen name only.
    texts = [a.text for a in sender.sent if isinstance(a, OutgoingMessage)]
    assert "Dana: Bună!" in texts
    assert all(a.chat_id == CHAT_ID for a in sender.sent if isinstance(a, OutgoingMessage))


def _text(item: object) -> str:
    if isinstance(item, Case):
        return item.encode()
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        return json.dumps(dataclasses.asdict(item), default=str, ensure_ascii=False)
    if isinstance(item, list | tuple):
        return "\n".join(_text(x) for x in item)
    return str(item)


async def test_labels_are_unique_among_open_cases(desk: Desk) -> None:
    class Repeating(random.Random):
        """Draws "CCCC" twice, then "DDDD": the second case must not reuse the first label."""

        def __init__(self) -> None:
            super().__init__(0)
            self.picks = iter("CCCCCCCCDDDD")

        def choice(self, seq: Any) -> Any:
            assert seq == CASE_ALPHABET
            return next(self.picks)

    desk.service._rng = Repeating()
    for user in (1, 2):
        key = desk.conversation.key(CHANNEL, user)
        event = HandoffRequested("asked", "13-15", "en", None)
        await desk.service.request(key, event, Address(CHANNEL, str(user)))
    assert sorted(c.label for c in await desk.service.queue()) == ["#CCCC", "#DDDD"]
