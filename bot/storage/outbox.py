"""The durable outbox: the replies of a turn, saved with the turn, sent after it.

A conversation turn's replies (rendered to plain JSON by the channel) are written by
``SessionStore.commit(turn, session, post=Post(box, items))`` in the same atomic write as
the session, and a worker's relayed message by ``OutboxStore.post()``. Each item is
removed only when the sender confirms it (Telegram answered, or refused it for good), so
a process killed at any moment loses no reply: whoever sends next finds it still there.

Every chat has one outbox per sender ("box", e.g. ``"tg:4242"`` for one bot), a FIFO
keyed by the chat's pseudonymous session key. The items carry the chat id, because they
must be sent; like the case mapping, they live only until sent, at most the session TTL.

**Who sends.** One process at a time owns a chat's outbox: the one whose commit found it
free, or whose owner is gone. An owner proves it is alive with ``heartbeat()`` (every
second or so; it lapses after ``ALIVE_TTL``). ``orphans()`` hands a sender the outboxes
whose owner stopped; ``confirm()`` tells the owner how many items are left, and gives
the outbox up when none are. So per chat, items go out in order, from one process.

**Delivery guarantee.** At least once, in order per chat. A reply is sent a second time
only when the outcome of a send is unknown: Telegram performed it but its answer was lost
(the connection dropped), or the process died between Telegram's answer and the confirm.
The sender retries a send whose answer was lost once, not more; a restart sends again
what was in flight, and the first item taken over from a killed process gets no retry
after a lost answer (it may have arrived already). So a reply repeats at most once; only
a process killed twice while sending the same reply could repeat it twice.

Every implementation passes ``tests/storage/test_outbox_stores.py``.
"""

from __future__ import annotations

import abc
import json
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.storage.deliveries import Receipt

__all__ = [
    "ALIVE_TTL",
    "Claim",
    "Item",
    "Left",
    "MemoryOutbox",
    "OutboxStore",
    "Post",
    "check_item",
    "element",
    "new_owner",
    "parse_element",
]

# An owner that has not said "alive" for this long is taken for dead.
ALIVE_TTL = 3.0
# What an orphan sweep claims at most in one go.
ORPHAN_BATCH = 100


def new_owner() -> str:
    """A random name for this process's sender (it changes with every start)."""
    return secrets.token_urlsafe(9)


@dataclass(frozen=True, slots=True)
class Post:
    """Items to append to a chat's outbox in `box`, in order: JSON objects as text."""

    box: str
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    body: str  # the JSON object the channel rendered


@dataclass(frozen=True, slots=True)
class Claim:
    """This process now sends the chat's outbox: everything pending, oldest first."""

    box: str
    key: str
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class Left:
    """After a confirm: items still in the chat's outbox, and whether it is still ours."""

    count: int
    mine: bool


def check_item(body: str) -> None:
    """An item must be a JSON object of plain JSON (TypeError otherwise), in every store."""
    try:
        found = json.loads(body)
    except ValueError as exc:
        msg = "an outbox item must be JSON"
        raise TypeError(msg) from exc
    if not isinstance(found, dict):
        msg = "an outbox item must be a JSON object"
        raise TypeError(msg)


def element(body: str) -> str:
    """The stored form of an item: a fresh id, a space, the JSON."""
    return f"{secrets.token_urlsafe(6)} {body}"


def parse_element(raw: str | bytes) -> Item:
    text = raw.decode() if isinstance(raw, bytes) else raw
    item_id, _, body = text.partition(" ")
    return Item(item_id, body)


class OutboxStore(abc.ABC):
    """The outbox side a sender uses; the session store writes the turn's items."""

    owner: str

    @abc.abstractmethod
    async def post(self, key: str, post: Post, *, receipt: Receipt | None = None) -> Claim | None:
        """Append outside a turn (a relayed message). With `receipt`, take that delivery
        off its queue in the same write; if it was no longer there (another process took
        it back), append nothing. Returns the claim when this process is the owner."""

    @abc.abstractmethod
    async def confirm(self, box: str, done: Sequence[tuple[str, str]]) -> dict[str, Left]:
        """Remove the (key, item id) pairs sent or given up, all in one round trip; per
        key, what is left. A key's outbox left empty is no longer owned by anyone."""

    @abc.abstractmethod
    async def claim(self, box: str, key: str) -> Claim | None:
        """Take the chat's outbox if nobody alive owns it (or we do); None if empty or
        another live process sends it."""

    @abc.abstractmethod
    async def sweep(self, box: str, limit: int = ORPHAN_BATCH) -> tuple[list[Claim], list[str]]:
        """Claim outboxes whose owner is gone (killed, or stopped), at most `limit`; and
        the keys of those this process already owns (a sender checks it knows them all:
        a commit whose answer was lost left one it does not)."""

    async def orphans(self, box: str, limit: int = ORPHAN_BATCH) -> list[Claim]:
        claims, _ours = await self.sweep(box, limit)
        return claims

    @abc.abstractmethod
    async def heartbeat(self) -> None:
        """This owner is alive for another `ALIVE_TTL` seconds."""

    @abc.abstractmethod
    async def release(self, box: str) -> None:
        """Stop owning anything in `box` at once (a clean shutdown): others take over."""

    async def close(self) -> None:
        return None


