"""Pure parts: render, split, signed callback data, the limiter."""

from __future__ import annotations

import base64
import hmac

import pytest

from bot.channels.telegram.callbacks import MAX_CALLBACK_BYTES, sign, verify
from bot.channels.telegram.limiter import Limiter, Limits
from bot.channels.telegram.render import (
    Context,
    EditMessage,
    OutgoingMessage,
    Pressed,
    render,
    split_text,
)
from bot.engine.events import Option, Say

SECRET = b"k"


def ctx(pressed: Pressed | None = None) -> Context:
    return Context(1, lambda step, value: sign(SECRET, 1, step, value), pressed)


def test_statements_join_the_question_and_buttons_are_signed() -> None:
    events = [
        Say("Hello.", "en"),
        Say("Pick one", "en", step="q", input="choice", options=(Option("a", "A"),)),
    ]
    [message] = render(events, ctx())
    assert isinstance(message, OutgoingMessage)
    assert message.text == "Hello.\n\nPick one"
    data = message.keyboard[0][0].data
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    assert verify(SECRET, 1, data) == ("q", "a")
    assert verify(SECRET, 2, data) is None  # copied to another chat
    assert verify(SECRET, 1, data[:-1] + "b") is None


def test_a_button_signed_before_the_upgrade_still_works() -> None:
    """Buttons were signed with HMAC-SHA256 until BLAKE2s took its place; a question a
    chat still shows from before must still answer, and a forged one must not."""
    digest = hmac.digest(SECRET, b"cb|1|q|a", "sha256")
    earlier = base64.urlsafe_b64encode(digest).decode()[:11] + "|q|a"
    assert earlier != sign(SECRET, 1, "q", "a")
    assert verify(SECRET, 1, earlier) == ("q", "a")
    assert verify(SECRET, 2, earlier) is None
    assert verify(b"another secret", 1, earlier) is None


@pytest.mark.parametrize("secret", [b"s", b"k" * 32, b"a longer secret " * 8])
def test_buttons_are_signed_whatever_the_secrets_length(secret: bytes) -> None:
    data = sign(secret, 7, "q", "b")
    assert verify(secret, 7, data) == ("q", "b")
    assert verify(secret + b"!", 7, data) is None


def test_answer_edits_the_question_to_show_the_choice() -> None:
    pressed = Pressed(9, "Pick one", "A", "q")
    actions = render([Say("Next", "en")], ctx(pressed))
    assert actions[0] == EditMessage(1, 9, "Pick one\n\n✓ A")


def test_long_text_is_split_on_word_boundaries() -> None:
    text = " ".join(["word"] * 2000)
    pieces = split_text(text)
    assert all(len(p) <= 4096 for p in pieces)
    assert " ".join(pieces) == text


def test_limiter_keeps_one_per_second_per_chat_after_a_burst() -> None:
    now = [0.0]
    limiter = Limiter(Limits(chat_burst=3, bot_burst=30), clock=lambda: now[0])  # the chat alone
    waits = [limiter.reserve(5) for _ in range(5)]
    assert waits[:3] == [0, 0, 0]
    assert waits[3] > 0.9
    assert waits[4] > 1.9
    limiter.pause(6, 2.0)
    assert limiter.reserve(6) >= 2.0


def test_eighteen_languages_are_laid_out_two_a_row() -> None:
    """Regression: with every language shipped, one button a row made a keyboard three
    phone screens long; a long list of short names goes two a row, in the same order."""
    names = ["English", "Bosanski", "Deutsch", "Norsk bokmål", "Українська", "العربية", "ትግርኛ"]
    options = tuple(Option(str(i), name) for i, name in enumerate(names))
    say = Say("Which language?", "en", step="lang", input="choice", options=options)
    [message] = render([say], ctx())
    assert isinstance(message, OutgoingMessage)
    assert [len(row) for row in message.keyboard] == [2, 2, 2, 1]
    assert [b.label for row in message.keyboard for b in row] == names


def test_a_short_menu_keeps_one_button_a_row() -> None:
    options = tuple(Option(str(i), f"Entry {i}") for i in range(6))
    say = Say("What now?", "en", step="menu", input="choice", options=options)
    [message] = render([say], ctx())
    assert isinstance(message, OutgoingMessage)
    assert [len(row) for row in message.keyboard] == [1] * 6
