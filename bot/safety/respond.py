"""What the bot says and asks for when a message shows danger. Pure: data in, events out.

Graded (docs/safety.md):
- a clear signal brings the calm message with the helplines at once and an urgent
  request for a person; the handoff service then says, from the office hours, who
  will write and when (so no promise here can be untrue at night);
- a possible concern brings one gentle question, "would you like to talk to a
  person?", with two buttons; nothing is opened unless the young person says yes.

The engine calls these before anything else in a turn; the turn then goes on as
usual, so a young person is never stopped or blocked by a match.
"""

from __future__ import annotations

from bot.config import Config
from bot.engine.events import Event, HandoffRequested, Option, Say
from bot.i18n.translator import Translator
from bot.safety.detector import DangerMatch
from bot.safety.helplines import country_for, format_helplines

REASON = "danger"
CHECK_IN_STEP = "danger_check_in"  # the buttons of the gentle question
YES, NOT_NOW = "person", "not_now"


def _young(config: Config, band: str | None) -> bool:
    """8-12, or no age given yet: the simpler words."""
    return band is None or config.band(band).max_age <= 12


def danger_message(
    config: Config, translator: Translator, lang: str, service: str | None = None
) -> list[Say]:
    """Two calm messages in `lang`: the helplines (of the service's country), then that
    it is fine if we misread."""
    rtl = config.is_rtl(lang)
    first = translator.system(lang, "Thank you for telling me. Your safety matters most.")
    numbers = format_helplines(config, lang, country=country_for(config, service))
    if numbers:
        call = translator.system(
            lang, "If you are in danger or might hurt yourself, please call now:"
        )
        first = f"{first}\n{call}\n{numbers}"
    carry_on = translator.system(lang, "If I misunderstood, that's okay. We can carry on.")
    return [Say(text=first, lang=lang, rtl=rtl), Say(text=carry_on, lang=lang, rtl=rtl)]


def check_in(config: Config, translator: Translator, lang: str, band: str | None) -> Say:
    """The gentle question for a possible concern, with "yes" and "not now" buttons."""
    if _young(config, band):
        text = translator.system(
            lang,
            "It sounds like something might be hard right now. "
            "Would you like to talk to a grown-up from our team?",
        )
    else:
        text = translator.system(
            lang,
            "It sounds like something might be hard right now. Would you like to talk to a person?",
        )
    options = (
        Option(YES, translator.system(lang, "Yes, please")),
        Option(NOT_NOW, translator.system(lang, "Not now")),
    )
    return Say(
        text=text,
        lang=lang,
        rtl=config.is_rtl(lang),
        step=CHECK_IN_STEP,
        input="choice",
        options=options,
    )


def danger_events(
    found: DangerMatch,
    *,
    lang: str,
    band: str | None,
    service: str | None,
    config: Config,
    translator: Translator,
) -> list[Event]:
    """For a clear signal: the messages (in `lang`, and also in the matched language when
    it is another shipped one) and an urgent request for a person that names the phrase
    file and line for the audit. For a concern: the gentle question. Never the words."""
    if found.level != "clear":
        return [check_in(config, translator, lang, band)]
    events: list[Event] = list(danger_message(config, translator, lang, service))
    other = found.language
    if other != lang and other in config.languages.shipped:
        events.extend(danger_message(config, translator, other, service))
    why = f" ({found.why})" if found.why else ""
    events.append(
        HandoffRequested(
            reason=REASON,
            age_band=band,
            language=lang,
            service=service,
            urgent=True,
            rule=f"{found.category}: {found.rule}{why}",
        )
    )
    return events
