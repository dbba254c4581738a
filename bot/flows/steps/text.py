"""`text`: a free-text answer, in the young person's own words."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from bot.flows.steps.base import Outcome, Question, StepContext, register

if TYPE_CHECKING:
    from bot.engine.inputs import Input


@register("text")
class TextStep(Question):
    """Free text. Phone numbers, e-mails, names of accounts and links are removed
    before anything is kept, and age bands can choose not to keep free text at all.

    ```yaml
    - id: better
      type: text
      key: improve
      text: Is there anything that would make it better? Write as much or as little as you like.
      next: thanks
    ```
    """

    type: Literal["text"] = "text"
    max_chars: int = Field(default=1000, ge=10, le=4000)

    def receive(self, ctx: StepContext, inp: Input) -> Outcome:
        if inp.kind != "text" or not inp.value.strip():
            return self.retry(ctx, "You can type your answer, or skip this question.")
        return Outcome(answered=True, answer=inp.value.strip()[: self.max_chars])
