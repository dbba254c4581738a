"""`choice`: pick one option, or several with `multiple: true`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

from pydantic import model_validator

from bot.engine.events import Event, Option, Say
from bot.flows.model import Option as OptionSpec
from bot.flows.steps.base import Outcome, Question, StepContext, match_option, register

if TYPE_CHECKING:
    from bot.engine.inputs import Input

DONE = "done"
# What a choice can be counted as instead of a choice, with the values its options may count as.
COUNTED_AS = {"yes_no": ("yes", "no"), "scale": ("1", "2", "3", "4", "5")}


@register("choice")
class ChoiceStep(Question):
    """Buttons to choose from. `options_from: services` lists the services in config.toml.

    ```yaml
    - id: service
      type: choice
      key: service
      text: Which place would you like to tell us about?
      options_from: services
      next: feeling
    - id: liked
      type: choice
      key: liked
      multiple: true
      text: What was good? You can pick more than one.
      options:
        - {value: people, label: The people}
        - {value: food, label: The food}
      next: thanks
    ```
    """

    type: Literal["choice"] = "choice"
    options: tuple[OptionSpec, ...] = ()
    options_from: Literal["services"] | None = None
    multiple: bool = False
    counted_as: Literal["yes_no", "scale"] | None = None

    @model_validator(mode="after")
    def _has_options(self) -> ChoiceStep:
        if bool(self.options) == bool(self.options_from):
            msg = "give either `options` (a list) or `options_from: services`, not both or neither"
            raise ValueError(msg)
        values = [option.value for option in self.options]
        if len(set(values)) != len(values):
            msg = "two options share the same value"
            raise ValueError(msg)
        if self.counted_as is not None:
            allowed = COUNTED_AS[self.counted_as]
            if self.multiple or self.options_from:
                msg = "`counted_as` is for a choice of one option from `options`"
                raise ValueError(msg)
            if any(option.counts_as is None for option in self.options):
                msg = f"with `counted_as: {self.counted_as}`, give every option a `counts_as`"
                raise ValueError(msg)
            if any(option.common not in allowed for option in self.options):
                msg = f"with `counted_as: {self.counted_as}`, `counts_as` is one of: " + ", ".join(
                    allowed
                )
                raise ValueError(msg)
        elif any(isinstance(option.counts_as, int) for option in self.options):
            msg = "`counts_as` is a value (small letters, digits and _), like `people`"
            raise ValueError(msg)
        return self

    @property
    def answer_kind(self) -> str:
        return "multi" if self.multiple else "choice"

    @property
    def counted_kind(self) -> str:
        return self.counted_as or self.answer_kind

    def common_value(self, value: str) -> str:
        return next((o.common for o in self.options if o.value == value), value)

    def common_values(self) -> tuple[str, ...] | None:
        if not self.options:
            return None
        return tuple(dict.fromkeys(option.common for option in self.options))

    def texts(self) -> Iterator[tuple[str, str]]:
        yield "", self.text
        for option in self.options:
            yield option.value, option.label

    def links(self) -> Iterator[str]:
        yield from super().links()
        yield from (option.goto for option in self.options if option.goto)

    def choices(self, ctx: StepContext) -> tuple[Option, ...]:
        if self.options_from == "services":
            lang = ctx.session.lang
            return tuple(
                Option(code, ctx.config.service_label(code, lang)) for code in ctx.config.services
            )
        return tuple(Option(spec.value, ctx.t(spec.label, spec.value)) for spec in self.options)

    def prompt(self, ctx: StepContext) -> Say:
        return ctx.say(
            ctx.t(self.text),
            input="multi" if self.multiple else "choice",
            options=self.choices(ctx),
            skip=self.record,
            done=self.multiple,
            selected=tuple(ctx.session.picked),
        )

    def receive(self, ctx: StepContext, inp: Input) -> Outcome:
        choices = self.choices(ctx)
        if self.multiple:
            return self._receive_many(ctx, inp, choices)
        chosen = (
            next((c for c in choices if c.value == inp.value), None)
            if inp.kind == "button"
            else match_option(inp.value, choices)
        )
        if chosen is None:
            return self.retry(ctx, "Please choose one of the buttons, or type its number.")
        goto = next((spec.goto for spec in self.options if spec.value == chosen.value), None)
        return Outcome(answered=True, answer=chosen.value, jump=goto)

    def _receive_many(self, ctx: StepContext, inp: Input, choices: tuple[Option, ...]) -> Outcome:
        picked = ctx.session.picked
        if inp.kind == "button" and inp.value == DONE:
            answer = [c.value for c in choices if c.value in picked]
            picked.clear()
            return Outcome(events=self._picked(ctx, answer), answered=True, answer=answer or None)
        if inp.kind == "button":
            found = [c for c in choices if c.value == inp.value]
        else:
            parts = [part for part in re.split(r"[,;/]+|\s+and\s+", inp.value) if part.strip()]
            found = [match for part in parts if (match := match_option(part, choices))]
            if found and len(found) == len(parts):
                # Typed answers pick everything at once: that is the whole answer.
                answer = [c.value for c in choices if c in found]
                picked.clear()
                return Outcome(events=self._picked(ctx, answer), answered=True, answer=answer)
            found = []
        if not found:
            return self.retry(ctx, "Please choose from the buttons, then press Done.")
        for option in found:
            if option.value in picked:
                picked.remove(option.value)
            else:
                picked.append(option.value)
        return Outcome(events=[self.prompt(ctx)], wait=True)

    def _picked(self, ctx: StepContext, answer: list[str]) -> list[Event]:
        # Saying how many were taken confirms the answer without repeating what was chosen.
        if not answer:
            return []
        n = len(answer)
        return [ctx.say(ctx.system_plural("You picked {n} answer.", "You picked {n} answers.", n))]
