"""'You said, we did': staff write and approve updates; young people see and hear back.

- Staff with the `worker` role or above write an update for a service of their
  organisations, tied to a question and period the dashboard releases (never a hidden
  small group), in one language; a second staff member (never the author) publishes it.
  Texts in other languages are added by staff and shown once someone other than the one
  who added them approves them; until then a young person sees the source text, with a note.
- Young people see a service's newest updates (bot/services/update_texts.py), and may ask
  to hear about new ones: the subscription keeps the chat's pseudonymous key, never a link
  to what they answered. On publishing, Telegram subscribers get a message through the
  delivery queue (the `run` process sends it through its outbox and rate limiter); web
  chat subscribers see it at their next visit.
- Staff see only how many are subscribed, and not below k.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import aiohttp

from bot.config import Config
from bot.engine.events import Event, Say
from bot.errors import SafeVoiceError
from bot.i18n.translator import Translator
from bot.privacy.keys import new_record_id
from bot.privacy.seal import open_address, seal_address
from bot.services.confirm import young
from bot.services.report import ReportSource, build_report, period
from bot.services.update_drafts import DraftError, machine_draft
from bot.services.update_texts import render_none, render_update
from bot.staff.accounts import Account, Role
from bot.storage.records import FeedbackFilters
from bot.storage.updates import Subscription, UpdateRow, UpdateStore, UpdateText

__all__ = ["PUBLISH_ROLE", "Answerable", "UpdateError", "UpdateService"]

PUBLISH_ROLE: Role = "worker"  # the least role that may write, translate and approve updates
Deliver = Callable[[str, Sequence[Event]], Awaitable[None]]


class UpdateError(SafeVoiceError):
    """An update cannot be written or approved as asked; the message says why, kindly."""


@dataclass(frozen=True, slots=True)
class Answerable:
    """A question and period the dashboard shows for a service: what an update may answer."""

    service: str
    question_key: str
    period: str
    respondents: int


class UpdateService:
    def __init__(
        self,
        store: UpdateStore,
        feedback: ReportSource,
        config: Config,
        translator: Translator,
        secret: bytes,
        *,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.store, self.feedback, self.config, self.translator = (
            store,
            feedback,
            config,
            translator,
        )
        self.secret = secret
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        # channel -> how a message reaches a chat of it outside a conversation turn.
        self.deliverers: dict[str, Deliver] = {}

    @property
    def k(self) -> int:
        return self.config.privacy.k_threshold

    # -- staff ------------------------------------------------------------------------
    def answerable(self, account: Account) -> list[Answerable]:
        """The released (not suppressed) questions of the account's services, each with the
        period of the weeks the dashboard shows for its service."""
        services = account.services(self.config)
        if not services or not account.allows(PUBLISH_ROLE):
            return []
        report = build_report(self.feedback, FeedbackFilters(services=services), self.k, comments=0)
        spans: dict[str, tuple[str, str]] = {}
        for week in report.weeks:
            if week.service is None or week.suppressed:
                continue
            first = period(week).split("..")[0]
            low, high = spans.get(week.service, (first, week.iso_week))
            spans[week.service] = (min(low, first), max(high, week.iso_week))
        found = []
        for q in report.questions:
            if q.service is None or q.suppressed or q.respondents is None:
                continue
            low, high = spans.get(q.service, ("", ""))
            span = low if low == high else f"{low}..{high}"
            found.append(Answerable(q.service, q.question_key, span, q.respondents))
        return found

    def draft(self, account: Account, service: str, question_key: str, lang: str,
              said: str, changed: str) -> UpdateRow:  # fmt: skip
        self._may_publish(account, service)
        chosen = next(
            (a for a in self.answerable(account)
             if a.service == service and a.question_key == question_key),
            None,
        )  # fmt: skip
        if chosen is None:
            msg = (
                "That question has no figures the dashboard shows for this service yet (too few "
                "answers). Choose a question from the list."
            )
            raise UpdateError(msg)
        text = UpdateText(self._lang(lang), *self._texts(said, changed), account.name, None)
        row = UpdateRow(new_record_id(), service, question_key, chosen.period, chosen.respondents,
                        text.lang, account.name, None, self.clock(), None, 0, (text,))  # fmt: skip
        self.store.add(row)
        return row

    def visible(self, account: Account) -> list[UpdateRow]:
        services = account.services(self.config)
        return self.store.for_services(services) if services else []

    async def approve(self, account: Account, update_id: str) -> UpdateRow:
        """Publish an update another staff member wrote, then tell its subscribers."""
        published = await asyncio.to_thread(self._publish, account, update_id)
        await self.broadcast(published)
        return published

    def _publish(self, account: Account, update_id: str) -> UpdateRow:
        row = self._of(account, update_id)
        if row.author == account.name:
            msg = "You wrote this update, so someone else needs to approve it."
            raise UpdateError(msg)
        published = None
        if self.store.publish(update_id, account.name, self.clock()):
            published = self.store.get(update_id)
        if published is None or published.published_at is None:
            msg = "This update is already published."
            raise UpdateError(msg)
        return published

    def add_text(self, account: Account, update_id: str, lang: str, said: str,
                 changed: str) -> None:  # fmt: skip
        row = self._of(account, update_id)
        lang = self._lang(lang)
        if lang == row.source_lang:
            msg = "That is the language the update was written in; add another language."
            raise UpdateError(msg)
        self.store.put_text(update_id, UpdateText(lang, *self._texts(said, changed),
                                                  account.name, None))  # fmt: skip

    async def machine_drafts(self, account: Account, update_id: str) -> tuple[list[str], list[str]]:
        """Draft, by the configured machine translation service, every shipped language the
        update has no text in yet, each marked for review. (drafted, failed) languages."""
        row = await asyncio.to_thread(self._of, account, update_id)
        url, source = self.config.updates.translate_url, row.text(row.source_lang)
        if not url or source is None:
            msg = "No translation service is set up here, so add the languages by hand."
            raise UpdateError(msg)
        drafted, failed = [], []
        async with aiohttp.ClientSession() as session:
            for lang in (x for x in self.config.languages.shipped if row.text(x) is None):
                try:
                    said, changed = await machine_draft(
                        session, url, row.source_lang, lang, (source.said, source.changed)
                    )
                except DraftError:
                    failed.append(lang)
                    continue
                text = UpdateText(lang, said, changed, account.name, None, machine=True)
                await asyncio.to_thread(self.store.put_text, update_id, text)
                drafted.append(lang)
        return drafted, failed

    def approve_text(self, account: Account, update_id: str, lang: str) -> None:
        row = self._of(account, update_id)
        text = row.text(lang)
        if text is None:
            msg = "There is no text in that language to approve."
            raise UpdateError(msg)
        if text.added_by == account.name and not text.machine:  # a machine's words: anyone
            msg = "You added this translation, so someone else needs to approve it."
            raise UpdateError(msg)
        if not self.store.approve_text(update_id, lang, account.name):
            msg = "This translation is already approved."
            raise UpdateError(msg)

    def subscribers(self, service: str) -> int | None:
        """How many chats hear about this service's updates; None below k (never who)."""
        n = self.store.count(service, self.clock())
        return n if n >= self.k else None

    def _may_publish(self, account: Account, service: str) -> None:
        if not account.allows(PUBLISH_ROLE):
            msg = "Your account cannot write or approve updates."
            raise UpdateError(msg)
        if service not in account.services(self.config):
            msg = "Your account cannot publish for that service."
            raise UpdateError(msg)

    def _of(self, account: Account, update_id: str) -> UpdateRow:
        row = self.store.get(update_id)
        if row is None:
            msg = "That update no longer exists."
            raise UpdateError(msg)
        self._may_publish(account, row.service)
        return row

    def _lang(self, lang: str) -> str:
        if lang not in self.config.languages.shipped:
            msg = "Choose one of the languages young people can use."
            raise UpdateError(msg)
        return lang

    def _texts(self, said: str, changed: str) -> tuple[str, str]:
        said, changed = " ".join(said.split()), " ".join(changed.split())
        if not said or not changed:
            msg = "Write both what young people said and what changed."
            raise UpdateError(msg)
        limit = self.config.updates.max_chars
        if len(said) > limit or len(changed) > limit:
            msg = f"Each text can be at most {limit} characters."
            raise UpdateError(msg)
        return said, changed

    # -- young people -----------------------------------------------------------------
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
