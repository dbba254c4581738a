"""`handoff`: ask for a person."""

from __future__ import annotations

from typing import Literal

from bot.engine.events import Event, HandoffRequested
from bot.flows.model import Name, Text
from bot.flows.steps.base import Outcome, StepBase, StepContext, register


@register("handoff")
class HandoffStep(StepBase):
    """Ask for a human worker. The text tells the young person what happens next.

    ```yaml
    - id: ask_person
      type: handoff
      reason: asked
      text: Okay. A worker will write to you here. They will not see your name or number.
      next: back_to_menu
    ```
    """

    type: Literal["handoff"] = "handoff"
    text: Text
    reason: Name = "asked"
    urgent: bool = False

    def enter(self, ctx: StepContext) -> Outcome:
        session = ctx.session
        events: list[Event] = [
            HandoffRequested(
                reason=self.reason,
                age_band=session.band,
                language=session.lang,
                service=session.service,
                urgent=self.urgent,
            ),
            ctx.say(ctx.t(self.text)),
        ]
        return Outcome(events=events)
