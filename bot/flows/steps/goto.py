"""`goto`: continue in another flow."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from bot.flows.model import Name
from bot.flows.steps.base import Outcome, StepBase, StepContext, register


@register("goto")
class GotoStep(StepBase):
    """Go to the start of another flow. The age band's own version is used where there is one,
    otherwise the one in `flows/common/`.

    ```yaml
    - id: to_menu
      type: goto
      flow: menu
    ```
    """

    type: Literal["goto"] = "goto"
    flow: Name

    def links(self) -> Iterator[str]:
        return iter(())

    def enter(self, ctx: StepContext) -> Outcome:
        events = [ctx.say(ctx.t(self.text))] if self.text else []
        return Outcome(events=list(events), flow=self.flow)
