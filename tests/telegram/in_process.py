"""The Telegram edge without a network: a real adapter's parser (aiogram or PTB), the
real channel, sender and services on a "test" runtime, and the Bot API's side of the
calls answered in process (like tests/telegram/fake_api.py, minus HTTP), so thousands
of updates take seconds. Used where the input parsing, not the delivery, is tested."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.app import App
from bot.channels.telegram.core import CHANNEL, TelegramChannel
from bot.channels.telegram.incoming import Incoming
from bot.channels.telegram.render import Keyboard
from bot.channels.telegram.runtime import make_transport
from bot.channels.telegram.sender import Sender
from bot.channels.telegram.transport import Transport
from bot.runtime import Runtime, build_runtime
from tests.telegram.conftest import FAST, TOKEN


@dataclass
class InProcessApi:
    """A Transport whose parser is the adapter's and whose Bot API calls are recorded."""

    adapter: Transport
    messages: list[tuple[int, str, Keyboard]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    def parse(self, update: dict[str, Any]) -> Incoming | None:
        return self.adapter.parse(update)

    async def send_message(
        self, chat_id: int, text: str, keyboard: Keyboard, thread_id: int | None = None
    ) -> int:
        self.messages.append((chat_id, text, keyboard))
        return next(self._ids)

    async def edit_message(
        self, chat_id: int, message_id: int, text: str, keyboard: Keyboard
    ) -> None:
        self.messages.append((chat_id, text, keyboard))

    async def delete_messages(self, chat_id: int, message_ids: Sequence[int]) -> None:
        return None

    async def answer_callback(self, callback_id: str, text: str | None) -> None:
        return None

    async def send_typing(self, chat_id: int) -> None:
        return None

    async def close(self) -> None:
        await self.adapter.close()


@dataclass
class Edge:
    api: InProcessApi
    channel: TelegramChannel
    sender: Sender
    runtime: Runtime

    def texts(self, chat: int) -> list[str]:
        return [text for to, text, _ in self.api.messages if to == chat]

    async def close(self) -> None:
        await self.sender.close()
        await self.api.close()
        await self.runtime.close()


def open_edge(app: App, library: str) -> Edge:
    """The Telegram edge on memory stores; call `close()` from the same event loop."""
    runtime = build_runtime(app, "test", database_url="sqlite://")
    api = InProcessApi(make_transport(library, TOKEN, "http://127.0.0.1:9"))
    sender = Sender(api, FAST)  # type: ignore[arg-type]  # a stand-in with the calls used
    channel = TelegramChannel(runtime.conversation, sender, runtime.secret)
    runtime.cases.deliverers[CHANNEL] = channel.deliver
    return Edge(api, channel, sender, runtime)


def text_update(update_id: int, chat: int, text: str, lang: str = "en") -> dict[str, Any]:
    """A young person's text message as the Bot API posts it."""
    person = {"id": chat, "is_bot": False, "first_name": "Zenobia", "language_code": lang}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1700000000,
            "chat": {"id": chat, "type": "private", "first_name": "Zenobia"},
            "from": person,
            "text": text,
        },
    }
