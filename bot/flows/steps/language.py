"""`language`: choose the language of the conversation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from bot.engine.events import LanguageChanged, Option, Say
from bot.flows.steps.base import Outcome, StepBase, StepContext, match_option, register

if TYPE_CHECKING:
    from bot.engine.inputs import Input


@register("language")
class LanguageStep(StepBase):
    """Offer every shipped language by its own name. Typing a language's name works too.

    ```yaml
    - id: pick_language
      type: language
      text: Which language would you like?
      next: pick_age
    ```
    """

    type: Literal["language"] = "language"

    def choices(self, ctx: StepContext) -> tuple[Option, ...]:
        names = ctx.config.languages.names
        return tuple(Option(code, names.get(code, code)) for code in ctx.config.languages.shipped)

    def enter(self, ctx: StepContext) -> Outcome:
        say: Say = ctx.say(ctx.t(self.text or ""), input="choice", options=self.choices(ctx))
        return Outcome(events=[say], wait=True)

    def receive(self, ctx: StepContext, inp: Input) -> Outcome:
        choices = self.choices(ctx)
        chosen = match_option(inp.value, choices)
        if chosen is None and inp.kind == "text":
            guess = ctx.detect_language(inp.value)
            chosen = next((c for c in choices if c.value == guess), None)
        if chosen is None:
            hint = ctx.say(ctx.system("Please choose a language from the buttons."))
            return Outcome(events=[hint, *self.enter(ctx).events], wait=True)
        ctx.session.lang = chosen.value
        return Outcome(events=[LanguageChanged(chosen.value)], answered=True)
