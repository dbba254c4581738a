"""One Telegram staff desk per staff group, each serving its organisations' cases.

``[telegram] staff_groups`` gives an organisation its own group; ``staff_chat_id`` takes
every desk organisation without one (all of them when there are no `staff_groups`). A
case goes to the group of the organisation whose desk answers it (`Case.organisation`,
chosen away from the service's own organisation): its topic, its messages, the copies
of what the young person chose to send. Members of one group never see, nor act on,
another group's cases.
"""

from __future__ import annotations

from bot.channels.telegram.sender import Sender
from bot.channels.telegram.staff_desk import StaffDesk
from bot.runtime import Runtime
from bot.storage.cases import Case

__all__ = ["StaffGroups"]


class StaffGroups:
    def __init__(self, runtime: Runtime, sender: Sender, *, bot: str = "") -> None:
        config = runtime.app.config
        self.service = runtime.cases
        main, own = config.telegram.staff_chat_id, config.telegram.staff_groups
        groups: dict[int, frozenset[str] | None] = {}
        for organisation, chat in own.items():
            groups[chat] = (groups.get(chat) or frozenset()) | {organisation}
        if main is not None:
            rest = frozenset(config.desk_organisations) - set(own)
            groups[main] = None if not own else (groups.get(main) or frozenset()) | rest
        self.desks: list[StaffDesk] = []
        topics = runtime.topics
        if topics is None:  # memory only (demo, chat): no Telegram desk
            return
        for chat, organisations in sorted(groups.items(), key=lambda g: g[0] != main):
            store = topics if chat == main else topics.for_group(chat)
            self.desks.append(StaffDesk(runtime.cases, sender, store, chat, bot=bot,
                                        organisations=organisations))  # fmt: skip

    def _desk(self, organisation: str | None) -> StaffDesk | None:
        return next((desk for desk in self.desks if desk.serves_organisation(organisation)),
                    None)  # fmt: skip

    def chat_for(self, organisation: str | None) -> int | None:
        """The staff group that shows a case of `organisation` (None: no group does)."""
        desk = self._desk(organisation)
        return desk.chat_id if desk is not None else None

    async def topic_for(self, case: Case) -> int | None:
        """The case's topic in its group (StaffDesk.topic_for); None: General, or none."""
        desk = self._desk(case.organisation)
        return await desk.topic_for(case) if desk is not None else None
