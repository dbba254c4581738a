"""`language`: choose the language of the conversation."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Literal

from bot.engine.events import LanguageChanged, Option, Say
from bot.flows.steps.base import Outcome, StepBase, StepContext, match_option, register

if TYPE_CHECKING:
    from bot.engine.inputs import Input


_SCRIPTS = ("LATIN", "CYRILLIC", "ARABIC", "ETHIOPIC")


def _by_name(name: str) -> tuple[int, str]:
    """Script first (Latin, Cyrillic, Arabic, Ge'ez, others), then the name without
    accents ("Română" between "Naijá" and "Shqip")."""
    script = unicodedata.name(name[:1], "").split(" ")[0] if name else ""
    rank = _SCRIPTS.index(script) if script in _SCRIPTS else len(_SCRIPTS)
    bare = "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))
    return rank, bare.casefold()


@register("language")
class LanguageStep(StepBase):
    """Offer every shipped language by its own name. Typing a language's name works too.

    The language the conversation is in (the device's, or the source language) comes
    first; the others follow by their own names, Latin script alphabetically, then
    Cyrillic, Arabic and Ge'ez script, so a young person finds theirs among many.

    Other typed words are a guess, never a choice: the question comes again in the language
    they seem to be in, that language's button first, for the young person to press.

    ```yaml
    - id: pick_language
      type: language
      text: Which language would you like?
      next: pick_age
    ```
    """

    type: Literal["language"] = "language"

    def choices(self, ctx: StepContext, first: str | None = None) -> tuple[Option, ...]:
        names = ctx.config.languages.names
        shipped = ctx.config.languages.shipped
        labels = {code: names.get(code, code) for code in shipped}
        order = sorted(shipped, key=lambda code: (code != first, _by_name(labels[code])))
        return tuple(Option(code, labels[code]) for code in order)

    def enter(self, ctx: StepContext, first: str | None = None) -> Outcome:
        # With 18 buttons, the guess on top is the one to confirm with a single tap.
        options = self.choices(ctx, first or ctx.session.lang)
        say: Say = ctx.say(ctx.t(self.text or ""), input="choice", options=options)
        return Outcome(events=[say], wait=True)

    def receive(self, ctx: StepContext, inp: Input) -> Outcome:
        choices = self.choices(ctx)
        chosen = match_option(inp.value, choices)
        if chosen is None and inp.kind == "text":
            guess = ctx.detect_language(inp.value)
            if guess in ctx.config.languages.shipped:
                ctx.session.lang = guess  # only the words of the question: not yet chosen
                confirm = ctx.say(
                    ctx.system(
                        "Is this your language? Press its button to go on, or choose another."
                    )
                )
                return Outcome(events=[confirm, *self.enter(ctx, guess).events], wait=True)
        if chosen is None:
            hint = ctx.say(ctx.system("Please choose a language from the buttons."))
            return Outcome(events=[hint, *self.enter(ctx).events], wait=True)
        ctx.session.lang = chosen.value
        return Outcome(events=[LanguageChanged(chosen.value)], answered=True)
