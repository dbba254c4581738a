"""Rows of "you said, we did" updates, their texts per language, and the opt-ins to hear back.

SQL (SQLite or PostgreSQL) beside feedback and accounts; sync, so async callers wrap calls
in ``asyncio.to_thread``. The tables start as migration 3 made them (bot/storage/schema_v3.py);
migration 10 (schema_v10.py) added the viewers and the texts' ``machine`` mark.

A subscription row holds the chat's pseudonymous key (never the chat id), the service, the
language and whether to use the youngest band's words, when it ends, and up to when the
young person has seen updates. For Telegram it also holds ``reach``: the chat id sealed
with the secret key (bot/privacy/seal.py), because a message cannot be sent without it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.storage import schema_v3
from bot.storage.update_viewers import UpdateViewers

__all__ = [
    "Subscription",
    "UpdateRow",
    "UpdateStore",
    "UpdateText",
    "metadata",
    "subscriptions_table",
    "texts_table",
    "updates_table",
]

metadata = sa.MetaData()
for _table in schema_v3.metadata.sorted_tables:
    _table.to_metadata(metadata)
updates_table = metadata.tables["service_updates"]
texts_table = metadata.tables["service_update_texts"]
texts_table.append_column(
    sa.Column("machine", sa.Boolean, nullable=False, server_default=sa.false())
)
subscriptions_table = metadata.tables["update_subscriptions"]


@dataclass(frozen=True, slots=True)
class UpdateText:
    lang: str
    said: str
    changed: str
    added_by: str
    approved_by: str | None
    machine: bool = False  # a machine's draft nobody has edited yet


@dataclass(frozen=True, slots=True)
class UpdateRow:
    id: str
    service: str
    question_key: str
    period: str
    respondents: int
    source_lang: str
    author: str
    approved_by: str | None
    created_at: dt.datetime
    published_at: dt.datetime | None
    views: int
    texts: tuple[UpdateText, ...] = ()

    def text(self, lang: str) -> UpdateText | None:
        return next((t for t in self.texts if t.lang == lang), None)


@dataclass(frozen=True, slots=True)
class Subscription:
    subscriber: str
    service: str
    channel: str
    reach: str | None
    lang: str
    young: bool
    expires_at: dt.datetime
    seen_through: dt.datetime | None


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands back naive datetimes; every time here is UTC.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


class UpdateStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.viewed = UpdateViewers(engine)  # who was shown which update, once each

    # -- updates ----------------------------------------------------------------------
    def add(self, row: UpdateRow) -> None:
        values = {f: getattr(row, f) for f in UpdateRow.__slots__ if f != "texts"}
        with self.engine.begin() as conn:
            conn.execute(updates_table.insert().values(**values))
            for text in row.texts:
                conn.execute(texts_table.insert().values(update_id=row.id, **_text(text)))

    def get(self, update_id: str) -> UpdateRow | None:
        found = self._select(updates_table.c.id == update_id)
        return found[0] if found else None

    def for_services(self, services: tuple[str, ...]) -> list[UpdateRow]:
        """Every update of these services, newest first (drafts too)."""
        return self._select(updates_table.c.service.in_(services))

    def published(self, service: str, after: dt.datetime | None = None) -> list[UpdateRow]:
        u = updates_table.c
        condition = sa.and_(u.service == service, u.published_at.is_not(None))
        if after is not None:
            condition = sa.and_(condition, u.published_at > after)
        return self._select(condition)

    def publish(self, update_id: str, approver: str, at: dt.datetime) -> bool:
        """Publish a draft; False when it is gone or already published."""
        u = updates_table.c
        change = (
            updates_table.update()
            .where(u.id == update_id, u.published_at.is_(None))
            .values(approved_by=approver, published_at=at)
        )
        with self.engine.begin() as conn:
            changed = conn.execute(change).rowcount == 1
            if changed:  # the source text is approved with the update
                conn.execute(
                    texts_table.update()
                    .where(texts_table.c.update_id == update_id)
                    .where(
                        texts_table.c.lang
                        == sa.select(u.source_lang).where(u.id == update_id).scalar_subquery()
                    )
                    .values(approved_by=approver)
                )
        return changed

    def put_text(self, update_id: str, text: UpdateText) -> None:
        """Add or replace one language's text (a replaced text needs review again)."""
        t = texts_table.c
        with self.engine.begin() as conn:
            conn.execute(texts_table.delete().where(t.update_id == update_id, t.lang == text.lang))
            conn.execute(texts_table.insert().values(update_id=update_id, **_text(text)))

    def approve_text(self, update_id: str, lang: str, approver: str) -> bool:
        t = texts_table.c
        change = (
            texts_table.update()
            .where(t.update_id == update_id, t.lang == lang, t.approved_by.is_(None))
            .values(approved_by=approver)
        )
        with self.engine.begin() as conn:
            return bool(conn.execute(change).rowcount == 1)

    def count_views(self, update_ids: list[str]) -> None:
        if not update_ids:
            return
        u = updates_table.c
        with self.engine.begin() as conn:
            conn.execute(
                updates_table.update().where(u.id.in_(update_ids)).values(views=u.views + 1)
            )

    def update_ids(self) -> list[str]:
        with self.engine.connect() as conn:
            return [str(u) for u in conn.execute(sa.select(updates_table.c.id)).scalars()]

    def _select(self, condition: sa.ColumnElement[bool]) -> list[UpdateRow]:
        u, t = updates_table.c, texts_table.c
        query = (
            sa.select(updates_table)
            .where(condition)
            .order_by(u.published_at.desc().nulls_first(), u.created_at.desc(), u.id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
            ids = [row["id"] for row in rows]
            texts: dict[str, list[UpdateText]] = {}
            if ids:
                for row in conn.execute(
                    sa.select(texts_table).where(t.update_id.in_(ids)).order_by(t.lang)
                ).mappings():
                    texts.setdefault(row["update_id"], []).append(
                        UpdateText(
                            row["lang"],
                            row["said"],
                            row["changed"],
                            row["added_by"],
                            row["approved_by"],
                            bool(row["machine"]),
                        )
                    )
        return [
            UpdateRow(
                **{
                    **dict(row),
                    "created_at": _utc(row["created_at"]),
                    "published_at": _utc(row["published_at"]),
                },
                texts=tuple(texts.get(row["id"], ())),
            )
            for row in rows
        ]

    # -- subscriptions ------------------------------------------------------------------
    def subscribe(self, sub: Subscription) -> None:
        s = subscriptions_table.c
        with self.engine.begin() as conn:
            conn.execute(
                subscriptions_table.delete().where(
                    s.subscriber == sub.subscriber, s.service == sub.service
                )
            )
            conn.execute(subscriptions_table.insert().values(**_sub(sub)))

    def subscriptions_of(self, subscriber: str, now: dt.datetime) -> list[Subscription]:
        s = subscriptions_table.c
        return self._subs(sa.and_(s.subscriber == subscriber, s.expires_at > now))

    def subscribers(self, service: str, channel: str, now: dt.datetime) -> list[Subscription]:
        s = subscriptions_table.c
        return self._subs(sa.and_(s.service == service, s.channel == channel, s.expires_at > now))

    def count(self, service: str, now: dt.datetime) -> int:
        s = subscriptions_table.c
        query = sa.select(sa.func.count()).where(s.service == service, s.expires_at > now)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    def seen(self, subscriber: str, service: str, through: dt.datetime) -> None:
        s = subscriptions_table.c
        with self.engine.begin() as conn:
            conn.execute(
                subscriptions_table.update()
                .where(s.subscriber == subscriber, s.service == service)
                .values(seen_through=through)
            )

    def rekey(self, subscriber: str, to: str) -> None:
        """Move one chat's subscriptions to another key (the web chat's news token): a
        service both already hold stays once, with the newer row."""
        s = subscriptions_table.c
        with self.engine.begin() as conn:
            services = sa.select(s.service).where(s.subscriber == subscriber).scalar_subquery()
            conn.execute(
                subscriptions_table.delete().where(s.subscriber == to, s.service.in_(services))
            )
            conn.execute(
                subscriptions_table.update().where(s.subscriber == subscriber).values(subscriber=to)
            )

    def forget(self, subscriber: str) -> int:
        """Remove every subscription of one chat ("delete my data"); how many."""
        s = subscriptions_table.c
        with self.engine.begin() as conn:
            return int(
                conn.execute(
                    subscriptions_table.delete().where(s.subscriber == subscriber)
                ).rowcount
            )

    def expire(self, now: dt.datetime) -> int:
        s = subscriptions_table.c
        with self.engine.begin() as conn:
            return int(
                conn.execute(subscriptions_table.delete().where(s.expires_at <= now)).rowcount
            )

    def _subs(self, condition: sa.ColumnElement[bool]) -> list[Subscription]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(subscriptions_table).where(condition)).mappings().all()
        return [
            Subscription(
                **{
                    **dict(row),
                    "expires_at": _utc(row["expires_at"]),
                    "seen_through": _utc(row["seen_through"]),
                }
            )
            for row in rows
        ]


def _text(text: UpdateText) -> dict[str, object]:
    return {"lang": text.lang, "said": text.said, "changed": text.changed,
            "added_by": text.added_by, "approved_by": text.approved_by,
            "machine": text.machine}  # fmt: skip


def _sub(sub: Subscription) -> dict[str, object]:
    return {f: getattr(sub, f) for f in Subscription.__slots__}
