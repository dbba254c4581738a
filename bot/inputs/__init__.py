"""What arrives from outside, made safe to read: typed text and JSON request bodies.

Below the engine and every channel (like `bot/engine/events.py`), and pure: no I/O, no
web or bot framework. Every channel cleans typed text with `clean_text`, reads a typed
number with `number_of`, and parses a JSON body with `loads_limited`, so a young person
gets the same answer whichever way they reach us.
"""

from bot.inputs.json_body import (
    BodyError,
    JsonLimits,
    loads_limited,
    nesting_depth,
    optional_bool,
    optional_str,
    read_capped,
    require_object,
)
from bot.inputs.text import clean_text, digits_of, number_of

__all__ = [
    "BodyError",
    "JsonLimits",
    "clean_text",
    "digits_of",
    "loads_limited",
    "nesting_depth",
    "number_of",
    "optional_bool",
    "optional_str",
    "read_capped",
    "require_object",
]
