"""`updates`: show what changed at the chosen service because of young people's feedback."""

from __future__ import annotations

from typing import Literal

from bot.engine.events import Event, UpdatesRequested
from bot.flows.steps.base import Outcome, StepBase, StepContext, register


@register("updates")
class UpdatesStep(StepBase):
    """Show the published "you said, we did" updates of the service chosen earlier (or
    say kindly that there are none yet), in the chat's language and age band's words.
    Staff write the updates; the `text`, if any, comes first.

    ```yaml
    - id: show
      type: updates
      next: offer
    ```
    """

    type: Literal["updates"] = "updates"

    def enter(self, ctx: StepContext) -> Outcome:
        events: list[Event] = [ctx.say(ctx.t(self.text))] if self.text else []
        events.append(UpdatesRequested(ctx.session.service, ctx.session.band))
        return Outcome(events=events)
