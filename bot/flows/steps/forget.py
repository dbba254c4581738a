"""`forget`: delete this young person's data."""

from __future__ import annotations

from typing import Literal

from bot.engine.events import DataDeletionRequested, Event
from bot.flows.model import Text
from bot.flows.steps.base import Outcome, StepBase, StepContext, register


@register("forget")
class ForgetStep(StepBase):
    """Delete the conversation, any open request for a person and its links, at once.
    The text must say honestly that anonymous feedback already sent cannot be found again.

    ```yaml
    - id: delete_now
      type: forget
      text: >-
        Done. I have deleted our conversation and any request to talk to a person.
        Answers you already sent stay, without your name or number. We cannot tell
        which ones were yours, so we cannot delete them.
    ```
    """

    type: Literal["forget"] = "forget"
    text: Text

    def enter(self, ctx: StepContext) -> Outcome:
        events: list[Event] = [DataDeletionRequested(), ctx.say(ctx.t(self.text))]
        return Outcome(events=events, finish=True)
