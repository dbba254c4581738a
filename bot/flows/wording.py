"""Schema errors rewritten in plain language, each with a suggested fix."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

from pydantic_core import ErrorDetails

# Telegram's rule for the part after `?start=`.
_LINK_RULE = "Use 1 to 64 letters A-Z or a-z, digits, _ and - (no spaces), like `after_chat`."
_ID_RULE = "Use small letters a-z, digits and _, starting with a letter (like `felt_safe`)."


def explain(
    error: ErrorDetails, what: str, fields: Iterable[str] = (), guide: str = ""
) -> tuple[str, str]:
    """(message, fix) for one pydantic error found in a flow or a step.

    `fields` are the names the flow or step can have (to suggest a spelling); `guide`
    is the fix used when there is no more precise one.
    """
    message, fix = _explain(error, what, fields)
    return message, fix or guide or "See docs/flows.md for an example."


def _explain(error: ErrorDetails, what: str, fields: Iterable[str]) -> tuple[str, str]:
    loc = [str(part) for part in error["loc"] if not isinstance(part, int)]
    field = f"`{loc[-1]}`" if loc else "this"
    kind = error["type"]
    value: Any = error.get("input")
    if kind == "missing":
        return f"{field} is missing from this {what}.", f"Add `{loc[-1] if loc else ''}: …` here."
    if kind == "extra_forbidden" and loc and loc[-1] == "options" and "`scale`" in what:
        return (
            "a `scale` step has `points` (how many) and `labels`, not `options`.",
            "For a list of answers to pick from, use `type: choice`; for a scale, give "
            "`points:` and, if you like, `labels:`.",
        )
    if kind == "extra_forbidden":
        return (
            f"{field} is not something a {what} can have.",
            f"Check the spelling, or remove it.{suggest(loc[-1] if loc else '', fields)}",
        )
    if kind == "string_pattern_mismatch" and loc and loc[-1] == "deep_link":
        return f"{value!r} cannot be used for {field}.", _LINK_RULE
    if kind == "string_pattern_mismatch":
        return f"{value!r} cannot be used for {field}.", _ID_RULE
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{value!r} is not allowed for {field}.", f"Use one of: {expected}."
    if kind in ("string_type", "int_type", "int_parsing", "bool_type", "bool_parsing"):
        wanted = {"string": "text", "int": "a whole number", "bool": "true or false"}[
            kind.split("_")[0]
        ]
        return f"{field} should be {wanted}, not {value!r}.", ""
    if kind in ("greater_than_equal", "less_than_equal", "too_short", "too_long"):
        return f"{field}: {error['msg'].lower()}.", ""
    if kind == "value_error":
        return f"{error['msg'].removeprefix('Value error, ')}.", ""
    if kind in ("list_type", "tuple_type"):
        return f"{field} should be a list (lines starting with `- `).", ""
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"{field} should be a set of fields (like `key: …`).", ""
    return f"{field}: {error['msg']}.", ""


_INDENT = (
    "the indentation here does not line up with the lines around it.",
    "Start the fields of one step in the same column, using spaces (not tabs).",
)
# PyYAML's words for common mistakes, and what they mean to an author.
_YAML = (
    (
        "found character '\\t'",
        "this line has a tab character; flow files are indented with spaces.",
        "Replace each tab with spaces.",
    ),
    (
        "mapping values are not allowed here",
        "there is a `:` here that cannot be read. Text with a colon in it needs quotes.",
        'Put the whole text in "double quotes", or check the indentation.',
    ),
    (
        "found unexpected end of stream",
        "a quote is opened here but never closed.",
        "Add the closing quote at the end of the text.",
    ),
    (
        "could not determine a constructor for the tag",
        "this file uses a YAML tag (starting with `!`), which flow files may not use.",
        "Remove the part starting with `!`, or put the text in quotes.",
    ),
    (
        "expected ',' or '}'",
        "a `{ … }` here is not closed, or a text inside it needs quotes.",
        'Close it with `}`, and put texts with `?`, `:` or `,` in "double quotes".',
    ),
    ("expected <block end>", *_INDENT),
    ("did not find expected key", *_INDENT),
    ("did not find expected '-' indicator", *_INDENT),
    ("could not find expected ':'", "a line here is missing its `:` (like `text: Hello`).", ""),
)


def explain_yaml(problem: str | None) -> tuple[str, str]:
    """(message, fix) for a YAML syntax problem, in plain words where we know them."""
    for pattern, message, fix in _YAML:
        if problem and pattern in problem:
            return message, fix or "Check this line against the examples in docs/flows.md."
    reason = f" ({problem})" if problem else ""
    return (
        f"this is not valid YAML{reason}.",
        "Check the indentation and the quotes on this line.",
    )


def _is_tag(part: object) -> bool:
    """A union branch's name in an error's place (`constrained-str`, `tuple[...]`)."""
    return isinstance(part, str) and ("[" in part or part.startswith(("constrained-", "function-")))


def plain_errors(errors: Iterable[ErrorDetails]) -> list[ErrorDetails]:
    """The errors an author needs, at places they can read. A field that takes one of
    several shapes (`next`: a step id or a list of branches) gives one error per shape;
    keep those of the shape that was written, or, when none fits, just the first."""
    errors = list(errors)
    kept: list[ErrorDetails] = []
    seen: set[tuple[object, ...]] = set()
    for error in errors:
        loc = tuple(part for part in error["loc"] if not _is_tag(part))
        tagged = any(_is_tag(part) for part in error["loc"])
        if tagged and error["type"].endswith("_type"):
            deeper = any(
                other is not error
                and any(_is_tag(part) for part in other["loc"])
                and not other["type"].endswith("_type")
                for other in errors
            )
            if deeper or loc in seen:
                continue
        seen.add(loc)
        plain = dict(error)
        plain["loc"] = loc
        kept.append(plain)  # type: ignore[arg-type]
    return kept


def over_indented(lines: list[str], index: int) -> tuple[str, str] | None:
    """(message, fix) when line `index` is a field indented further than the field above
    it: PyYAML calls that a misplaced `:`, but to an author it is one space too many."""
    if index >= len(lines) or index == 0:
        return None
    line = lines[index]
    above = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")
    field = re.match(r"^(\s*)(?:- )?[A-Za-z_][\w-]*:\s*\S", above)
    this = re.match(r"^(\s*)[A-Za-z_][\w-]*:", line)
    if field is None or this is None:
        return None
    column = len(field.group(1)) + (2 if above.lstrip().startswith("- ") else 0)
    extra = len(this.group(1)) - column
    if extra <= 0:
        return None
    spaces = "space" if extra == 1 else "spaces"
    return (
        f"this line starts {extra} {spaces} further in than the line above it, so it cannot "
        "be read as a field of the same step.",
        f"Remove {extra} {spaces} at the start of the line, so both start in the same column.",
    )


def suggest(word: object, known: Iterable[str]) -> str:
    """ " Did you mean `next`?" for a misspelt name, or ""."""
    close = difflib.get_close_matches(str(word), list(known), n=1, cutoff=0.6)
    return f" Did you mean `{close[0]}`?" if close else ""
