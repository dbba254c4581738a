"""Update dedupe folded into the session record (STYLE point 5: plain JSON).

The stored record is ``[handled ids JSON "\\n"] session JSON``. Compact JSON never holds a
raw line break (one inside a string is written ``\\n``), so the first line break, if any,
ends the handled ids, and no key of the session is reserved. The handled ids are, per
sender (``"tg:<bot id>"``), the newest `KEEP_HANDLED` update numbers the chat had.
"""

from __future__ import annotations

import json

from bot.storage.sessions import Session, decode_session, encode_session

__all__ = [
    "KEEP_HANDLED",
    "Handled",
    "decode_record",
    "encode_record",
    "is_handled",
    "mark_handled",
    "scoped_update",
]

# Handled update ids kept per chat and sender in the session record.
KEEP_HANDLED = 6

# Per sender ("tg:4242"): the newest handled update numbers of one chat, ascending.
Handled = dict[str, list[int]]


def encode_record(session: Session, handled: Handled) -> bytes:
    body = encode_session(session)
    if not handled:
        return body
    head = json.dumps(handled, separators=(",", ":")).encode()
    return head + b"\n" + body


def decode_record(raw: str | bytes | None) -> tuple[Session | None, Handled]:
    if raw is None:
        return None, {}
    data = raw.encode() if isinstance(raw, str) else raw
    head, newline, body = data.partition(b"\n")
    if not newline:
        return decode_session(data), {}
    found = json.loads(head)
    handled: Handled = {}
    if isinstance(found, dict):
        for scope, ids in found.items():
            if isinstance(ids, list):
                handled[str(scope)] = sorted(int(n) for n in ids if isinstance(n, int))
    return decode_session(body), handled


def scoped_update(update_id: str | None) -> tuple[str, int] | None:
    """``"tg:4242:1005"`` -> ``("tg:4242", 1005)``; None when the id has no number."""
    if update_id is None:
        return None
    scope, _, number = update_id.rpartition(":")
    if not scope or not number.isascii() or not number.isdigit():
        return None
    return scope, int(number)


def is_handled(handled: Handled, update_id: str | None) -> bool:
    """Whether the record says so. An update older than every id of a full window counts
    as handled: one chat's updates are handled in order of their ids, so an older one was
    either handled or set aside (polling); webhook mode keeps this window of disorder."""
    scoped = scoped_update(update_id)
    if scoped is None:
        return False
    ids = handled.get(scoped[0], [])
    return scoped[1] in ids or (len(ids) >= KEEP_HANDLED and scoped[1] < ids[0])


def mark_handled(handled: Handled, update_id: str | None) -> Handled:
    scoped = scoped_update(update_id)
    if scoped is None:
        return handled
    scope, number = scoped
    ids = sorted({*handled.get(scope, []), number})[-KEEP_HANDLED:]
    return {**handled, scope: ids}