@dataclass
class _Box:
    items: list[str] = field(default_factory=list)
    owner: str = ""
    expires: float = 0.0


@dataclass
class _Shared:
    """What every `MemoryOutbox` view of one process shares (stand-ins for processes)."""

    boxes: dict[tuple[str, str], _Box] = field(default_factory=dict)
    alive: dict[str, float] = field(default_factory=dict)


class MemoryOutbox(OutboxStore):
    """In-process outbox for `demo` and tests. `peer()` is another "process" on the same
    data, with an owner of its own, so ownership behaves as it does on Redis."""

    def __init__(
        self,
        *,
        ttl: float = 30 * 60.0,
        alive_ttl: float = ALIVE_TTL,
        clock: Callable[[], float] = time.monotonic,
        _shared: _Shared | None = None,
    ) -> None:
        self.ttl, self.alive_ttl, self._clock = ttl, alive_ttl, clock
        self._shared = _shared or _Shared()
        self.owner = new_owner()
        self._shared.alive[self.owner] = clock() + alive_ttl

    def peer(self) -> MemoryOutbox:
        return MemoryOutbox(
            ttl=self.ttl, alive_ttl=self.alive_ttl, clock=self._clock, _shared=self._shared
        )

    def _live(self, box: str, key: str) -> _Box | None:
        found = self._shared.boxes.get((box, key))
        if found is not None and (not found.items or self._clock() >= found.expires):
            del self._shared.boxes[(box, key)]
            return None
        return found

    def _alive(self, owner: str) -> bool:
        return self._shared.alive.get(owner, 0.0) > self._clock()

    def _take(self, box: str, key: str, found: _Box) -> Claim | None:
        if found.owner != self.owner and self._alive(found.owner):
            return None
        found.owner = self.owner
        return Claim(box, key, tuple(parse_element(raw) for raw in found.items))

    def append(self, key: str, post: Post) -> Claim | None:
        """Synchronous, so a memory session store's commit writes it in the same step."""
        if not post.items:
            return None
        found = self._live(post.box, key) or _Box()
        self._shared.boxes[(post.box, key)] = found
        found.items.extend(element(body) for body in post.items)
        found.expires = self._clock() + self.ttl
        return self._take(post.box, key, found)

    async def post(self, key: str, post: Post, *, receipt: Receipt | None = None) -> Claim | None:
        return self.append(key, post)

    async def confirm(self, box: str, done: Sequence[tuple[str, str]]) -> dict[str, Left]:
        out: dict[str, Left] = {}
        for key, item_id in done:
            found = self._live(box, key)
            if found is None:
                out[key] = Left(0, False)
                continue
            for raw in found.items:
                if raw.startswith(item_id + " "):
                    found.items.remove(raw)
                    break
            mine = found.owner == self.owner
            if not found.items:
                del self._shared.boxes[(box, key)]
            out[key] = Left(len(found.items), mine)
        return out

    async def claim(self, box: str, key: str) -> Claim | None:
        found = self._live(box, key)
        return None if found is None else self._take(box, key, found)

    async def sweep(self, box: str, limit: int = ORPHAN_BATCH) -> tuple[list[Claim], list[str]]:
        claims: list[Claim] = []
        ours: list[str] = []
        for in_box, key in list(self._shared.boxes):
            found = self._live(in_box, key)
            if in_box != box or found is None:
                continue
            if found.owner == self.owner:
                ours.append(key)
            elif not self._alive(found.owner) and len(claims) < limit:
                claim = self._take(box, key, found)
                if claim is not None:
                    claims.append(claim)
        return claims, ours

    async def heartbeat(self) -> None:
        self._shared.alive[self.owner] = self._clock() + self.alive_ttl

    async def release(self, box: str) -> None:
        for (in_box, _key), found in self._shared.boxes.items():
            if in_box == box and found.owner == self.owner:
                found.owner = ""
        self._shared.alive.pop(self.owner, None)

    def __len__(self) -> int:
        """Chats with something pending (tests: nothing piles up)."""
        return sum(1 for box, key in list(self._shared.boxes) if self._live(box, key))
