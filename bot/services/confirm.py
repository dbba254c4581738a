"""The one-tap "Send it" / "Don't send" before something reaches the person helping.

While a case is open, two things are asked about first: a photo, voice note, place...
(bot/services/media.py) and typed text with contact details in it (bot/services/contact.py).
Both ask in the young person's language and in their band's words, with the same two
buttons, and answer the tap with the same sentences. A button's value names the choice it
belongs to (``send.<id>`` / ``keep.<id>``), so a tap on an older question changes nothing.

Every sentence is a literal passed to `Translator.system` and listed in bot/i18n/system.py.
"""

from __future__ import annotations

from bot.config import Config
from bot.engine.events import Option, Say
from bot.engine.session import Session
from bot.i18n.translator import Translator

__all__ = ["KEEP", "SEND", "Confirmation", "choice_of", "young"]

SEND, KEEP = "send", "keep"


def young(config: Config, band: str | None) -> bool:
    """8-12, or no (known) age yet: the simpler words, "a grown-up from our team"."""
    return band is None or band not in config.band_ids or config.band(band).max_age <= 12


def choice_of(value: str) -> tuple[str, str]:
    """A button's value -> (SEND or KEEP, the id of the choice it belongs to)."""
    action, _, choice = value.partition(".")
    return action, choice


class Confirmation:
    """The question and its answers, for one kind of choice (`step`: its buttons' step)."""

    def __init__(self, config: Config, translator: Translator, step: str) -> None:
        self.config, self.translator, self.step = config, translator, step

    def young(self, session: Session) -> bool:
        return young(self.config, session.band)

    def system_say(self, session: Session, text: str) -> Say:
        lang = session.lang
        return Say(self.translator.system(lang, text), lang, self.config.is_rtl(lang))

    def question(self, session: Session, text: str, choice: str) -> Say:
        """`text` (already translated), with "Send it" / "Don't send" for choice `choice`."""
        tr, lang = self.translator, session.lang
        options = (
            Option(f"{SEND}.{choice}", tr.system(lang, "Send it")),
            Option(f"{KEEP}.{choice}", tr.system(lang, "Don't send")),
        )
        return Say(text, lang, self.config.is_rtl(lang), step=self.step, input="choice",
                   options=options)  # fmt: skip

    def sent(self, session: Session) -> Say:
        if self.young(session):
            return self.system_say(session, "I sent it. A grown-up from our team will see it.")
        return self.system_say(session, "Sent. The people helping you will see it.")

    def kept(self, session: Session) -> Say:
        return self.system_say(session, "Okay, I did not send it.")

    def ended(self, session: Session) -> Say:
        """A tap on "Send it" after the case closed."""
        return self.system_say(
            session,
            "Your chat with our team has ended, so I did not send it. "
            "To talk to a person again, type /person.",
        )
