"""Telegram's limits as the sender keeps them: a tap's "✓" edit and the next question
share the chat's slot, and the bot never sends more than 30 messages in any second."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bot.channels.telegram.incoming import Button
from bot.channels.telegram.limiter import Limiter, Limits
from bot.channels.telegram.render import EditMessage, OutgoingMessage
from bot.channels.telegram.sender import Sender

CHAT = 501


class Recording:
    """A transport that only notes when each call left."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, float]] = []

    async def send_message(self, chat_id: int, text: str, *args: Any) -> int:
        self.calls.append(("send", time.monotonic()))
        return len(self.calls)

    async def edit_message(self, chat_id: int, message_id: int, *args: Any) -> None:
        self.calls.append(("edit", time.monotonic()))

    async def send_typing(self, chat_id: int) -> None:
        self.calls.append(("typing", time.monotonic()))


async def test_a_taps_check_edit_and_next_question_waited_a_second_for_the_chat_slot() -> None:
    transport = Recording()
    sender = Sender(transport, Limits())  # type: ignore[arg-type]
    question = ((Button("Yes", "y"), Button("No", "n")),)
    start = time.monotonic()
    for n in range(3):  # three taps in a row: each the "✓" edit, then the next question
        sender.submit([EditMessage(CHAT, n, "Asked\n\n✓ Yes"), OutgoingMessage(CHAT, "Next?",
                                                                            question)])  # fmt: skip
    await sender.drain()
    sent = [at - start for kind, at in transport.calls if kind in ("send", "edit")]
    assert len(sent) == 6
    # Three messages are the chat's burst: none of them waits behind an edit.
    assert max(sent) < 0.5


async def test_a_multiple_choice_tick_still_takes_its_own_slot() -> None:
    transport = Recording()
    sender = Sender(transport, Limits())  # type: ignore[arg-type]
    keys = ((Button("✓ Food", "f"),),)
    start = time.monotonic()
    sender.submit([EditMessage(CHAT, 1, "Pick", keys) for _ in range(4)])
    await sender.drain()
    edits = [at - start for kind, at in transport.calls if kind == "edit"]
    assert edits[3] > 0.8  # the fourth waits for the chat's limit


def test_outbound_burst_reached_60_messages_in_the_first_second() -> None:
    now = [0.0]
    limiter = Limiter(Limits(), clock=lambda: now[0])
    due = sorted(limiter.reserve(chat) for chat in range(1, 201))
    most = max(sum(1 for t in due if start <= t < start + 1.0) for start in due)
    assert most <= 30
    assert due[-1] < 200 / 30  # and no slower than the rate


def test_a_ride_along_edit_books_the_bots_slot_but_not_the_chats() -> None:
    now = [0.0]
    limiter = Limiter(Limits(per_bot=30, chat_burst=1), clock=lambda: now[0])
    assert limiter.reserve(CHAT, per_chat=False) == 0
    assert 0 < limiter.reserve(CHAT) < 0.04  # the bot's slot was taken, the chat's not
    assert limiter.reserve(CHAT) > 0.9


def test_messages_woken_late_together_are_held_back_to_30_in_a_second() -> None:
    now = [0.0]
    limiter = Limiter(Limits(), clock=lambda: now[0])
    for _ in range(30):  # booked apart, but the event loop woke them all at once
        assert limiter.hold_back() == 0
        limiter.left()
    assert limiter.hold_back() == 1.0
    now[0] = 0.5
    assert limiter.hold_back() == 0.5


class Slow(Recording):
    """Telegram answering each message after `delay` s: how many were on their way at once."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay, self.on_the_way, self.most = delay, 0, 0

    async def send_message(self, chat_id: int, text: str, *args: Any) -> int:
        self.on_the_way += 1
        self.most = max(self.most, self.on_the_way)
        try:
            await asyncio.sleep(self.delay)
            return await super().send_message(chat_id, text)
        finally:
            self.on_the_way -= 1


async def test_sends_bunched_by_a_slow_network_reached_telegram_faster_than_30_a_second() -> None:
    """Seen in the fault suite: 367 messages in 10 s, 57 in one second, reached the stand-in
    Telegram from a bot spacing them 30 a second when it left them; a busy process or network
    had held them on their way. At most one second's worth is on its way at once now."""
    transport = Slow(delay=1.5)
    sender = Sender(transport, Limits(per_bot=20.0, per_chat=1000.0))  # type: ignore[arg-type]
    sender.submit([OutgoingMessage(CHAT + n, "Hello") for n in range(60)])
    await sender.drain()
    assert sum(kind == "send" for kind, _ in transport.calls) == 60
    assert transport.most == 20
