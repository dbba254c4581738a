"""`message`: say something and go on."""

from __future__ import annotations

from typing import Literal

from bot.flows.model import Text
from bot.flows.steps.base import StepBase, register


@register("message")
class MessageStep(StepBase):
    """Show a message, then go straight on to `next`.

    ```yaml
    - id: hello
      type: message
      text: Thank you for being here. You can stop at any time.
      next: first_question
    ```
    """

    type: Literal["message"] = "message"
    text: Text
