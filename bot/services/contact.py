"""Contact details in what a young person types to the person helping them: asked first.

While a case is open, typed text goes to the worker (bot/services/conversation.py). A text
with a phone number, e-mail, username, link or address in it is held back instead, and the
young person is asked, with one tap, whether the worker should see it: "This looks like a
phone number. The worker will see it." with "Send it" / "Don't send" (the pieces of the
photo confirmation, bot/services/confirm.py). Only "Send it" hands the text to the case;
"Don't send" drops it; anything else the young person does instead drops it too, and says
so, so nothing reaches the worker later that they did not just choose to send.

What counts as contact details is what `bot.privacy.scrub.scrub()` removes from feedback:
the kinds are the names of the placeholders it puts in ("[phone]" -> "phone"), so every
detector it gains is asked about here too. A kind without words of its own here (a long
number, a place...) and more than one kind are "contact details".

The held text lives in the session (Redis in production) under `PENDING_KEY`, as any
session state: it survives a restart, expires with the session, goes with "delete my
data", and is never logged, put in an outbox or written to feedback.
"""

from __future__ import annotations

import re
import secrets

from bot.config import Config
from bot.engine.events import Say
from bot.engine.inputs import Input
from bot.engine.session import Session
from bot.i18n.translator import Translator
from bot.privacy.scrub import scrub
from bot.services.confirm import Confirmation, choice_of

__all__ = ["CONTACT_STEP", "PENDING_KEY", "ContactCheck", "contact_kinds"]

CONTACT_STEP = "contact"  # the buttons' step; their values are "send.<id>" / "keep.<id>"
PENDING_KEY = "pc"  # the held text in the session: {"t": text, "c": the choice's id}

_PLACEHOLDER = re.compile(r"\[([a-z]+)\]")


def contact_kinds(text: str) -> frozenset[str]:
    """The kinds of contact details in `text`: the placeholders `scrub()` puts in, beyond
    any the text itself holds ("I typed [phone]" is no phone number)."""
    # A limit scrub() never reaches: a placeholder may be longer than what it replaces.
    scrubbed = scrub(text, max_chars=8 * len(text) + 16)
    before = _PLACEHOLDER.findall(text)
    after = _PLACEHOLDER.findall(scrubbed)
    return frozenset(kind for kind in set(after) if after.count(kind) > before.count(kind))


class ContactCheck:
    def __init__(self, config: Config, translator: Translator) -> None:
        self.confirm = Confirmation(config, translator, CONTACT_STEP)
        self.translator = translator

    def hold(self, saved: dict[str, object], session: Session, text: str,
             kinds: frozenset[str]) -> Say:  # fmt: skip
        """Keep `text` in the session (replacing any earlier one) and ask."""
        choice = secrets.token_hex(4)
        saved[PENDING_KEY] = {"t": text, "c": choice}
        return self.confirm.question(session, self._question(session, kinds), choice)

    def take(self, saved: dict[str, object] | None, value: str) -> tuple[str, str] | None:
        """A tap on "Send it" / "Don't send" (`value`): (SEND or KEEP, the held text), taken
        out of the session; None when that choice is no longer open (tapped twice, a newer
        one asked, the session gone)."""
        pending = saved.get(PENDING_KEY) if saved is not None else None
        action, choice = choice_of(value)
        if saved is None or not isinstance(pending, dict) or pending.get("c") != choice:
            return None
        del saved[PENDING_KEY]
        return action, str(pending.get("t") or "")

    def overtaken(self, saved: dict[str, object] | None, inp: Input | None) -> bool:
        """Something other than the tap came while a text was held: it is dropped, never
        sent (say `dropped()`)."""
        if saved is None or PENDING_KEY not in saved:
            return False
        if inp is not None and inp.kind == "button" and inp.step == CONTACT_STEP:
            return False
        del saved[PENDING_KEY]
        return True

    def dropped(self, session: Session) -> Say:
        return self.confirm.system_say(
            session, "I did not send your earlier message. To send it, please write it again."
        )

    def _question(self, session: Session, kinds: frozenset[str]) -> str:
        tr, lang = self.translator, session.lang
        [kind] = kinds if len(kinds) == 1 else ("",)
        if kind == "phone":
            what = tr.system(lang, "This looks like a phone number.")
        elif kind == "email":
            what = tr.system(lang, "This looks like an e-mail address.")
        elif kind == "handle":
            what = tr.system(lang, "This looks like a username.")
        elif kind == "link":
            what = tr.system(lang, "This looks like a link.")
        elif kind == "address":
            what = tr.system(lang, "This looks like an address.")
        elif kind == "name":
            what = tr.system(lang, "This looks like a name.")
        else:
            what = tr.system(lang, "This looks like contact details.")
        if self.confirm.young(session):
            who = tr.system(lang, "A grown-up from our team will see it. Send it?")
        else:
            who = tr.system(lang, "The worker will see it. Send it?")
        return f"{what} {who}"
