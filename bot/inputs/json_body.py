"""JSON request bodies, read within limits of size, depth and type.

`json.loads` recurses once per level of nesting, so `[[[[...]]]]` a few thousand levels
deep ends in RecursionError; a list where a string belongs ends in "unhashable" further
on. Here the nesting is measured first by one pass over the brackets (no recursion, and
linear in the size, which is capped before anything is decoded), and the fields a
handler needs are read with their types checked. Every refusal is a `BodyError` whose
message says in plain words what was wrong, for a 400 answer; never a traceback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from bot.errors import SafeVoiceError

__all__ = [
    "BodyError",
    "JsonLimits",
    "loads_limited",
    "nesting_depth",
    "optional_bool",
    "optional_str",
    "read_capped",
    "require_object",
]

# The characters that matter for nesting: brackets, and quotes and backslashes, which say
# whether a bracket is inside a string. Everything else is skipped by the regex engine.
_SPECIAL = re.compile(r'[\[\]{}"\\]')


class BodyError(SafeVoiceError):
    """A request body we will not read; the message says why, for the one who sent it."""


@dataclass(frozen=True)
class JsonLimits:
    """How much JSON one endpoint reads: bytes before decoding, and levels of nesting."""

    max_bytes: int = 64 * 1024
    max_depth: int = 8


class Stream(Protocol):
    """What `read_capped` needs of a request body (aiohttp's `request.content`)."""

    async def read(self, n: int = -1) -> bytes: ...


async def read_capped(stream: Stream, max_bytes: int) -> bytes:
    """At most `max_bytes` + 1 bytes of a body: enough for `loads_limited` to say "too
    large" in words (a 400), without the rest ever being read into memory."""
    chunks: list[bytes] = []
    size = 0
    while size <= max_bytes:
        chunk = await stream.read(max_bytes + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def nesting_depth(text: str, stop_after: int | None = None) -> int:
    """How deeply `[` and `{` nest in JSON `text`, outside strings; counting stops once
    it passes `stop_after`. Invalid JSON gives some number: `json.loads` refuses it next."""
    deepest = depth = 0
    in_string = False
    skip = -1
    for found in _SPECIAL.finditer(text):
        at = found.start()
        if at == skip:
            continue
        ch = text[at]
        if in_string:
            if ch == "\\":
                skip = at + 1  # the escaped character, whatever it is, does not count
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if stop_after is not None and deepest > stop_after:
                    break
        elif ch in "]}":
            depth -= 1
    return deepest


def _no_constants(name: str) -> object:
    msg = f"{name} is not a JSON number"
    raise ValueError(msg)


def loads_limited(raw: bytes | str, limits: JsonLimits) -> object:
    """The JSON value in `raw`, or BodyError when it is too large, too deep or not JSON."""
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", "surrogatepass"))
    if size > limits.max_bytes:
        msg = f"The request is too large: at most {limits.max_bytes:,} bytes are read."
        raise BodyError(msg)
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            msg = "The request must be JSON text in UTF-8."
            raise BodyError(msg) from None
    else:
        text = raw
    if nesting_depth(text, limits.max_depth) > limits.max_depth:
        msg = f"The request is nested too deeply: at most {limits.max_depth} levels are read."
        raise BodyError(msg)
    try:
        # NaN and Infinity are not JSON; numbers of thousands of digits raise ValueError.
        return json.loads(text, parse_constant=_no_constants)
    except ValueError:
        msg = "The request is not valid JSON."
        raise BodyError(msg) from None


def require_object(data: object) -> dict[str, object]:
    """`data` when it is a JSON object (keys are always strings in JSON)."""
    if not isinstance(data, dict):
        msg = 'The request must be a JSON object, like {"kind": "text"}.'
        raise BodyError(msg)
    return data


def optional_str(payload: Mapping[str, object], name: str) -> str | None:
    """The text field `name`, or None when it is missing or null."""
    value = payload.get(name)
    if value is None or isinstance(value, str):
        return value
    msg = f"The field `{name}` must be text (a JSON string), not {_kind(value)}."
    raise BodyError(msg)


def optional_bool(payload: Mapping[str, object], name: str) -> bool:
    """The true/false field `name`; missing or null is false."""
    value = payload.get(name)
    if value is None or isinstance(value, bool):
        return bool(value)
    msg = f"The field `{name}` must be true or false, not {_kind(value)}."
    raise BodyError(msg)


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list) else "an object"
