"""The web chat's "shown at the next visit" for young people who asked to hear back.

A visit lives in one tab (bot/web/chat_visit.py), so a later visit is a new chat the
subscription knows nothing of. When a young person asks to hear back, the page gets a
news token and keeps it in localStorage (the one thing the chat keeps past the tab;
"leave quickly" and "delete my data" clear it). A later visit sends it in `X-News`:
its first turn shows what changed since, and "delete my data" there also ends the
subscription. The token is "<key>.<tag>": the subscription's pseudonymous key (the
conversation's HMAC of the first visit, never a visit token) and an HMAC of it, so a
made-up token is ignored without any lookup. Nothing in it links to feedback.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac

from bot.engine.events import Event
from bot.engine.inputs import Input
from bot.services.updates import UpdateService

__all__ = ["NEWS", "key_of", "mint_news", "news_turn"]

NEWS = "X-News"
_KEY_CHARS = 64
_TAG_CHARS = 32


def _tag(secret: bytes, key: str) -> str:
    return hmac.new(secret, f"chat-news:{key}".encode(), hashlib.sha256).hexdigest()[:_TAG_CHARS]


def mint_news(secret: bytes, key: str) -> str:
    return f"{key}.{_tag(secret, key)}"


def key_of(secret: bytes, token: object) -> str | None:
    """The subscription key inside `token`, when this server minted it; else None."""
    if not isinstance(token, str) or len(token) != _KEY_CHARS + 1 + _TAG_CHARS:
        return None
    if not token.isascii():  # compare_digest takes ASCII text only
        return None
    key, _, tag = token.partition(".")
    return key if hmac.compare_digest(_tag(secret, key), tag) else None


async def news_turn(
    updates: UpdateService | None,
    secret: bytes,
    given: object,
    key: str,
    inp: Input | None,
    *,
    subscribed: bool,
    deleted: bool,
) -> tuple[list[Event], str | None]:
    """Around one web turn of chat `key`: the news to show first (on a visit's first
    turn), and the news token the page should keep (None: keep what it has, or nothing).

    A visit that subscribes while it holds a token adds its subscription to that token's
    key, so the page keeps one token; "delete my data" ends the token's subscriptions too.
    """
    if updates is None:
        return [], None
    held = key_of(secret, given)
    if deleted:
        if held is not None:
            await asyncio.to_thread(updates.forget, held)
        return [], None
    news: list[Event] = []
    starting = inp is None or (inp.kind == "command" and inp.value == "start")
    if held is not None and held != key and starting:
        news = list(await asyncio.to_thread(updates.pending, held))
    if not subscribed:
        return news, None
    if held is None:
        return news, mint_news(secret, key)
    if held != key:
        await asyncio.to_thread(updates.store.rekey, key, held)
    return news, mint_news(secret, held)
