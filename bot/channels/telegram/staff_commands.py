"""The case commands in the Telegram staff group, beside the worker tools of
staff_tools.py: /claim, /note, /transfer, /takeover and /close in a case's topic, and
/help, /name and /queue anywhere. `StaffDesk` (staff_desk.py) checks who is asking
first; the service checks what they may do, and its `CaseError` is posted as "Not sent".

A transfer offers only the desks that would show the case (bot/services/desk_reach.py).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.channels.telegram import staff_texts as st
from bot.channels.telegram import staff_tools
from bot.channels.telegram.incoming import Incoming
from bot.services.case_access import REASONS, Actor
from bot.services.desk_reach import web_served

if TYPE_CHECKING:
    from bot.channels.telegram.staff_desk import StaffDesk

__all__ = ["case_command"]

_USERNAME = re.compile(r"^@[A-Za-z0-9_]{4,32}$")
_CASE_COMMANDS = ("claim", "note", "transfer", "close", "takeover")


async def case_command(
    desk: StaffDesk, update: Incoming, worker: Actor, label: str | None, name: str, arg: str
) -> None:
    """Do the command `name` (with its `arg`) from `worker`, in the topic of `label`."""
    thread, service = update.thread_id, desk.service
    if await staff_tools.tool_command(desk, update, worker, label, name, arg):
        return  # on duty, approved replies, the outcome form, blocking
    if name in ("help", "start"):
        web = web_served(service.config, web_here=service.web_here)
        desks: tuple[str, ...] = ("web", "telegram") if web else ("telegram",)
        desk._post(f"{st.help_text(desks)}\n{staff_tools.HELP}", thread)
    elif name == "name":
        await _set_name(desk, update.user_id, arg, thread)
    elif name == "queue":
        cases = await service.queue(desk.scope)
        desk._post("\n".join(map(st.queue_line, cases)) or st.QUEUE_EMPTY, thread)
    elif name not in _CASE_COMMANDS:
        desk._post(st.UNKNOWN, thread)
    elif label is None:
        desk._post(st.NOT_A_CASE, thread)
    elif name == "claim":
        chosen = " ".join(arg.split()) or await desk.topics.name(update.user_id)
        if not chosen:
            desk._post(st.NEED_NAME, thread)
            return
        await service.claim(label, worker, chosen)
        if arg:
            await desk.topics.set_name(update.user_id, chosen)
    elif name == "note":
        if not arg:
            desk._post(st.NOTE_EMPTY, thread)
            return
        await service.note(label, worker, arg)
        desk._post(st.NOTE_KEPT, thread)
    elif name == "transfer":
        target = _transfer_target(arg)
        if target is None:
            case = await service.get(label, worker)
            reach = service.receiving_desks(case) if case else ("telegram",)
            desk._post(st.transfer_how(reach), thread)
            return
        await service.transfer(label, worker, target, _reason(arg.split()[1:]))
    elif name == "takeover":
        chosen = await desk.topics.name(update.user_id)
        if not chosen:
            desk._post(st.NEED_NAME, thread)
            return
        await service.take_over(label, worker, chosen, _reason(arg.split()))
    else:  # the young person is told who ended it: the claimer, or this worker
        chosen = await desk.topics.name(update.user_id)
        await service.close(label, worker, chosen, _reason(arg.split()))


async def _set_name(desk: StaffDesk, user_id: int, arg: str, thread: int | None) -> None:
    chosen = " ".join(arg.split())
    if not 0 < len(chosen) <= 40:
        desk._post(st.NEED_NAME, thread)
        return
    await desk.topics.set_name(user_id, chosen)
    desk._post(st.NAME_SET.format(name=chosen), thread)


def _reason(words: list[str]) -> str | None:
    """A supervisor's reason: the first word, if it is one of `REASONS`."""
    word = words[0].lower() if words else ""
    return word if word in REASONS else None


def _transfer_target(arg: str) -> str | None:
    word = arg.strip().split()[0].lower() if arg.strip() else ""
    if word in ("web", "dashboard"):
        return "desk:web"
    if word in ("telegram", "tg", "group"):
        return "desk:telegram"
    raw = arg.strip().split()[0] if arg.strip() else ""
    return f"tg:{raw}" if _USERNAME.match(raw) else None
