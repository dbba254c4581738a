"""Step kinds, one module each, registered by their `type:` name."""

from bot.flows.steps import (  # noqa: F401  (importing registers each kind)
    age_band,
    choice,
    end,
    forget,
    goto,
    handoff,
    language,
    message,
    scale,
    subscribe,
    text,
    updates,
    yes_no,
)
from bot.flows.steps.base import STEP_TYPES, Outcome, Question, StepBase, StepContext

__all__ = ["STEP_TYPES", "Outcome", "Question", "StepBase", "StepContext"]
