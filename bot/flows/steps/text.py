"""`text`: a free-text answer, in the young person's own words."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from bot.flows.steps.base import Outcome, Question, StepContext, register
from bot.i18n.numbers import format_count

if TYPE_CHECKING:
    from bot.engine.inputs import Input


@register("text")
class TextStep(Question):
    """Free text. Phone numbers, e-mails, names of accounts and links are removed
    before anything is kept, and age bands can choose not to keep free text at all.
    An answer over `max_chars` is not cut: the young person is asked to shorten it.

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
        answer = inp.value.strip()
        if len(answer) > self.max_chars:
            # Never kept cut without a word: the young person chooses what to leave out.
            hint = ctx.system(
                "That answer is longer than I can keep ({limit} characters). "
                "Could you make it shorter?",
                limit=format_count(self.max_chars, ctx.session.lang),
            )
            return Outcome(events=[ctx.say(hint), self.prompt(ctx)], wait=True)
        return Outcome(answered=True, answer=answer)
