"""Which desk can receive a case, so a transfer never sends one where nobody will see it.

- "telegram": a staff group takes the case's organisation: its own group in
  `[telegram] staff_groups`, or `staff_chat_id`, which takes every organisation
  without one (bot/channels/telegram/staff_groups.py).
- "web": a web desk is served, by this very process (`serve`, `demo`, tests) or at
  `[web] public_url` (all a `safevoice run` process knows of a `serve` elsewhere).

The same rules as `safevoice check` (bot/services/readiness.py). Pure: config in.
"""

from __future__ import annotations

from bot.config import Config

__all__ = ["DESK_NAMES", "receiving_desks", "unreachable", "web_served"]

DESK_NAMES = {"web": "the web desk", "telegram": "the Telegram staff group"}


def web_served(config: Config, *, web_here: bool) -> bool:
    """Whether a web desk shows cases: this process serves one, or `public_url` says
    another does."""
    return web_here or config.web.public_url is not None


def receiving_desks(config: Config, organisation: str, *, web_here: bool) -> tuple[str, ...]:
    """The desks (of "web", "telegram") that show a case of `organisation`."""
    telegram = config.telegram
    found = []
    if web_served(config, web_here=web_here):
        found.append("web")
    if organisation in telegram.staff_groups or telegram.staff_chat_id is not None:
        found.append("telegram")
    return tuple(found)


def unreachable(desk: str) -> str:
    """The kind refusal for a transfer to a desk that would not show the case (a stale
    button or command from before the config changed)."""
    where = DESK_NAMES.get(desk, "that desk")
    return (
        f"nobody would see this case on {where}: it is not set up for this case's "
        "organisation. It stays where it is; hand it to a colleague or another desk."
    )
