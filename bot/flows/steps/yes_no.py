"""`yes_no`: a question answered yes or no."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from bot.engine.events import Option, Say
from bot.flows.steps.base import Outcome, Question, StepContext, fold, match_option, register

if TYPE_CHECKING:
    from bot.engine.inputs import Input


@register("yes_no")
class YesNoStep(Question):
    """Yes or no. Branch on the answer with `when: {key: ..., equals: "yes"}`.

    ```yaml
    - id: safe
      type: yes_no
      key: felt_safe
      text: Did you feel safe there?
      next:
        - when: {key: felt_safe, equals: "no"}
          goto: not_safe
        - goto: better
    ```
    """

    type: Literal["yes_no"] = "yes_no"

    def common_values(self) -> tuple[str, ...] | None:
        return ("yes", "no")

    def choices(self, ctx: StepContext) -> tuple[Option, ...]:
        return (Option("yes", ctx.system("Yes")), Option("no", ctx.system("No")))

    def prompt(self, ctx: StepContext) -> Say:
        return ctx.say(
            ctx.t(self.text), input="yes_no", options=self.choices(ctx), skip=self.record
        )

    def receive(self, ctx: StepContext, inp: Input) -> Outcome:
        choices = self.choices(ctx)
        if inp.kind == "button":
            chosen = next((c for c in choices if c.value == inp.value), None)
        else:
            chosen = match_option(inp.value, choices)
            if chosen is None and fold(inp.value) in ("y", "da", "ok", "yeah", "yep", "نعم"):
                chosen = choices[0]
            if chosen is None and fold(inp.value) in ("n", "nu", "nope", "nah", "لا"):
                chosen = choices[1]
        if chosen is None:
            return self.retry(ctx, "Please choose Yes or No, or skip this question.")
        return Outcome(answered=True, answer=chosen.value)
