"""The durable outbox, as the channels use it (bot/storage/outbox.py has the model).

A conversation turn's replies reach the outbox through `ConversationService` (saved
with the session); this service is the rest: relayed messages posted outside a turn,
confirms, claims, the orphan sweep and the sender's heartbeat. Channels never touch a
store themselves (DESIGN: only services write to stores).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.storage.deliveries import Receipt
from bot.storage.outbox import Claim, Left, OutboxStore, Post

__all__ = ["OutboxService"]


class OutboxService:
    def __init__(self, store: OutboxStore) -> None:
        self.store = store

    @property
    def owner(self) -> str:
        return self.store.owner

    async def post(self, key: str, post: Post, *, receipt: Receipt | None = None) -> Claim | None:
        return await self.store.post(key, post, receipt=receipt)

    async def confirm(self, box: str, done: Sequence[tuple[str, str]]) -> dict[str, Left]:
        return await self.store.confirm(box, done)

    async def claim(self, box: str, key: str) -> Claim | None:
        return await self.store.claim(box, key)

    async def sweep(self, box: str) -> tuple[list[Claim], list[str]]:
        return await self.store.sweep(box)

    async def heartbeat(self) -> None:
        await self.store.heartbeat()

    async def release(self, box: str) -> None:
        await self.store.release(box)

    async def close(self) -> None:
        await self.store.close()
