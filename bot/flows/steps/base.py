"""What every step kind shares, and the small context the engine hands a step."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from bot.engine.events import Event, InputKind, Option, Say
from bot.flows.model import Model, Name, Next, Text
from bot.inputs.text import number_of

if TYPE_CHECKING:
    from bot.config import Config
    from bot.engine.inputs import Input
    from bot.engine.session import AnswerValue, Session


class StepContext(Protocol):
    """What a step sees of the engine: the session, the config, words in the chat's language."""

    @property
    def session(self) -> Session: ...

    @property
    def config(self) -> Config: ...

    def t(self, text: str, part: str = "") -> str:
        """This step's `text` (or an option's, named by `part`) in the chat's language."""

    def system(self, text: str, **values: object) -> str:
        """One of the engine's own sentences, translated and filled in."""

    def system_plural(self, singular: str, plural: str, n: int, **values: object) -> str:
        """One of the engine's own sentences about a count `{n}`, in the right plural form."""

    def detect_language(self, text: str) -> str | None:
        """A shipped language the text seems to be written in, if any."""

    def say(
        self,
        text: str,
        *,
        input: InputKind = "none",
        options: Sequence[Option] = (),
        skip: bool = False,
        done: bool = False,
        selected: Sequence[str] = (),
    ) -> Say: ...


@dataclass
class Outcome:
    """What entering or answering a step does. `wait` keeps the chat at this step."""

    events: list[Event] = field(default_factory=list)
    wait: bool = False
    answered: bool = False
    answer: AnswerValue = None
    jump: str | None = None
    flow: str | None = None
    finish: bool = False


class StepBase(Model):
    """Fields every step has. Subclasses set `kind` and register with `@register`."""

    kind: ClassVar[str] = ""
    id: Name
    type: str
    text: Text | None = None
    next: Next = None

    def texts(self) -> Iterator[tuple[str, str]]:
        """(part, source text) pairs to translate; part "" is the step's own text."""
        if self.text:
            yield "", self.text

    def links(self) -> Iterator[str]:
        """Step ids this step can lead to."""
        if isinstance(self.next, str):
            yield self.next
        elif self.next:
            yield from (branch.goto for branch in self.next)

    def enter(self, ctx: StepContext) -> Outcome:
        events: list[Event] = [ctx.say(ctx.t(self.text))] if self.text else []
        return Outcome(events=events)

    def receive(self, ctx: StepContext, inp: Input) -> Outcome:
        # Steps that do not wait never receive input; answer with the step again.
        return self.enter(ctx)


class Question(StepBase):
    """A step that asks something. Every question can be skipped."""

    key: Name
    record: bool = True
    # A question about the young person (like gender) that only some age bands ask.
    about_you: bool = False
    # A question only some age bands ask (a different question, not the same one in other
    # words): the other bands need not ask its key.
    only_some_bands: bool = False
    text: Text

    @property
    def answer_kind(self) -> str:
        return self.kind

    @property
    def counted_kind(self) -> str:
        """The kind answers are stored and counted as: the same in every age band."""
        return self.answer_kind

    def common_value(self, value: str) -> str:
        """An answer as it is stored: on the values (or scale) every age band shares."""
        return value

    def common_values(self) -> tuple[str, ...] | None:
        """The shared values this question's answers can take, where the flow lists them."""
        return None

    def prompt(self, ctx: StepContext) -> Say:
        return ctx.say(ctx.t(self.text), input="text", skip=self.record)

    def enter(self, ctx: StepContext) -> Outcome:
        return Outcome(events=[self.prompt(ctx)], wait=True)

    def retry(self, ctx: StepContext, hint: str) -> Outcome:
        return Outcome(events=[ctx.say(ctx.system(hint)), self.prompt(ctx)], wait=True)


@lru_cache(maxsize=1024)  # labels are folded again for every answer typed
def fold(text: str) -> str:
    """Loose form of typed text for matching labels: no case, accents or extra spaces.

    Numbers without a decimal value (superscript ², circled ①, Ethiopic ፩) stay as they
    are: compatibility decomposition would turn ² into 2, reading it as a number."""
    text = text.casefold()
    if text.isascii():
        return " ".join(text.split())
    decomposed = "".join(
        ch if unicodedata.category(ch) == "No" else unicodedata.normalize("NFKD", ch) for ch in text
    )
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(kept.split())


def match_option(typed: str, options: Sequence[Option]) -> Option | None:
    """An option chosen by its number (in any script's decimal digits: ٣ is 3), its
    value or its label (loosely)."""
    wanted = fold(typed).strip(" .)")
    number = number_of(wanted)
    if number is not None and 1 <= number <= len(options):
        return options[number - 1]
    for option in options:
        if wanted in (fold(option.label), option.value):
            return option
    return None


STEP_TYPES: dict[str, type[StepBase]] = {}


def register(kind: str) -> Any:
    """Class decorator: make a step kind known to the loader by its `type:` name."""

    def decorate(cls: type[StepBase]) -> type[StepBase]:
        cls.kind = kind
        STEP_TYPES[kind] = cls
        return cls

    return decorate
