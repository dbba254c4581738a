"""Where a "try it" conversation is now, for the flow studio's diagram to mark.

Sent with every preview turn as ``at``: the flow (its scope and id) and the step the
conversation waits at, or None when it waits nowhere. The chat page passes it on to the
studio's page in the same browser (bot/web/static/chat.js, staff.js); the live chat
never sends it. Ids of the flow files only: nothing a young person typed.
"""

from __future__ import annotations

from bot.services.conversation import ConversationService

__all__ = ["place"]


async def place(service: ConversationService, channel: str, user: str) -> dict[str, str] | None:
    turn = await service.sessions.begin(service.key(channel, user))
    saved = turn.session
    await service.sessions.release(turn)  # only looked: nothing changes
    if not isinstance(saved, dict):
        return None
    found = {name: saved.get(name) for name in ("scope", "flow", "step")}
    if not all(isinstance(value, str) for value in found.values()):
        return None
    return {name: str(value) for name, value in found.items()}
