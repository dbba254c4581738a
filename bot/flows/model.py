"""The authoring format's shared parts: conditions, links, options, the flow header."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

SPEC_VERSION = 1
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Value = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]{0,29}$")]
Text = Annotated[str, Field(min_length=1, max_length=4000)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(Model):
    """A test on one earlier answer. Exactly one of the tests is given."""

    key: Name
    equals: str | int | None = None
    one_of: tuple[str | int, ...] | None = None
    at_least: int | None = None
    at_most: int | None = None
    skipped: bool | None = None

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        tests = [self.equals, self.one_of, self.at_least, self.at_most, self.skipped]
        if sum(test is not None for test in tests) != 1:
            msg = "give exactly one test: equals, one_of, at_least, at_most or skipped"
            raise ValueError(msg)
        return self

    def holds(self, answers: dict[str, Any]) -> bool:
        value = answers.get(self.key)
        if self.skipped is not None:
            return (value is None) == self.skipped
        if value is None:
            return False
        values = value if isinstance(value, list) else [value]
        if self.equals is not None:
            return str(self.equals) in values
        if self.one_of is not None:
            return any(str(choice) in values for choice in self.one_of)
        number = _as_int(values[0])
        if number is None:
            return False
        if self.at_least is not None:
            return number >= self.at_least
        return self.at_most is not None and number <= self.at_most


def _as_int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


class Branch(Model):
    """`goto` a step when every condition in `when` holds; a branch with no `when` always does."""

    when: Condition | tuple[Condition, ...] | None = None
    goto: Name

    def matches(self, answers: dict[str, Any]) -> bool:
        if self.when is None:
            return True
        conditions = self.when if isinstance(self.when, tuple) else (self.when,)
        return all(condition.holds(answers) for condition in conditions)


Next = Name | tuple[Branch, ...] | None


class Option(Model):
    value: Value
    label: Text
    goto: Name | None = None
    # The common value this option is counted as, when its own `value` differs from the
    # other age bands' (or, with the step's `counted_as`, a yes/no or a point on the 1-5 scale).
    counts_as: Value | Annotated[int, Field(ge=1, le=5)] | None = None

    @property
    def common(self) -> str:
        """The value this option is counted under in reports."""
        return self.value if self.counts_as is None else str(self.counts_as)


DeepLink = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class Triggers(Model):
    """Ways a flow starts besides the menu: when a worker closes a chat (`case_closed`,
    after the young person agrees), or from a link with `?start=<deep_link>`."""

    case_closed: bool = False
    deep_link: DeepLink | None = None


class FlowHeader(Model):
    """Everything in a flow file except its steps."""

    spec_version: int = Field(ge=1)
    id: Name
    version: int = Field(default=1, ge=1)
    title: Text
    description: str = ""
    start: Name | None = None
    feedback: bool = False
    triggers: Triggers | None = None
    steps: list[Any] = Field(min_length=1)
