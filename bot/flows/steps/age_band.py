"""`age_band`: choose an age group, so words and questions fit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from bot.engine.events import Option
from bot.flows.steps.base import Outcome, StepBase, StepContext, match_option, register
from bot.inputs.text import number_of

if TYPE_CHECKING:
    from bot.engine.inputs import Input


@register("age_band")
class AgeBandStep(StepBase):
    """Offer the age bands from config.toml. Typing an age (like 14) picks its band.

    ```yaml
    - id: pick_age
      type: age_band
      text: How old are you? This helps us use the right words.
      next: to_welcome
    ```
    """

    type: Literal["age_band"] = "age_band"

    def choices(self, ctx: StepContext) -> tuple[Option, ...]:
        lang = ctx.session.lang
        return tuple(
            Option(band.id, band.label.get(lang) or band.label.get("en") or band.id)
            for band in ctx.config.age_bands
        )

    def enter(self, ctx: StepContext) -> Outcome:
        prompt = ctx.say(ctx.t(self.text or ""), input="choice", options=self.choices(ctx))
        return Outcome(events=[prompt], wait=True)

    def receive(self, ctx: StepContext, inp: Input) -> Outcome:
        choices = self.choices(ctx)
        typed = inp.value.strip()
        chosen = None
        # An age in any script's digits (١٤ is 14); ² or ፲፬ are not numbers, never a crash.
        age = number_of(typed) if inp.kind == "text" else None
        if age is not None and age > len(choices):
            band = next((b for b in ctx.config.age_bands if b.min_age <= age <= b.max_age), None)
            if band is None:
                return self._outside(ctx)
            chosen = band.id
        else:
            option = match_option(typed, choices)
            chosen = option.value if option else None
        if chosen is None:
            hint = ctx.system("Please choose your age group from the buttons.")
            return Outcome(events=[ctx.say(hint), *self.enter(ctx).events], wait=True)
        ctx.session.band = chosen
        return Outcome(answered=True)

    def _outside(self, ctx: StepContext) -> Outcome:
        bands = ctx.config.age_bands
        text = ctx.system(
            "SafeVoice is made for young people aged {low} to {high}. "
            "If you need help now, you can still talk to a person: type /person.",
            low=min(b.min_age for b in bands),
            high=max(b.max_age for b in bands),
        )
        return Outcome(events=[ctx.say(text), *self.enter(ctx).events], wait=True)
