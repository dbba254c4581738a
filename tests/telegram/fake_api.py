"""A stand-in Bot API server on 127.0.0.1 (aiohttp): serves getUpdates from a queue,
records every call, keeps each chat's messages as a phone would show them, and can
answer 429 (with retry_after) or 5xx on demand. The real bot code talks to it over HTTP.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

INT_FIELDS = ("chat_id", "message_id", "offset", "timeout", "limit", "message_thread_id", "user_id",
              "from_chat_id")  # fmt: skip
# What a young person's Telegram profile would carry; none of it may reach logs or Redis.
FIRST_NAME = "Zenobia"
USERNAME = "zenobia_secret_handle"
PHONE = "+40799111222"


@dataclass
class Shown:
    text: str
    keyboard: list[list[dict[str, str]]] = field(default_factory=list)
    from_bot: bool = True
    thread: int | None = None  # the forum topic it is in (the staff group)


class FakeTelegram:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.updates: list[dict[str, Any]] = []
        self.confirmed = 0  # every update_id below this was confirmed by an offset
        self.chats: dict[int, dict[int, Shown]] = defaultdict(dict)
        self.failures: dict[str, list[tuple[int, int | None]]] = defaultdict(list)
        self.hold: dict[str, asyncio.Event] = {}
        self._ids = itertools.count(1000)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._arrived = asyncio.Event()
        # The staff group: forum topics (thread id -> name; closed/deleted ones), members.
        self.topics: dict[int, dict[int, str]] = defaultdict(dict)
        self.closed_topics: set[tuple[int, int]] = set()
        self.deleted_topics: set[tuple[int, int]] = set()
        self.members: dict[int, str] = {}  # user id -> status; anyone else has "left"
        self._threads = itertools.count(100)
        self.url = ""
        self._runner: web.AppRunner | None = None

    # -- server ---------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            data = dict(await request.json())
        else:
            data = {}
            for key, value in (await request.post()).items():
                text = value if isinstance(value, str) else str(value)
                try:
                    data[key] = json.loads(text) if text[:1] in "[{" else text
                except ValueError:
                    data[key] = text
        for key in INT_FIELDS:
            if isinstance(data.get(key), str):
                data[key] = int(data[key])
        return data

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        if method != "getUpdates":
            self.calls.append((method, params))
        if method in self.hold:
            await self.hold[method].wait()
        queue = self.failures.get(method)
        if queue:
            status, retry_after = queue.pop(0)
            body: dict[str, Any] = {"ok": False, "error_code": status, "description": "injected"}
            if retry_after is not None:
                body["parameters"] = {"retry_after": retry_after}
            return web.json_response(body, status=status)
        result = await getattr(self, "_" + method, self._true)(params)
        return web.json_response({"ok": True, "result": result})

    # -- Bot API methods ------------------------------------------------------------------
    async def _true(self, params: dict[str, Any]) -> bool:
        return True

    async def _getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"id": 4242, "is_bot": True, "first_name": "SafeVoice", "username": "sv_bot"}

    async def _getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = params.get("offset")
        if offset:
            self.confirmed = max(self.confirmed, int(offset))
            self.updates = [u for u in self.updates if u["update_id"] >= self.confirmed]
        if not self.updates:
            self._arrived.clear()
            timeout = float(params.get("timeout") or 0)
            try:
                await asyncio.wait_for(self._arrived.wait(), min(timeout, 1.0))
            except TimeoutError:
                return []
        return self.updates[: int(params.get("limit") or 100)]

    async def _sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = int(params["chat_id"])
        message_id = self._next_message_id(chat)
        markup = params.get("reply_markup") or {}
        thread = params.get("message_thread_id")
        keys = markup.get("inline_keyboard", [])
        self.chats[chat][message_id] = Shown(params["text"], keys, thread=thread)
        message = self._message(chat, message_id, params["text"], markup or None, bot=True)
        if thread is not None:
            message.update(message_thread_id=thread, is_topic_message=True)
        return message

    async def _copyMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        """The copy shows in the target chat as a marker naming the original (the stand-in
        has no files: neither has SafeVoice)."""
        chat, thread = int(params["chat_id"]), params.get("message_thread_id")
        message_id = self._next_message_id(chat)
        copied = f"[copy of {params['from_chat_id']}:{params['message_id']}]"
        self.chats[chat][message_id] = Shown(copied, thread=thread)
        return {"message_id": message_id}

    def copies(self) -> list[dict[str, Any]]:
        return [p for m, p in self.calls if m == "copyMessage"]

    async def _createForumTopic(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, thread = int(params["chat_id"]), next(self._threads)
        self.topics[chat][thread] = params["name"]
        return {"message_thread_id": thread, "name": params["name"], "icon_color": 7322096}

    async def _editForumTopic(self, params: dict[str, Any]) -> bool:
        chat, thread = int(params["chat_id"]), int(params["message_thread_id"])
        if params.get("name"):
            self.topics[chat][thread] = params["name"]
        return True

    async def _closeForumTopic(self, params: dict[str, Any]) -> bool:
        self.closed_topics.add((int(params["chat_id"]), int(params["message_thread_id"])))
        return True

    async def _deleteForumTopic(self, params: dict[str, Any]) -> bool:
        chat, thread = int(params["chat_id"]), int(params["message_thread_id"])
        self.deleted_topics.add((chat, thread))
        self.topics[chat].pop(thread, None)
        for message_id in [k for k, v in self.chats[chat].items() if v.thread == thread]:
            del self.chats[chat][message_id]
        return True

    async def _getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        user = int(params["user_id"])
        status = self.members.get(user, "left")
        member: dict[str, Any] = {
            "status": status,
            "user": {"id": user, "is_bot": False, "first_name": "Member"},
        }
        if status == "administrator":
            member.update(
                can_be_edited=False, is_anonymous=False, can_manage_chat=True,
                can_delete_messages=True, can_manage_video_chats=True,
                can_restrict_members=True, can_promote_members=False, can_change_info=True,
                can_invite_users=True, can_post_stories=False, can_edit_stories=False,
                can_delete_stories=False, can_send_welcome_messages=False,
            )  # fmt: skip
        return member

    async def _editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, message_id = int(params["chat_id"]), int(params["message_id"])
        markup = params.get("reply_markup") or {}
        self.chats[chat][message_id] = Shown(params["text"], markup.get("inline_keyboard", []))
        return self._message(chat, message_id, params["text"], markup or None, bot=True)

    async def _deleteMessages(self, params: dict[str, Any]) -> bool:
        chat = int(params["chat_id"])
        for message_id in params["message_ids"]:
            self.chats[chat].pop(int(message_id), None)
        return True

    # -- what a young person does ---------------------------------------------------------
    def _next_message_id(self, chat: int) -> int:
        return next(self._message_ids.setdefault(chat, itertools.count(1)))

    def _user(self, chat: int, lang: str = "en") -> dict[str, Any]:
        return {
            "id": chat,
            "is_bot": False,
            "first_name": FIRST_NAME,
            "username": USERNAME,
            "language_code": lang,
        }

    def _message(
        self, chat: int, message_id: int, text: str | None, markup: Any, *, bot: bool
    ) -> dict[str, Any]:
        private = {"id": chat, "type": "private", "first_name": FIRST_NAME, "username": USERNAME}
        group = {"id": chat, "type": "supergroup", "title": "Staff", "is_forum": True}
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": 1700000000,
            "chat": private if chat > 0 else group,
        }
        if bot:
            message["from"] = {"id": 4242, "is_bot": True, "first_name": "SafeVoice"}
        if text is not None:
            message["text"] = text
        if markup:
            message["reply_markup"] = markup
        return message

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._ids), **update}
        self.updates.append(update)
        self._arrived.set()
        return update

    def user_message(self, chat: int, lang: str = "en", **content: Any) -> dict[str, Any]:
        message_id = self._next_message_id(chat)
        message = self._message(chat, message_id, None, None, bot=False)
        message["from"] = self._user(chat, lang)
        message.update(content)
        self.chats[chat][message_id] = Shown(str(content.get("text", "")), from_bot=False)
        return self.push({"message": message})

    def text(self, chat: int, text: str, lang: str = "en") -> dict[str, Any]:
        return self.user_message(chat, lang, text=text)

    def press(
        self, chat: int, label: str | None = None, *, data: str | None = None
    ) -> dict[str, Any]:
        """Press the button `label` on the newest message that has it (or send `data`)."""
        message_id, shown = self.newest_keyboard(chat, label)
        if data is None:
            data = next(
                b["callback_data"] for row in shown.keyboard for b in row if b["text"] == label
            )
        markup = {"inline_keyboard": shown.keyboard}
        query = {
            "id": str(next(self._ids)),
            "from": self._user(chat),
            "chat_instance": "1",
            "data": data,
            "message": self._message(chat, message_id, shown.text, markup, bot=True),
        }
        return self.push({"callback_query": query})

    # -- what a worker does in the staff group -------------------------------------------
    def staff_message(
        self,
        chat: int,
        worker: dict[str, Any],
        thread: int | None = None,
        **content: Any,
    ) -> dict[str, Any]:
        """A message by `worker` (a Telegram user dict) in the staff group `chat`, in the
        forum topic `thread` (None: General)."""
        message_id = self._next_message_id(chat)
        message = self._message(chat, message_id, None, None, bot=False)
        message["from"] = worker
        if chat > 0:
            message["chat"] = {"id": chat, "type": "private", "first_name": "x"}
        if thread is not None:
            message.update(message_thread_id=thread, is_topic_message=True)
        message.update(content)
        text = str(content.get("text", ""))
        self.chats[chat][message_id] = Shown(text, from_bot=False, thread=thread)
        return self.push({"message": message})

    def topic_texts(self, chat: int, thread: int | None) -> list[str]:
        """What the bot sent to a topic (None: General), in order."""
        return [
            p["text"]
            for m, p in self.calls
            if m == "sendMessage"
            and int(p["chat_id"]) == chat
            and p.get("message_thread_id") == thread
        ]

    # -- looking at what happened ---------------------------------------------------------
    def newest_keyboard(self, chat: int, label: str | None = None) -> tuple[int, Shown]:
        for message_id in sorted(self.chats[chat], reverse=True):
            shown = self.chats[chat][message_id]
            labels = [b["text"] for row in shown.keyboard for b in row]
            if shown.keyboard and (label is None or label in labels):
                return message_id, shown
        raise AssertionError(
            f"no message with button {label!r} in chat; has {self.transcript(chat)}"
        )

    def transcript(self, chat: int) -> list[str]:
        return [self.chats[chat][k].text for k in sorted(self.chats[chat])]

    def bot_texts(self, chat: int) -> list[str]:
        return [
            p["text"] for m, p in self.calls if m == "sendMessage" and int(p["chat_id"]) == chat
        ]

    def count(self, method: str) -> int:
        return sum(1 for m, _ in self.calls if m == method)

    def fail(
        self, method: str, status: int, *, retry_after: int | None = None, times: int = 1
    ) -> None:
        self.failures[method].extend([(status, retry_after)] * times)

    async def wait_for(self, check: Any, timeout: float = 10.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not check():
            if loop.time() > deadline:
                raise AssertionError("timed out waiting for the bot")
            await asyncio.sleep(0.02)

    async def settled(self, quiet: float = 0.15, timeout: float = 15.0) -> None:
        """Wait until every update was confirmed and no call came for `quiet` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        seen, since = -1, loop.time()
        while loop.time() < deadline:
            pending = any(u["update_id"] >= self.confirmed for u in self.updates)
            if len(self.calls) != seen or pending:
                seen, since = len(self.calls), loop.time()
            elif loop.time() - since >= quiet:
                return
            await asyncio.sleep(0.02)
        raise AssertionError("the bot did not settle")
