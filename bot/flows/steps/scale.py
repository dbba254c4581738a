"""`scale`: how much, as faces for the youngest and numbers for older bands."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, model_validator

from bot.engine.events import Option, Say
from bot.flows.model import Text
from bot.flows.steps.base import Outcome, Question, StepContext, match_option, register

if TYPE_CHECKING:
    from bot.engine.inputs import Input

COMMON_POINTS = 5
FACES = {
    2: ("🙁", "🙂"),
    3: ("🙁", "😐", "🙂"),
    4: ("😢", "🙁", "🙂", "😄"),
    5: ("😢", "🙁", "😐", "🙂", "😄"),
}


@register("scale")
class ScaleStep(Question):
    """A scale from low to high. `maps_to` places each point on the common 1-5 scale,
    so answers from every age band can be counted together.

    ```yaml
    - id: feeling
      type: scale
      key: overall
      text: How do you feel about this place?
      points: 3
      style: faces
      labels: [Not good, Okay, Good]
      maps_to: [1, 3, 5]
      next: safe
    ```
    """

    type: Literal["scale"] = "scale"
    points: int = Field(ge=2, le=5)
    style: Literal["faces", "numbers"] | None = None
    maps_to: tuple[Annotated[int, Field(ge=1, le=COMMON_POINTS)], ...]
    labels: tuple[Text, ...] = ()

    @model_validator(mode="after")
    def _sizes(self) -> ScaleStep:
        if len(self.maps_to) != self.points:
            msg = f"`maps_to` needs one number per point: {self.points} numbers from 1 to 5"
            raise ValueError(msg)
        if list(self.maps_to) != sorted(set(self.maps_to)):
            msg = "`maps_to` must go up from low to high, without repeating a number"
            raise ValueError(msg)
        if self.labels and len(self.labels) != self.points:
            msg = f"`labels` needs one label per point ({self.points}), from low to high"
            raise ValueError(msg)
        return self

    def texts(self) -> Iterator[tuple[str, str]]:
        yield "", self.text
        for number, label in enumerate(self.labels, start=1):
            yield f"point{number}", label

    def choices(self, ctx: StepContext) -> tuple[Option, ...]:
        band = ctx.config.band(ctx.session.band) if ctx.session.band else None
        style = self.style or (band.scale_style if band else "numbers")
        options = []
        for number in range(1, self.points + 1):
            label = ctx.t(self.labels[number - 1], f"point{number}") if self.labels else ""
            mark = FACES[self.points][number - 1] if style == "faces" else str(number)
            options.append(Option(str(number), f"{mark} {label}".strip()))
        return tuple(options)

    def prompt(self, ctx: StepContext) -> Say:
        return ctx.say(ctx.t(self.text), input="scale", options=self.choices(ctx), skip=self.record)

    def receive(self, ctx: StepContext, inp: Input) -> Outcome:
        choices = self.choices(ctx)
        chosen = (
            next((c for c in choices if c.value == inp.value), None)
            if inp.kind == "button"
            else match_option(inp.value, choices)
        )
        if chosen is None and inp.kind == "text" and self.labels:
            # A typed label ("okay") matches without its face or number ("😐 Okay").
            words = (ctx.t(label, f"point{n}") for n, label in enumerate(self.labels, start=1))
            plain = tuple(Option(c.value, w) for c, w in zip(choices, words, strict=True))
            chosen = match_option(inp.value, plain)
        if chosen is None:
            return self.retry(ctx, "Please choose one of the buttons, or type its number.")
        return Outcome(answered=True, answer=str(self.maps_to[int(chosen.value) - 1]))
