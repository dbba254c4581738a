"""Whatever a young person types, the engine answers and nothing crashes: every line of
the Big List of Naughty Strings, every Unicode decimal digit and every numeric character
without a decimal value, at every step a chat can wait at (the engine) and through the
real ConversationService on the "test" runtime. Arbitrary Unicode through every channel
and the service: tests/channels/test_input_properties.py.

Each test counts its cases and checks there were at least 10,000 of them."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator

import pytest

from bot.engine.events import Event, Say
from bot.engine.inputs import Input
from bot.flows.steps.language import LanguageStep
from bot.services.conversation import Reply
from tests.drive import CHANNEL, Service, service_for
from tests.engine.conftest import at, check_says, shared_app, to_menu, waiting_steps
from tests.naughty import BLNS, DECIMAL_DIGITS, NOT_DECIMAL, ZEROS, spell

APP = shared_app()
ENGINE = APP.engine
CASES = 10_000
WAITING = list(waiting_steps(APP))
# Each step once: the common flows' steps are the same step in every band.
STEPS = list(
    {(flow.scope, flow.id, step.id): (b, flow, step) for b, flow, step in WAITING}.values()
)


@pytest.fixture(scope="module")
def service() -> Iterator[Service]:
    with service_for(APP) as driven:
        yield driven


def answered(reply: Reply) -> None:
    assert reply.events or reply.relayed, "every input gets an answer"
    check_says(list(reply.events))


def _shown(events: list[Event]) -> str:
    return " ".join(e.text for e in events if isinstance(e, Say))


def test_every_blns_line_at_every_step_and_through_the_service(service: Service) -> None:
    """Every naughty string at every step a chat can wait at (one language question: the
    other is the same step kind), and through the service at each band's menu."""
    cases = 0
    language_steps = [w for w in STEPS if isinstance(w[2], LanguageStep)]
    for band, flow, step in [w for w in STEPS if w not in language_steps] + language_steps[:1]:
        for line in BLNS:
            session, events = ENGINE.resume(at(band, flow, step), Input.text(line))
            assert events, (flow.id, step.id, line)
            check_says(events)
            json.dumps(session.to_json())
            cases += 1
    for band in APP.config.band_ids:
        for line in BLNS:
            (reply,) = service.turns((band, "menu"), "en", [Input.text(line)])
            answered(reply)
            cases += 1
    assert cases >= CASES, cases


def test_every_decimal_digit_at_every_step() -> None:
    """Every code point with a decimal value, alone, at every step a chat can wait at;
    at the menu it chooses the button of its value, as the ASCII digit does."""
    cases = 0
    for band, flow, step in WAITING:
        for digit in DECIMAL_DIGITS:
            _, events = ENGINE.resume(at(band, flow, step), Input.text(digit))
            assert events, (flow.id, step.id, hex(ord(digit)))
            cases += 1
    for band in APP.config.band_ids:
        menu = to_menu(ENGINE, band)
        expected = {d: ENGINE.resume(menu, Input.text(d))[0] for d in "0123456789"}
        for digit in DECIMAL_DIGITS:
            after, _ = ENGINE.resume(menu, Input.text(digit))
            wanted = expected[str(unicodedata.decimal(digit))]
            assert (after.flow, after.step) == (wanted.flow, wanted.step), hex(ord(digit))
            cases += 1
    assert cases >= CASES, cases


def test_every_scripts_digits_spell_an_age_through_the_service(service: Service) -> None:
    cases = 0
    bands = APP.config.age_bands
    for zero in ZEROS:
        for age in range(min(b.min_age for b in bands), max(b.max_age for b in bands) + 1):
            band = next(b.id for b in bands if b.min_age <= age <= b.max_age)
            got = service.run(_band_after_typing(service, spell(age, zero)))
            assert got == band, (hex(ord(zero)), age)
            cases += 1
    assert cases == len(ZEROS) * 17


async def _band_after_typing(service: Service, age: str) -> str | None:
    """The age band the service saved after `age` was typed at the age question."""
    conversation, user = service.runtime.conversation, next(service.users)
    await conversation.handle(CHANNEL, user, Input.command("start"))
    await conversation.handle(CHANNEL, user, Input.button("en", "pick_language"))
    await conversation.handle(CHANNEL, user, Input.text(age))
    turn = await conversation.sessions.begin(conversation.key(CHANNEL, user))
    await conversation.sessions.release(turn)
    band = turn.session.get("band") if turn.session else None
    return band if isinstance(band, str) else None


def test_every_number_without_a_decimal_value_is_not_a_number() -> None:
    """², ①, ፩, ½, Ⅻ, 五...: `isdigit()` or `isnumeric()` say yes, `int()` says no.
    None crashes a step, and none chooses a button by number."""
    cases = 0
    for band, flow, step in STEPS:
        for char in NOT_DECIMAL:
            _, events = ENGINE.resume(at(band, flow, step), Input.text(char))
            assert events, (flow.id, step.id, hex(ord(char)))
            cases += 1
    menu = to_menu(ENGINE, "13-15")
    for char in NOT_DECIMAL:
        after, events = ENGINE.resume(menu, Input.text(char))
        assert (after.flow, after.step) == ("menu", "choose"), hex(ord(char))
        assert "Please choose one of the buttons, or type its number." in _shown(events)
        cases += 1
    assert cases >= CASES, cases
