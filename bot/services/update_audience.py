"""The young people's side of "you said, we did" (bot/services/updates.py is the staff's):
seeing a service's updates, asking to hear back, the news at a later visit, the message
when an update is published, and "delete my data".

Only the chat's pseudonymous key is kept with a subscription, never a link to what it
answered. Who saw an update is kept as an HMAC of the update id and that key, so it
differs per update (bot/storage/update_viewers.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
from collections.abc import Awaitable, Callable, Sequence

from bot.config import Config
from bot.engine.events import Event, Say
from bot.i18n.translator import Translator
from bot.privacy.seal import open_address, seal_address
from bot.services.confirm import young
from bot.services.update_texts import render_none, render_update
from bot.storage.updates import Subscription, UpdateRow, UpdateStore

__all__ = ["Audience", "Deliver"]

Deliver = Callable[[str, Sequence[Event]], Awaitable[None]]


class Audience:
    """Set by UpdateService.__init__."""

    store: UpdateStore
    config: Config
    translator: Translator
    secret: bytes
    clock: Callable[[], dt.datetime]
    deliverers: dict[str, Deliver]

    @property
    def k(self) -> int:
        return self.config.privacy.k_threshold

    def shown(self, service: str | None, lang: str, band: str | None,
              viewer: str | None = None) -> list[Say]:  # fmt: skip
        """A service's newest published updates (or a kind "no news yet"), counted as seen
        by the chat whose pseudonymous key is `viewer`."""
        rows = self.store.published(service)[: self.config.updates.shown] if service else []
        says = self._render(rows, lang, band, viewer)
        return says or [render_none(self.config, self.translator, service, lang, band)]

    def latest(self, service: str | None, lang: str, band: str | None,
               viewer: str | None = None) -> list[Say]:  # fmt: skip
        """After feedback: the newest update of the service, if there is one."""
        rows = self.store.published(service)[:1] if service else []
        return self._render(rows, lang, band, viewer)

    def subscribe(self, key: str, service: str | None, channel: str, address: str,
                  lang: str, band: str | None) -> bool:  # fmt: skip
        if service not in self.config.services:
            return False
        now = self.clock()
        reach = seal_address(self.secret, key, address) if channel in self.deliverers else None
        newest = self.store.published(service)[:1]
        self.store.subscribe(
            Subscription(
                key, service, channel, reach, lang, young(self.config, band),
                now + dt.timedelta(days=self.config.updates.subscription_days),
                newest[0].published_at if newest else now,
            )
        )  # fmt: skip
        return True

    def pending(self, key: str) -> list[Say]:
        """New updates of the services this chat subscribed to, since it last saw them
        (the web chat's "next visit"); marked seen."""
        says: list[Say] = []
        for sub in self.store.subscriptions_of(key, self.clock()):
            rows = self.store.published(sub.service, after=sub.seen_through)
            rows = rows[: self.config.updates.shown]
            if not rows:
                continue
            says += self._render(rows, sub.lang, self._band_of(sub), key)
            newest = max(r.published_at for r in rows if r.published_at is not None)
            self.store.seen(key, sub.service, newest)
        return says

    def forget(self, key: str) -> int:
        """ "Delete my data": the chat's subscriptions, and its marks of having seen updates."""
        self.store.viewed.forget([self._viewer(u, key) for u in self.store.update_ids()])
        return self.store.forget(key)

    def seen_by(self, rows: list[UpdateRow]) -> dict[str, int | None]:
        """How many young people were shown each update (each once); None below k."""
        counts = self.store.viewed.count([r.id for r in rows])
        return {r.id: n if (n := counts.get(r.id, 0)) >= self.k else None for r in rows}

    def _viewer(self, update_id: str, key: str) -> str:
        # Keyed per update: two updates' viewers cannot be matched to one chat.
        mac = hmac.new(self.secret, f"update-viewer:{update_id}:{key}".encode(), hashlib.sha256)
        return mac.hexdigest()[:32]

    def expire(self) -> int:
        return self.store.expire(self.clock())

    async def broadcast(self, row: UpdateRow) -> int:
        """Send a published update to its subscribers on channels that can reach a chat
        now (Telegram); the others see it at their next visit. How many were sent."""
        sent, viewers = 0, []
        if row.published_at is None:
            return 0
        for channel, deliver in self.deliverers.items():
            subs = await asyncio.to_thread(self.store.subscribers, row.service, channel,
                                           self.clock())  # fmt: skip
            for sub in subs:
                if sub.seen_through is not None and sub.seen_through >= row.published_at:
                    continue
                address = open_address(self.secret, sub.subscriber, sub.reach or "")
                say = render_update(self.config, self.translator, row, sub.lang, self._band_of(sub))
                if address is None or say is None:
                    continue
                await deliver(address, [say])
                await asyncio.to_thread(self.store.seen, sub.subscriber, sub.service,
                                        row.published_at)  # fmt: skip
                sent += 1
                viewers.append((row.id, self._viewer(row.id, sub.subscriber)))
        if sent:
            await asyncio.to_thread(self._count, row.id, viewers)
        return sent

    def _count(self, update_id: str, viewers: list[tuple[str, str]]) -> None:
        for _ in viewers:
            self.store.count_views([update_id])
        self.store.viewed.add(viewers)

    def _band_of(self, sub: Subscription) -> str | None:
        # Only "the youngest band's words or not" is kept with a subscription.
        if sub.young:
            return None
        return next((b.id for b in self.config.age_bands if b.max_age > 12), None)

    def _render(self, rows: list[UpdateRow], lang: str, band: str | None,
                viewer: str | None) -> list[Say]:  # fmt: skip
        says = [
            s for r in rows if (s := render_update(self.config, self.translator, r, lang, band))
        ]
        self.store.count_views([r.id for r in rows])
        if viewer is not None:
            self.store.viewed.add([(r.id, self._viewer(r.id, viewer)) for r in rows])
        return says
