"""The worker desk on Telegram: a staff supergroup with topics (a forum), one per case.

Set ``[telegram] staff_chat_id`` to the group's id (e.g. -1001234567890), and/or
``[telegram] staff_groups`` to a group per organisation: each desk serves the cases of
its `organisations` only (topics, relays, /queue, commands), so a group never sees
another organisation's case (runtime.py builds one desk per group). In that group
the bot must be an admin with "Manage topics" (it creates, renames, closes and deletes
topics), and the group must have topics turned on. As an admin the bot sees every message,
so workers can simply write in a case's topic.

Who may act: only updates whose chat is the staff group reach the desk (the channel
routes them; every other group is ignored and logged without content), and even there
the sender must be a member right now: getChatMember, cached for a few minutes, so a
worker removed from the group loses the desk within minutes even if an old message of
theirs is redelivered. Posts on behalf of a chat (anonymous admins, linked channels)
cannot be checked and are refused. Only the worker who claimed a case writes, notes,
transfers or closes it; the group's administrators are its supervisors, who may take
over (/takeover REASON), reassign or close a colleague's case, giving a listed reason.

Both ways, text only: a worker's text in a case topic goes to `relay_to_young_person`;
the young person's messages come from `service.subscribe()` and are posted in the
topic. The desk only ever has a `Case` (label, band, language, service, state) and
relayed text: the young person's chat id, name and username are never read or sent
here. Workers appear to the young person under the display name they choose with
/claim or /name; their Telegram name is never read either (`Incoming` has none).

Every process runs a desk; `TopicStore` makes sure one of them posts each update.
The commands are in staff_commands.py and staff_tools.py, the topics' life (made,
renamed, closed, deleted after the grace period) in staff_topics.py. Logs carry no
labels, ids, names or text.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from bot.channels.telegram import staff_texts as st
from bot.channels.telegram import staff_tools
from bot.channels.telegram.incoming import Incoming, split_command
from bot.channels.telegram.sender import Sender
from bot.channels.telegram.staff_commands import case_command
from bot.channels.telegram.staff_topics import CaseTopics
from bot.channels.telegram.transport import TransportError
from bot.errors import StorageError
from bot.services.cases import Actor, CaseError, HandoffService
from bot.storage.cases import Case, CaseUpdate
from bot.storage.redis_topics import TopicStore

__all__ = ["StaffDesk"]

log = logging.getLogger(__name__)

MEMBER_STATUSES = ("creator", "administrator", "member")
SUPERVISORS = ("creator", "administrator")  # a group's admins supervise its cases


class StaffDesk(CaseTopics):
    def __init__(
        self,
        service: HandoffService,
        sender: Sender,
        topics: TopicStore,
        chat_id: int,
        *,
        bot: str = "",
        organisations: frozenset[str] | None = None,
        member_cache: float = 300.0,
        tick: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.service, self.sender, self.topics, self.chat_id = service, sender, topics, chat_id
        self.bot = bot  # update ids are per bot; two bots may share one Redis
        # The organisations whose cases this group answers; None: every organisation.
        self.organisations = organisations
        self.scope = Actor("", organisations)
        self.transport = sender.transport
        self.member_cache, self.tick, self.clock = member_cache, tick, clock
        self._members: dict[int, tuple[str | None, float]] = {}  # status, until
        self.ready = asyncio.Event()  # set once listening for case updates

    # -- what workers do in the staff group -------------------------------------------------
    async def handle(self, update: Incoming) -> None:
        """One update from the staff group (the channel checked the chat id)."""
        if update.kind == "ignored":
            return
        if not update.user_id:
            if update.kind == "command":
                self._post(st.ANONYMOUS, update.thread_id)
            return
        status = await self._status(update.user_id)
        if status is None:
            log.info("staff desk: ignored a message from someone not in the staff group")
            return
        actor = Actor(f"tg:{update.user_id}", self.organisations, status in SUPERVISORS)
        # Marked done only after acting: a kill in between means one more try, not a
        # worker's message lost.
        mark = f"{self.bot}:{update.update_id}"
        if not await self.topics.begin_update(mark):
            return
        try:
            await self._act(update, actor)
        except BaseException:
            await self.topics.abandon_update(mark)
            raise
        await self.topics.finish_update(mark)

    def serves(self, case: Case) -> bool:
        return self.service.visible(case, self.scope)

    def serves_organisation(self, organisation: str | None) -> bool:
        """`organisation` as a case holds it (None: a case stored before routing)."""
        return self.scope.sees(organisation or self.service.config.handoff.desk_organisation)

    async def _act(self, update: Incoming, worker: Actor) -> None:
        thread = update.thread_id
        label = await self.topics.label(thread) if thread is not None else None
        command = split_command(update.text) if update.kind == "command" else None
        try:
            if command is not None:
                await case_command(self, update, worker, label, *command)
            elif label is None:
                return  # staff talking among themselves outside a case topic
            elif update.kind == "other":
                self._post(st.ONLY_TEXT, thread)
            else:
                await self.service.relay_to_young_person(label, worker, update.text)
        except CaseError as exc:
            self._post(st.SEND_FAILED.format(why=exc), thread)

    async def _status(self, user_id: int) -> str | None:
        """The sender's status in the group ("member", "administrator"...); None if they
        are not in it now."""
        now = self.clock()
        cached = self._members.get(user_id)
        if cached is not None and cached[1] > now:
            return cached[0]
        try:
            status, is_member = await self.transport.member_status(self.chat_id, user_id)
            ok = status in MEMBER_STATUSES or (status == "restricted" and is_member)
        except TransportError as exc:
            # Fail closed, and do not remember it: the next message asks again.
            log.warning(
                "staff desk: could not check a sender's membership (%s)", type(exc).__name__
            )
            return None
        if len(self._members) > 10_000:
            self._members.clear()
        self._members[user_id] = (status if ok else None, now + self.member_cache)
        return status if ok else None

    # -- what the service tells every desk -------------------------------------------------
    async def run(self, stop: asyncio.Event) -> None:
        """Listen for case updates and do the periodic work until `stop` is set."""
        tasks = [asyncio.create_task(self._listen(stop)), asyncio.create_task(self._periodic(stop))]
        try:
            await stop.wait()
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _listen(self, stop: asyncio.Event) -> None:
        delay = 0.5
        # Loops watch `stop` as well as cancellation: a library that swallows one
        # CancelledError (seen under load) must not keep the desk running forever.
        while not stop.is_set():
            try:
                async with self.service.subscribe() as updates:
                    self.ready.set()
                    delay = 0.5
                    for case in await self.service.queue(self.scope):  # opened while away
                        await self._topic(case)
                    async for update in updates:
                        await self._guarded(self.on_update(update))
            except StorageError as exc:
                log.warning(
                    "staff desk: case updates unavailable (%s); retrying", type(exc).__name__
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)

    async def _periodic(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self._guarded(self.service.due_for_helplines())
            await self._guarded(self.service.due_for_alert())
            await self._guarded(self._delete_due_topics())
            await asyncio.sleep(self.tick)

    async def _guarded(self, work: Awaitable[object]) -> None:
        try:
            await work
        except Exception as exc:  # one bad update must not stop the desk; type only
            log.error("staff desk: a task failed (%s)", type(exc).__name__)

    async def on_update(self, update: CaseUpdate) -> None:
        case, kind = update.case, update.kind
        if not self.serves(case):
            return  # another organisation's case: another group's, or the web desk's
        # A closed case's keys get the grace period in `_closed`, after their last use.
        tag = f"d:{kind}:{case.rev}:{update.seq}"
        if not await self.topics.first(case.label, tag, self.service.ttl):
            if not case.open:
                await self.topics.expire(case.label, self.service.grace)
            return  # another process posted it
        if kind in ("opened", "urgent", "priority"):
            thread, new = await self._topic(case)
            if kind == "urgent":
                self._post(st.announce(case), None)
            if kind != "opened" and not new and thread is not None:  # an open case moved up
                await self._quietly(self.transport.edit_topic(self.chat_id, thread,
                                                              st.topic_name(case)))  # fmt: skip
                self._post(st.card(case), thread)
        elif kind == "message" and update.seq is not None:
            said = await self.service.transcript(case.label, update.seq)
            if said and said[0].sender == "young_person":
                await self._to_topic(case, st.from_young_person(said[0].text))
        elif kind == "worker_message" and update.seq is not None:
            if not (case.worker or "").startswith("tg:"):  # ours are in the topic already
                said = await self.service.transcript(case.label, update.seq)
                if said:
                    await self._to_topic(case, st.from_worker(said[0].name, case.worker,
                                                              said[0].text))  # fmt: skip
        elif kind == "claimed":
            await self._to_topic(case, st.claimed(case))
        elif kind == "transferred":
            await self._to_topic(case, st.transferred(case))
        elif kind == "no_answer":
            await self._to_topic(case, st.no_answer(case))
        elif kind == "overdue":
            await staff_tools.overdue(self, case)
        elif kind == "closed":
            await self._closed(case)
