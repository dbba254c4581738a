"""`end`: the end of a flow, optionally sending the answers as one anonymous record."""

from __future__ import annotations

from typing import Literal

from bot.flows.steps.base import Outcome, StepBase, StepContext, register


@register("end")
class EndStep(StepBase):
    """End the flow. `submit: true` sends the answers as one anonymous feedback record.
    `then` says what comes next: the `menu`, `back` to where the young person was
    before (for privacy or language), or `idle` (the chat waits quietly).

    ```yaml
    - id: thanks
      type: end
      submit: true
      text: Thank you. What you told us will help make things better.
      then: menu
    ```
    """

    type: Literal["end"] = "end"
    submit: bool = False
    then: Literal["menu", "back", "idle"] = "menu"

    def enter(self, ctx: StepContext) -> Outcome:
        events = [ctx.say(ctx.t(self.text))] if self.text else []
        return Outcome(events=list(events), finish=True)
