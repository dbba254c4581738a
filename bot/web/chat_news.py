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
from dataclasses import replace

from bot.app import App
from bot.engine.events import Event, Say
from bot.engine.inputs import Input
from bot.services.conversation import Reply
from bot.services.updates import UpdateService
from bot.web.signed_tokens import seal, unseal

__all__ = ["NEWS", "key_of", "mint_news", "news_turn"]

NEWS = "X-News"
_KEY_CHARS = 64
_PURPOSE = "chat-news"


def mint_news(secret: bytes, key: str) -> str:
    return seal(secret, _PURPOSE, key)


def key_of(secret: bytes, token: object) -> str | None:
    """The subscription key inside `token`, when this server minted it; else None."""
    return unseal(secret, _PURPOSE, token, _KEY_CHARS)


async def news_turn(
    app: App, updates: UpdateService | None, secret: bytes, given: object, key: str,
    inp: Input | None, reply: Reply,
) -> tuple[Reply, str | None]:  # fmt: skip
    """Around one web turn of chat `key`: the reply with the news first (on a visit's
    first turn), and the news token the page should keep (None: keep what it has).

    The first subscription says that the browser now remembers. A visit that subscribes
    while it holds a token adds its subscription to that token's key, so the page keeps
    one token; "delete my data" ends the token's subscriptions too.
    """
    held = key_of(secret, given)
    if updates is None:
        return reply, None
    if reply.deleted:
        if held is not None:
            await asyncio.to_thread(updates.forget, held)
        return reply, None
    news: list[Event] = []
    starting = inp is None or (inp.kind == "command" and inp.value == "start")
    if held is not None and held != key and starting:
        news = list(await asyncio.to_thread(updates.pending, held))
    events, token = [*news, *reply.events], None
    if reply.subscribed and held is None:
        lang = reply.lang or app.config.languages.source
        remembers = app.translator.system(
            lang,
            "This browser will remember this, so you can see the news when you come back. "
            "To make it forget, type /forget.",
        )
        events.append(Say(remembers, lang, app.config.is_rtl(lang)))
        token = mint_news(secret, key)
    elif reply.subscribed and held is not None:
        if held != key:
            await asyncio.to_thread(updates.store.rekey, key, held)
        token = mint_news(secret, held)
    return replace(reply, events=tuple(events)), token
