"""Schema errors rewritten in plain language, each with a suggested fix."""

from __future__ import annotations

from typing import Any

from pydantic_core import ErrorDetails

_ID_RULE = "Use small letters a-z, digits and _, starting with a letter (like `felt_safe`)."


def explain(error: ErrorDetails, what: str) -> tuple[str, str]:
    """(message, fix) for one pydantic error found in a flow or a step."""
    loc = [str(part) for part in error["loc"] if not isinstance(part, int)]
    field = f"`{loc[-1]}`" if loc else "this"
    kind = error["type"]
    value: Any = error.get("input")
    if kind == "missing":
        return f"{field} is missing from this {what}.", f"Add {field}: … here."
    if kind == "extra_forbidden":
        return (
            f"{field} is not something a {what} can have.",
            "Check the spelling, or remove it.",
        )
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
