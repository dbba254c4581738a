"""The worker tools in the Telegram staff group, beside the case commands of staff_commands.py:

- ``/onduty`` and ``/offduty`` (anywhere): say you are on duty, for `[desk] duty_hours`;
- ``/replies`` (in a case topic): the approved replies in the case's language, each
  ready to copy, change and send in the topic;
- ``/closeas OUTCOME [CATEGORY ...]`` (in a case topic): close with the outcome form;
- ``/block HOURS [REASON]`` (in a case topic): block the sender for one of `[desk]
  block_hours`; nobody learns who it is, the young person is told kindly;
- and the alert, in the General topic and the case's, when a case waits too long.

Staff read these in the deployment's source language, like staff_texts.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.channels.telegram import staff_texts as st
from bot.channels.telegram.incoming import Incoming
from bot.services.case_access import REASONS, Actor
from bot.services.staff_time import StaffTime
from bot.storage.cases import Case

if TYPE_CHECKING:
    from bot.channels.telegram.staff_desk import StaffDesk

__all__ = ["HELP", "TOOL_COMMANDS", "overdue", "tool_command"]

TOOL_COMMANDS = ("onduty", "offduty", "replies", "closeas", "block")
HELP = (
    "/onduty, /offduty (anywhere): say when you are on duty.\n"
    "/replies: the approved replies for this case, to copy, change and send here.\n"
    "/closeas OUTCOME [CATEGORY...]: close with the outcome (counted anonymously).\n"
    "/block HOURS: block an abusive sender for a while (you never learn who it is)."
)
OVERDUE = "⏰ {case} has waited more than {minutes} minutes: please answer it in its topic."


async def overdue(desk: StaffDesk, case: Case) -> None:
    """A waiting case passed `answer_within_minutes`: say so in General and the topic."""
    text = OVERDUE.format(
        case=st.describe(case), minutes=desk.service.config.handoff.answer_within_minutes
    )
    desk._post(text, None)
    await desk._to_topic(case, text)


async def tool_command(
    desk: StaffDesk, update: Incoming, worker: Actor, label: str | None, name: str, arg: str
) -> bool:
    """Do `name` if it is one of `TOOL_COMMANDS` (True), else leave it (False)."""
    thread, service = update.thread_id, desk.service
    if name not in TOOL_COMMANDS:
        return False
    if name == "onduty":
        until = await service.start_duty(worker.id)
        clock = StaffTime(service.config).clock(until)
        desk._post(f"🟢 You are on duty until {clock}. /offduty to end it sooner.", thread)
        return True
    if name == "offduty":
        await service.end_duty(worker.id)
        desk._post("⚪ You are off duty. Thank you.", thread)
        return True
    case = await service.get(label, worker) if label is not None else None
    if case is None or not case.open:
        desk._post(st.NOT_A_CASE, thread)
        return True
    if name == "replies":
        desk._post(_replies(desk, case), thread)
    elif name == "closeas":
        words = arg.split()
        outcome = words[0] if words else None
        chosen = await desk.topics.name(update.user_id)
        await service.close_with_outcome(label or "", worker, outcome, words[1:], chosen or None)
    else:
        await _block(desk, worker, label or "", arg, thread)
    return True


def _replies(desk: StaffDesk, case: Case) -> str:
    config = desk.service.config
    choices = desk.service.replies_for(case)
    if not choices:
        return "No approved replies are configured ([desk.replies] in config.toml)."
    lines = [f"Approved replies for {case.label}: copy one, change it as you need, send it here."]
    for reply in choices:
        note = "" if reply.lang == case.language else f" (only in {reply.lang})"
        lines.append(f"\n• {reply.title}{note}:\n{reply.text}")
    outcomes = ", ".join(config.desk.outcomes) or "-"
    categories = ", ".join(config.desk.categories) or "-"
    lines.append(f"\nTo close: /closeas OUTCOME [CATEGORY...]. Outcomes: {outcomes}. "
                 f"Categories: {categories}.")  # fmt: skip
    return "\n".join(lines)


async def _block(desk: StaffDesk, worker: Actor, label: str, arg: str, thread: int | None) -> None:
    words = arg.split()
    allowed = desk.service.config.desk.block_hours
    hours = int(words[0]) if words and words[0].isdigit() and len(words[0]) < 6 else 0
    if hours not in allowed:
        lengths = ", ".join(str(h) for h in allowed)
        desk._post(f"Block for how long? /block HOURS, one of: {lengths}.", thread)
        return
    reason = words[1].lower() if len(words) > 1 and words[1].lower() in REASONS else None
    await desk.service.block(label, worker, hours, reason)
    desk._post(
        f"🚫 The sender of {label} is blocked for {hours} hours. You do not know who they "
        "are, and neither does anyone here. They were told kindly that the chat has ended "
        "for now, with the helplines; a clear danger signal still reaches a worker.",
        thread,
    )
