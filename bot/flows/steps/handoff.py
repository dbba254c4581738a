"""`handoff`: ask for a person."""

from __future__ import annotations

from typing import Literal

from bot.engine.events import Event, HandoffRequested
from bot.flows.model import Name, Text
from bot.flows.steps.base import Outcome, StepBase, StepContext, register


@register("handoff")
class HandoffStep(StepBase):
    """Ask for a human worker. The text tells the young person what happens next; SafeVoice
    then says who will answer and when, from the office hours, so the text should not
    promise a time. `priority: true` puts the request before ordinary ones (use it when
    the young person says they do not feel safe); `urgent: true` is for danger right now.

    ```yaml
    - id: get_person
      type: handoff
      reason: unsafe
      priority: true
      text: Okay. I am asking someone from our team to talk with you.
      next: listened
    ```
    """

    type: Literal["handoff"] = "handoff"
    text: Text
    reason: Name = "asked"
    urgent: bool = False
    priority: bool = False

    def enter(self, ctx: StepContext) -> Outcome:
        session = ctx.session
        events: list[Event] = [
            HandoffRequested(
                reason=self.reason,
                age_band=session.band,
                language=session.lang,
                service=session.service,
                urgent=self.urgent,
                priority=self.priority,
            ),
            ctx.say(ctx.t(self.text)),
        ]
        return Outcome(events=events)
