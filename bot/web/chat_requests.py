"""What the web chat page sends, read and checked before a handler looks at it.

`read_turn` reads a `POST /chat/turn` body within limits of size and depth, and checks
the type of every field the handler uses, so `[[[[...]]]]` or a list where a text
belongs is a 400 answer in plain words (`BodyError`), never a RecursionError or an
"unhashable" TypeError further on. `read_after` reads `GET /chat/events?after=`.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.inputs import (
    JsonLimits,
    loads_limited,
    number_of,
    optional_bool,
    optional_str,
    read_capped,
    require_object,
)
from bot.inputs.json_body import Stream

__all__ = ["TURN_FIELDS", "TURN_JSON", "TurnBody", "parse_turn", "read_after", "read_turn"]

# A turn is a flat object of a few short fields; a typed message is refused above
# `[engine] max_input_chars` by the engine, well under this.
TURN_JSON = JsonLimits(max_bytes=32 * 1024, max_depth=4)
# The text fields of a turn; `preview` is true or false.
# `languages`: the browser's navigator.languages, joined by commas, on the first turn.
# `start`: a deep link's name (`/chat?start=<name>`), on the first turn.
TURN_FIELDS = ("kind", "value", "step", "lang", "languages", "flow", "band", "start")
# Mailbox sequence numbers stay far below this.
_MAX_AFTER_DIGITS = 9

TurnBody = dict[str, str | bool | None]


async def read_turn(body: Stream) -> TurnBody:
    """The turn's fields from the request body (`request.content`): each text or None
    (`preview` true or false), unknown fields dropped. Raises BodyError, whose message
    is the 400 answer; a body over the limit is not read past it."""
    return parse_turn(await read_capped(body, TURN_JSON.max_bytes))


def parse_turn(raw: bytes) -> TurnBody:
    """`read_turn` on a body already read."""
    payload = require_object(loads_limited(raw, TURN_JSON))
    body: TurnBody = {name: optional_str(payload, name) for name in TURN_FIELDS}
    body["preview"] = optional_bool(payload, "preview")
    return body


def read_after(query: Mapping[str, str]) -> int:
    """`after=`: the last mailbox number the page saw, 0 when missing or not a number
    (digits of any script count by their value; ² or ፩ are no number, never a crash)."""
    after = query.get("after", "0")
    number = number_of(after) if len(after) <= _MAX_AFTER_DIGITS else None
    return number if number is not None else 0
