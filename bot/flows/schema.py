"""A JSON Schema for flow files, generated from the models, so editors can help authors.

The header comes from `FlowHeader`; `steps` is a `oneOf` of every registered step kind,
each described by its class docstring (prose in `description`, prose and the YAML example
in `markdownDescription`, which VS Code and the YAML language server show on hover).
`flows/flow.schema.json` is this schema, written by `bot.commands.flows_schema`.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

from bot.flows.model import SPEC_VERSION, FlowHeader
from bot.flows.steps import STEP_TYPES, StepBase

SCHEMA_ID = "https://safevoice.example/flow.schema.json"
_REF = "#/$defs/{model}"

# Help shown on hover for fields whose models carry no docstring of their own.
FIELD_HELP = {
    "spec_version": f"The version of the flow format this file is written in (now {SPEC_VERSION}).",
    "id": "A short name: small letters a-z, digits and _, starting with a letter.",
    "version": "Raise this number when the questions change, so reports can tell versions apart.",
    "title": "A name for people reading the flows; the young person never sees it.",
    "description": "Notes for people reading the flows; the young person never sees it.",
    "start": "The id of the first step. Without it, the first step in the list comes first.",
    "feedback": "true for a feedback flow; it then needs an `end` step with `submit: true`.",
    "triggers": "Ways this flow starts besides the menu: `case_closed` and `deep_link`.",
    "case_closed": "true offers this flow (after asking) when a worker ends a chat: one per "
    "age band, like a short survey about the chat.",
    "deep_link": "A name (1-64 letters A-Z a-z, digits, _ and -) that starts this flow from "
    "a link ending in `?start=` and the name. One flow per name in each age band.",
    "steps": "The steps of the conversation, in the order people usually meet them.",
    "type": "The kind of step.",
    "text": "What the young person sees, in the source language.",
    "next": "The id of the step that comes after this one, or a list of `when`/`goto` branches.",
    "key": "The name the answer is saved under. Use the same key in every age band.",
    "record": "false when the answer only steers the conversation and is not kept as feedback.",
    "about_you": "true for a question about the young person (like gender) only some bands ask.",
    "only_some_bands": "true for a different question only some age bands ask (not about the "
    "young person): the other bands need not ask its key, and its answers are counted on "
    "their own.",
    "counted_as": "`yes_no` or `scale`: count this choice's answers as a yes/no question's or "
    "on the common 1-5 scale, like other bands asking the same key; every option then needs "
    "`counts_as`.",
    "counts_as": "The value this option is counted as, when another age band asks the same "
    "key with different values (or `yes`/`no`, or 1-5, with the step's `counted_as`).",
    "goto": "The id of a step in this flow.",
    "when": "One condition, or a list of conditions that must all hold.",
    "value": "The answer saved when this option is chosen (small letters, digits and _).",
    "label": "The words on the button.",
    "options": "The buttons: each has a `value`, a `label` and may have a `goto`.",
    "options_from": "`services` to offer the services listed in config.toml.",
    "multiple": "true lets the young person pick several, then press Done.",
    "points": "How many points the scale has, 2 to 5.",
    "style": "`faces` or `numbers`; if left out, the age band's `scale_style` decides.",
    "maps_to": "For each point, its place on the common 1-5 scale, going up.",
    "labels": "Words for each point, from low to high.",
    "max_chars": "The longest answer kept; a longer one is not cut: the young person is "
    "asked to make it shorter.",
    "submit": "true sends the answers as one anonymous feedback record.",
    "then": "What comes after: `menu`, `back` (to where they were) or `idle` (wait quietly).",
    "reason": "Why a person is wanted (like `asked` or `unsafe`); workers see it.",
    "urgent": "true puts the request at the top of the workers' list: for danger right now.",
    "priority": "true puts the request before ordinary ones, after urgent ones: for a young "
    "person who says they do not feel safe.",
    "flow": "The id of the flow to go to.",
}


def _doc(cls: type) -> tuple[str, str]:
    """(prose, full markdown) of a class docstring."""
    full = inspect.cleandoc(cls.__doc__ or "")
    prose = full.split("```", 1)[0].strip()
    return " ".join(prose.split()), full


def _help_fields(schema: dict[str, Any]) -> None:
    for name, prop in schema.get("properties", {}).items():
        prop.pop("title", None)
        if name in FIELD_HELP and "description" not in prop:
            prop["description"] = FIELD_HELP[name]


def _step_schema(kind: str, cls: type[StepBase], defs: dict[str, Any]) -> dict[str, Any]:
    schema = cls.model_json_schema(ref_template=_REF)
    for name, sub in schema.pop("$defs", {}).items():
        _help_fields(sub)
        defs.setdefault(name, sub)
    prose, full = _doc(cls)
    schema["title"] = f"{kind} step"
    schema["description"] = prose
    schema["markdownDescription"] = full
    # `type:` tells the kinds apart, so it must be written even though the model defaults it.
    schema["required"] = ["type", *[r for r in schema.get("required", []) if r != "type"]]
    schema["properties"]["type"].pop("default", None)
    _help_fields(schema)
    return schema


def flow_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a flow file, with every registered step kind."""
    defs: dict[str, Any] = {}
    kinds = []
    for kind in sorted(STEP_TYPES):
        name = f"{kind}_step"
        defs[name] = _step_schema(kind, STEP_TYPES[kind], defs)
        kinds.append({"$ref": _REF.format(model=name)})
    header = FlowHeader.model_json_schema(ref_template=_REF)
    for name, sub in header.pop("$defs", {}).items():
        _help_fields(sub)
        defs.setdefault(name, sub)
    _help_fields(header)
    header["properties"]["spec_version"]["maximum"] = SPEC_VERSION
    header["properties"]["steps"]["items"] = {"oneOf": kinds}
    prose, _ = _doc(FlowHeader)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "SafeVoice flow",
        "description": "A SafeVoice conversation flow. See docs/flows.md. " + prose,
        "type": "object",
        "additionalProperties": False,
        "properties": header["properties"],
        "required": header["required"],
        "$defs": dict(sorted(defs.items())),
    }


def schema_text() -> str:
    """The schema as the text of `flows/flow.schema.json` (stable, ends with a newline)."""
    return json.dumps(flow_schema(), indent=2, ensure_ascii=False) + "\n"
