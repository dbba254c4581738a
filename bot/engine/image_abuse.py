"""The image-abuse route: what to do now when someone asks for, or threatens to share,
pictures of a young person, and where a picture can be taken down. Pure: config in,
events out.

Given when a photo or video arrives outside a case (the Telegram channel: nothing is
opened or downloaded), and after the danger message when the detector reports a clear
"sextortion" signal (bot/safety/respond.py gives the helplines and the urgent case; this
adds the steps). The report-and-remove services come from `[[report_remove]]` in
config.toml: those of `[safety] country`, else those without a country.
"""

from __future__ import annotations

from bot.config import Config, ReportRemove
from bot.engine.events import Event, HandoffRequested, Option, Say
from bot.i18n.translator import Translator
from bot.safety.respond import CHECK_IN_STEP, NOT_NOW, YES

__all__ = ["SEXTORTION", "after_danger", "report_remove_for", "route"]

SEXTORTION = "sextortion"  # the detector's category (bot/safety/lexicon.py)


def _young(config: Config, band: str | None) -> bool:
    """8-12, or no age given yet: the simpler words."""
    return band is None or config.band(band).max_age <= 12


def report_remove_for(config: Config, country: str | None = None) -> list[ReportRemove]:
    """The services for `country` (default `[safety] country`); those without a country
    when it has none."""
    country = country or config.safety.country
    local = [s for s in config.report_remove if country and s.country == country]
    return local or [s for s in config.report_remove if s.country is None]


def _name(service: ReportRemove, lang: str, source: str) -> str:
    names = service.name
    return (
        names.get(lang)
        or names.get(lang.split("-")[0])
        or names.get(source)
        or next(iter(names.values()))
    )


def route(
    config: Config,
    translator: Translator,
    lang: str,
    band: str | None,
    *,
    not_opened: bool = False,
    offer: bool = True,
) -> list[Say]:
    """The calm steps, the services, and (`offer`) a question with "yes" / "not now"
    buttons that asks for a person (the engine's check-in step handles the press).
    `not_opened`: a picture arrived; say first that it was not opened."""
    rtl = config.is_rtl(lang)
    young = _young(config, band)
    parts = (
        [translator.system(lang, "I did not open that: I can only read words here.")]
        if not_opened
        else []
    )
    if young:
        parts.append(
            translator.system(
                lang,
                "If someone is asking you for photos or videos, or says they will show "
                "pictures of you to others:\n"
                "• It is not your fault. You are not in trouble.\n"
                "• Do not send anything more, and do not pay.\n"
                "• Keep their messages. Do not delete them yet.\n"
                "• Block them, and tell a grown-up you trust.",
            )
        )
    else:
        parts.append(
            translator.system(
                lang,
                "If someone is asking you for photos or videos, or threatening to share "
                "pictures of you:\n"
                "• It is not your fault, and you are not in trouble.\n"
                "• Do not pay them and do not send more. Paying rarely makes it stop.\n"
                "• Keep the messages and their username. Do not delete them yet.\n"
                "• Block them and report them in the app or game where it happened.",
            )
        )
    source = config.languages.source
    for service in report_remove_for(config):
        # The address as it is (no bidi marks inside: Telegram must still see a link); a
        # run of Latin letters at the end of the line reads left to right in RTL text too.
        where = {"name": _name(service, lang, source), "url": service.url}
        if young:
            line = translator.system(
                lang, "{name} can help take a picture of you off the internet: {url}", **where
            )
        else:
            line = translator.system(
                lang,
                "{name} can help remove a picture or video of you from the internet: {url}",
                **where,
            )
        parts.append(line)
    says = [Say("\n\n".join(parts), lang, rtl)]
    if offer:
        if young:
            ask = translator.system(
                lang, "Would you like to talk to a grown-up from our team about it?"
            )
        else:
            ask = translator.system(
                lang, "Would you like to talk to a person from our team about it?"
            )
        options = (
            Option(YES, translator.system(lang, "Yes, please")),
            Option(NOT_NOW, translator.system(lang, "Not now")),
        )
        says.append(Say(ask, lang, rtl, step=CHECK_IN_STEP, input="choice", options=options))
    return says


def after_danger(
    events: list[Event], config: Config, translator: Translator, lang: str, band: str | None
) -> list[Event]:
    """A clear sextortion signal's events with the steps and services put before its
    request for a person (so the desk's "who will write, and when" still comes last)."""
    found = next(
        (i for i, e in enumerate(events) if isinstance(e, HandoffRequested)
         and (e.rule or "").startswith(f"{SEXTORTION}:")),
        None,
    )  # fmt: skip
    if found is None:
        return events
    steps = route(config, translator, lang, band, offer=False)
    return [*events[:found], *steps, *events[found:]]
