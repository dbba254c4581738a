"""The step reference in docs/flows.md, generated from the step classes so it never drifts.

Each step kind's docstring is its documentation: prose for people, then a YAML example.
"""

from __future__ import annotations

import inspect
from typing import Any

from pydantic.fields import FieldInfo

from bot.flows.schema import FIELD_HELP
from bot.flows.steps import STEP_TYPES, StepBase

BEGIN = "<!-- step reference: made by bot/flows/docs.py from the step classes; do not edit -->"
END = "<!-- end of step reference -->"
# The order authors meet them in; kinds added later come at the end, by name.
ORDER = (
    "message",
    "choice",
    "yes_no",
    "scale",
    "text",
    "handoff",
    "goto",
    "end",
    "forget",
    "language",
    "age_band",
)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, tuple) and not value:
        return "none"
    return str(value)


# Fields the schema lets an author leave out, but the checker asks for in a working flow.
_NEEDED_UNLESS = {
    "next": "needed, except in a step that ends the flow (`end`, `goto`, `forget`).",
}


def _field(name: str, info: FieldInfo) -> str:
    help_text = FIELD_HELP.get(name, "")
    if name in _NEEDED_UNLESS:
        return f"- `{name}` — {_NEEDED_UNLESS[name]} {help_text}".rstrip()
    if info.is_required():
        return f"- `{name}` — needed. {help_text}".rstrip()
    return f"- `{name}` — optional (if left out: {_shown(info.default)}). {help_text}".rstrip()


def _section(kind: str, cls: type[StepBase]) -> str:
    doc = inspect.cleandoc(cls.__doc__ or "")
    prose, _, rest = doc.partition("```")
    lines = [f"### `{kind}`", "", " ".join(prose.split()), ""]
    if rest:
        lines += ["```" + rest.rstrip(), ""]
    lines += ["What you can write in it:", ""]
    for name, info in cls.model_fields.items():
        if name == "type":
            lines.append(f"- `type: {kind}` — needed.")
        else:
            lines.append(_field(name, info))
    return "\n".join(lines) + "\n"


def step_kinds() -> list[str]:
    known = [kind for kind in ORDER if kind in STEP_TYPES]
    return known + sorted(set(STEP_TYPES) - set(known))


def step_reference() -> str:
    """The Markdown between BEGIN and END in docs/flows.md (markers included)."""
    sections = [_section(kind, STEP_TYPES[kind]) for kind in step_kinds()]
    return f"{BEGIN}\n\n" + "\n".join(sections) + f"\n{END}"


def with_reference(markdown: str) -> str:
    """`markdown` with its step reference replaced by the current one."""
    head, found, tail = markdown.partition(BEGIN)
    if not found:
        return markdown.rstrip("\n") + "\n\n" + step_reference() + "\n"
    _, found, tail = tail.partition(END)
    return head + step_reference() + tail
