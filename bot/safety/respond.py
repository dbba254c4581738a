"""What the bot says and asks for when a message shows danger. Pure: data in, events out.

The engine calls `danger_events` before anything else in a turn; the turn then goes on
as usual, so a young person is never stopped or blocked by a match.
"""

from __future__ import annotations

from bot.config import Config
from bot.engine.events import Event, HandoffRequested, Say
from bot.i18n.translator import Translator
from bot.safety.helplines import format_helplines
from bot.safety.lexicon import DangerMatch

REASON = "danger"


def danger_message(config: Config, translator: Translator, lang: str) -> list[Say]:
    """Two calm messages in `lang`: the helplines, then a person who will write."""
    rtl = config.is_rtl(lang)
    first = translator.system(
        lang, "Thank you for telling me. Your safety matters most. We are here for you."
    )
    numbers = format_helplines(config, lang)
    if numbers:
        call = translator.system(
            lang, "If you are in danger or might hurt yourself, please call now:"
        )
        first = f"{first}\n{call}\n{numbers}"
    person = translator.system(
        lang,
        "A worker from our team will write to you here as soon as possible. "
        "They will not see your name or number.",
    )
    carry_on = translator.system(lang, "If I misunderstood, that's okay. We can carry on.")
    return [
        Say(text=first, lang=lang, rtl=rtl),
        Say(text=f"{person}\n{carry_on}", lang=lang, rtl=rtl),
    ]


def danger_events(
    found: DangerMatch,
    *,
    lang: str,
    band: str | None,
    service: str | None,
    config: Config,
    translator: Translator,
) -> list[Event]:
    """The messages (in `lang`, and also in the matched language when it is another
    shipped one) and an urgent request for a person. Never the words that matched."""
    events: list[Event] = list(danger_message(config, translator, lang))
    other = found.language
    if other != lang and other in config.languages.shipped:
        events.extend(danger_message(config, translator, other))
    events.append(
        HandoffRequested(reason=REASON, age_band=band, language=lang, service=service, urgent=True)
    )
    return events
