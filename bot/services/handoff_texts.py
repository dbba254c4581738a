"""What the young person is told about their request for a person, in words for their age.

The flows' own handoff texts say only that a person is asked for; what follows here is
the one promise of when, and it comes from the office hours: "soon" or "usually within
N minutes" only while workers are there, "later" or "from Monday 09:00" when they are
not, and "as soon as they can" where the time is not known.

Every sentence is a literal passed to `Translator.system` and listed in bot/i18n/system.py,
so it reaches the catalogs. The 8-12 band (and a young person who has not chosen a band
yet) gets the simpler sentence: "a helper", short, one idea at a time.
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_datetime

from bot.config import Config
from bot.engine.events import InputKind, Option, Say
from bot.flows.triggers import SURVEY_YES
from bot.i18n.translator import Translator
from bot.safety.helplines import country_for, format_helplines
from bot.services.hours import OfficeHours
from bot.storage.cases import Case

__all__ = ["RATING_FACES", "RATING_STEP", "SURVEY_STEP", "HandoffTexts"]

# The rating question's step: the conversation service answers these buttons itself.
RATING_STEP = "handoff_rating"
# The question after a closed chat: "Would you tell us how the chat went?" yes / no.
SURVEY_STEP = "case_closed_survey"
RATING_FACES = (("1", "🙁"), ("2", "😐"), ("3", "🙂"))


class HandoffTexts:
    def __init__(self, config: Config, translator: Translator, hours: OfficeHours) -> None:
        self.config, self.translator, self.hours = config, translator, hours
        # Bands with a `case_closed` flow (set from the flows at start-up).
        self.surveys: frozenset[str] = frozenset()

    def _say(
        self,
        lang: str,
        text: str,
        *,
        step: str | None = None,
        input: InputKind = "none",
        options: tuple[Option, ...] = (),
    ) -> Say:
        return Say(text, lang, self.config.is_rtl(lang), step, input, options)

    def young(self, band: str | None) -> bool:
        if band is None or band not in self.config.band_ids:
            return True
        return self.config.band(band).max_age <= 12

    def helplines(self, lang: str, service: str | None = None) -> Say:
        """The helplines of the service's (or the deployment's) country, in `lang`."""
        intro = self.translator.system(lang, "If you need help now, you can call:")
        country = country_for(self.config, service)
        return self._say(lang, f"{intro}\n{format_helplines(self.config, lang, country=country)}")

    def opened(self, case: Case, now: dt.datetime, answering: bool | None = None) -> list[Say]:
        """Who will answer, roughly when, that they will not see who you are, how to stop;
        for a request about a service, that the person answering does not work there.
        `answering`: whether a worker is there now (`DeskTools.answering`); None: the
        office hours alone say."""
        return [*self._opened(case, now, answering), *self.independent(case)]

    def independent(self, case: Case) -> list[Say]:
        """Conflict of interest: a request about a service goes to a desk of another
        organisation (`Config.desk_for`, checked when the config loads). Say so."""
        t, lang, service = self.translator, case.language, case.service
        if service is None or service not in self.config.services:
            return []
        place = self.config.service_label(service, lang)
        if self.young(case.age_band):
            text = t.system(
                lang,
                "The helper who talks with you does not work at the place you told us "
                "about ({place}).",
                place=place,
            )
        else:
            text = t.system(
                lang,
                "The worker who answers you does not work for the service you told us "
                "about ({place}).",
                place=place,
            )
        return [self._say(lang, text)]

    def _opened(self, case: Case, now: dt.datetime, answering: bool | None) -> list[Say]:
        t, lang = self.translator, case.language
        if answering is False and self.hours.is_open(now):
            return self.nobody_on_duty(case)
        if answering or (answering is None and self.hours.is_open(now)):
            minutes = self.config.handoff.answer_within_minutes
            if self.young(case.age_band):
                text = t.system(
                    lang,
                    "A helper from our team will write to you here soon. "
                    "They cannot see your name or your number. To stop, type /stop.",
                )
            else:
                text = t.system_plural(
                    lang,
                    "A worker from our team will answer you here, usually within {n} minute. "
                    "They will not see your name, your number or your account. "
                    "To cancel, type /stop.",
                    "A worker from our team will answer you here, usually within {n} minutes. "
                    "They will not see your name, your number or your account. "
                    "To cancel, type /stop.",
                    minutes,
                )
            return [self._say(lang, text)]
        return self._away(case, now)

    def _away(self, case: Case, now: dt.datetime) -> list[Say]:
        """Out of office hours: nobody is there, so no "soon"; the helplines at once."""
        t, lang = self.translator, case.language
        if self.young(case.age_band):
            text = self._helpers_away(lang)
        else:
            text = t.system(
                lang,
                "Our workers are not here right now. A worker will answer you here from "
                "{when}. They will not see your name, your number or your account. "
                "To cancel, type /stop.",
                when=self._when(now, lang),
            )
        return [self._say(lang, text), self.helplines(lang, case.service)]

    def _helpers_away(self, lang: str) -> str:
        """The youngest band's words for "nobody is here now", in hours or out of them."""
        return self.translator.system(
            lang,
            "Our helpers are not here right now. A helper will write to you here later. "
            "They cannot see your name or your number. To stop, type /stop.",
        )

    def nobody_on_duty(self, case: Case) -> list[Say]:
        """In office hours, but no worker said they are on duty: no "soon" either."""
        t, lang = self.translator, case.language
        if self.young(case.age_band):
            text = self._helpers_away(lang)
        else:
            text = t.system(
                lang,
                "Nobody from our team is on duty right now. A worker will answer you here as "
                "soon as they can. They will not see your name, your number or your account. "
                "To cancel, type /stop.",
            )
        return [self._say(lang, text), self.helplines(lang, case.service)]

    def blocked(self, case: Case) -> list[Say]:
        """The case closed by a block: kind, no blame, and where help is meanwhile."""
        t, lang = self.translator, case.language
        if self.young(case.age_band):
            text = t.system(
                lang, "This chat has ended for now. You can ask for a helper again later."
            )
        else:
            text = t.system(
                lang,
                "This chat with our team has ended for now. "
                "You can ask to talk to a person again later.",
            )
        return [self._say(lang, text), self.helplines(lang, case.service)]

    def blocked_request(self, lang: str, band: str | None, service: str | None = None) -> list[Say]:
        """Asked for a person while blocked: not now, try later, and the helplines."""
        t = self.translator
        if self.young(band):
            text = t.system(
                lang, "You cannot talk to a helper here right now. Please try again later."
            )
        else:
            text = t.system(
                lang, "You cannot talk to a person here right now. Please try again later."
            )
        return [self._say(lang, text), self.helplines(lang, service)]

    def _when(self, now: dt.datetime, lang: str) -> str:
        opening = self.hours.next_open(now)
        if opening is None:
            return "?"
        return str(format_datetime(opening, "EEEE HH:mm", tzinfo=self.hours.zone, locale=lang))

    def state(self, case: Case) -> list[Say]:
        """Asked again: where the open request stands (no time promised: it may be night)."""
        t, lang = self.translator, case.language
        if case.status == "claimed" and case.worker_name:
            text = t.system(
                lang,
                "{name} from our team is talking with you. Just write your message here.",
                name=case.worker_name,
            )
        elif self.young(case.age_band):
            text = t.system(
                lang,
                "You already asked for a helper. They will write to you here as soon as they "
                "can. To stop, type /stop.",
            )
        else:
            text = t.system(
                lang,
                "You have already asked to talk to a person. A worker will answer you here "
                "as soon as they can. To cancel, type /stop.",
            )
        return [self._say(lang, text)]

    def claimed(self, case: Case) -> list[Say]:
        text = self.translator.system(
            case.language,
            "{name} from our team is here now. You can write to them here.",
            name=case.worker_name or "",
        )
        return [self._say(case.language, text)]

    def transferred(self, case: Case) -> list[Say]:
        text = self.translator.system(
            case.language,
            "Another person from our team will talk with you now. Please wait a little.",
        )
        return [self._say(case.language, text)]

    def no_answer(self, case: Case, answering: bool | None = None) -> list[Say]:
        """Nobody answered in time. If the office has closed meanwhile (or nobody is on
        duty), say so: "busy" would be untrue when nobody is there."""
        t, lang = self.translator, case.language
        now = case.helplines_at or case.updated
        if not self.hours.is_open(now):
            return self._away(case, now)
        if answering is False:
            return self.nobody_on_duty(case)
        if self.young(case.age_band):
            text = t.system(
                lang,
                "Sorry, our helpers are busy right now. We have not forgotten you. "
                "A helper will write to you here as soon as they can.",
            )
        else:
            text = t.system(
                lang,
                "Sorry, our workers are all busy right now. Your request is still waiting, "
                "and a worker will answer you here as soon as they can.",
            )
        return [self._say(lang, text), self.helplines(lang, case.service)]

    def closed(self, case: Case, token: str, name: str) -> list[Say]:
        """Told when the worker ends the chat, with the one-tap rating."""
        t, lang = self.translator, case.language
        bye = t.system(
            lang,
            "{name} has ended the chat. Thank you for talking with us. "
            "To talk to a person again, type /person.",
            name=name,
        )
        options = tuple(Option(f"{value}.{token}", face) for value, face in RATING_FACES)
        ask = t.system(lang, "How was talking with us? Tap a face.")
        rating = self._say(lang, ask, step=RATING_STEP, input="choice", options=options)
        return [self._say(lang, bye), rating]

    def stopped(self, lang: str) -> list[Say]:
        text = self.translator.system(lang, "Your request to talk to a person is cancelled.")
        return [self._say(lang, text)]

    def rated(self, lang: str, band: str | None = None) -> list[Say]:
        """Thanks for the rating; then, for a band with a `case_closed` flow, the gentle
        offer of it, in words for the band (one question at a time: the web chat shows
        only the newest buttons)."""
        t = self.translator
        thanks = [self._say(lang, t.system(lang, "Thank you for telling us."))]
        if band not in self.surveys:
            return thanks
        if self.young(band):
            offer = t.system(
                lang,
                "Would you like to tell a grown-up from our team how the chat went? "
                "Nobody will know it was you.",
            )
        else:
            offer = t.system(lang, "Would you tell us how the chat went? It is anonymous.")
        answers = (Option(SURVEY_YES, t.system(lang, "Yes")), Option("no", t.system(lang, "No")))
        return [*thanks, self._say(lang, offer, step=SURVEY_STEP, input="choice", options=answers)]

    def relayed(self, case: Case, name: str, text: str) -> Say:
        """A worker's message as the young person sees it: "<display name>: text"."""
        return self._say(case.language, f"{name}: {text}")
