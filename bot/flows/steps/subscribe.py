"""`subscribe`: hear about new updates of the chosen service."""

from __future__ import annotations

from typing import Literal

from bot.engine.events import Event, SubscribeRequested
from bot.flows.model import Text
from bot.flows.steps.base import Outcome, StepBase, StepContext, register


@register("subscribe")
class SubscribeStep(StepBase):
    """Ask to be told when the service chosen earlier publishes a new "you said, we did"
    update: a message on Telegram, or at the next visit on the web chat. Only the chat's
    pseudonymous key is kept with it, for a limited time; "Delete my data" removes it.
    The `text` must say so honestly.

    ```yaml
    - id: subscribe_now
      type: subscribe
      text: Okay. I will tell you when something changes there.
      next: done
    ```
    """

    type: Literal["subscribe"] = "subscribe"
    text: Text

    def enter(self, ctx: StepContext) -> Outcome:
        events: list[Event] = [SubscribeRequested(ctx.session.service, ctx.session.band)]
        events.append(ctx.say(ctx.t(self.text)))
        return Outcome(events=events)
