"""'You said, we did': staff write and approve updates; young people see and hear back.

- Staff with the `worker` role or above write an update for a service of their
  organisations, tied to a question and period the dashboard releases (never a hidden
  small group), in one language; a second staff member (never the author) publishes it.
  Texts in other languages are added by staff, or drafted by machine (update_drafts.py),
  and shown once someone other than the one who wrote them approves them (a machine
  draft nobody edited: anyone); until then a young person sees the source text, with a note.
- Young people see a service's newest updates and may ask to hear about new ones
  (bot/services/update_audience.py): on publishing, Telegram subscribers get a message
  through the delivery queue (the `run` process sends it through its outbox and rate
  limiter); web chat subscribers see it at their next visit.
- Staff see only how many are subscribed, and how many saw an update, and not below k.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

from bot.config import Config
from bot.errors import SafeVoiceError
from bot.i18n.translator import Translator
from bot.privacy.keys import new_record_id
from bot.services.report import ReportSource, build_report, period
from bot.services.update_audience import Audience, Deliver
from bot.services.update_drafts import DraftError, machine_draft
from bot.staff.accounts import Account, Role
from bot.storage.records import FeedbackFilters
from bot.storage.updates import UpdateRow, UpdateStore, UpdateText

__all__ = ["PUBLISH_ROLE", "Answerable", "UpdateError", "UpdateService"]

PUBLISH_ROLE: Role = "worker"  # the least role that may write, translate and approve updates


class UpdateError(SafeVoiceError):
    """An update cannot be written or approved as asked; the message says why, kindly."""


@dataclass(frozen=True, slots=True)
class Answerable:
    """A question and period the dashboard shows for a service: what an update may answer."""

    service: str
    question_key: str
    period: str
    respondents: int


class UpdateService(Audience):
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
