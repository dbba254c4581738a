"""What the staff desk posts in the staff group: topic names, case cards, notices.

Staff read these in the source language of the deployment; the young person never does.
Every sentence is built from `Case` fields (label, band, language, service, state) and
the workers' chosen display names only: nothing here can name the young person.
"""

from __future__ import annotations

from bot.storage.cases import Case

URGENT = "🚨 URGENT"
PRIORITY = "⚠️ PRIORITY"
CLOSED = "✅"
MAX_TOPIC_NAME = 128  # Telegram's limit for a forum topic's name

HELP = (
    "How to answer a case (in its topic):\n"
    "/claim Ana: answer it; the young person sees only the name you give (never your "
    "Telegram name). /name Ana once sets it for every /claim.\n"
    "Anything you write in the topic then goes to the young person, as text only.\n"
    "/note text: an internal note, never sent to the young person.\n"
    "{transfer}\n"
    "/close: end it; the young person may rate the conversation (anonymously).\n"
    "Only the worker who claimed a case writes, notes, transfers or closes it. Group "
    "admins (supervisors) may act on a colleague's case, giving a reason (away, "
    "safeguarding, conduct, workload, ended): /takeover away, /close ended, "
    "/transfer {example} workload. The young person is told the name you set with /name.\n"
    "/queue (anywhere): the open cases."
)
ONLY_TEXT = "Only text is relayed to the young person: this was not sent. Please write it."
NOT_A_CASE = "This topic is not a live case (closed, or it expired). Nothing was sent."
NEED_NAME = (
    "Choose the name the young person will see, e.g. /claim Ana (or /name Ana, then "
    "/claim). Your Telegram name is never shown to them."
)
NAME_SET = "Saved: you will answer as “{name}”. Use /claim in a case topic."
NOTE_KEPT = "📝 Note kept for staff only (never sent to the young person)."
NOTE_EMPTY = "Write the note after the command: /note text"
# The transfer targets offered: only desks that would show the case (desk_reach.py).
_TRANSFERS = {
    "web": ("/transfer web", "to the web desk"),
    "telegram": ("/transfer telegram", "back to this group's queue"),
}
UNKNOWN = "Unknown command here. /help lists what you can do."
ANONYMOUS = (
    "Please write as yourself, not anonymously or as the group: only a known member of "
    "this group can act on a case."
)
QUEUE_EMPTY = "No open cases."
SEND_FAILED = "Not sent: {why}"


def help_text(desks: tuple[str, ...]) -> str:
    """/help, offering only the desks that would show this group's cases."""
    to = ", ".join(["/transfer @worker", *(_TRANSFERS[d][0] for d in desks if d != "telegram")])
    where = " or ".join(["to a colleague", *(_TRANSFERS[d][1] for d in desks if d != "telegram")])
    example = "web" if "web" in desks else "@worker"
    return HELP.format(transfer=f"{to}: hand it {where}.", example=example)


def transfer_how(desks: tuple[str, ...]) -> str:
    """A /transfer without a valid target: the targets that would show the case."""
    targets = ["/transfer @worker", *(_TRANSFERS[d][0] for d in desks)]
    return "Transfer to whom? " + ", ".join(targets[:-1]) + " or " + targets[-1]


def describe(case: Case) -> str:
    """'#K7QX · 13-15 · ro · shelter': what staff may know, nothing more."""
    return " · ".join([case.label, case.age_band or "band ?", case.language,
                       case.service or "no service"])  # fmt: skip


def topic_name(case: Case) -> str:
    name = describe(case)
    if not case.open:
        name = f"{CLOSED} {name}"
    elif case.urgent:
        name = f"{URGENT} {name}"
    elif case.priority:
        name = f"{PRIORITY} {name}"
    return name[:MAX_TOPIC_NAME]


def card(case: Case) -> str:
    """The first message in a case's topic."""
    if case.urgent:
        head = f"{URGENT}: someone may be in danger. "
    elif case.priority:
        head = f"{PRIORITY}: please answer before ordinary cases. "
    else:
        head = ""
    return (
        f"{head}New case {describe(case)} (reason: {case.reason}).\n"
        "The young person is anonymous: you see this label, their age band, language and "
        "service, and what they write. Do not ask for their name, address or number.\n"
        "/claim YourName to answer. /help for all commands."
    )


def announce(case: Case) -> str:
    """The General topic's line for an urgent case."""
    return f"{URGENT} case {describe(case)}: please answer now in its topic."


def desk_of(worker: str | None) -> str:
    return "web desk" if (worker or "").startswith("web:") else "Telegram"


def claimed(case: Case) -> str:
    return (
        f"Answered by “{case.worker_name}” ({desk_of(case.worker)}). "
        f"The young person was told “{case.worker_name}” is here now."
    )


def transferred(case: Case) -> str:
    if case.offered_to:
        who = case.offered_to.removeprefix("tg:")
        return f"Transferred to {who}: waiting to be claimed (/claim YourName)."
    where = "the web desk" if case.desk == "web" else "the Telegram desk"
    return f"Transferred to {where}: waiting to be claimed."


def no_answer(case: Case) -> str:
    return (
        "Nobody answered in time: the young person was given the helplines. "
        "The case still waits (/claim YourName)."
    )


def closed(case: Case) -> str:
    by = {
        "worker": f"by “{case.worker_name}”" if case.worker_name else "by a worker",
        "young_person": "by the young person (/stop)",
        "deleted": "by the young person, who deleted their data; this topic goes now",
    }.get(case.closed_by or "", "")
    return f"{CLOSED} Closed {by}. Relayed messages are deleted after the grace period."


def from_young_person(text: str) -> str:
    return f"💬 Young person: {text}"


# What the young person chose to send, as staff read it above the copy (never its content).
MEDIA_KINDS = {
    "photo": "a photo", "voice": "a voice message", "video": "a video",
    "video_note": "a video message", "document": "a file", "location": "a location",
    "audio": "an audio file",
}  # fmt: skip


def media_sent(kind: str) -> str:
    what = MEDIA_KINDS.get(kind, "something")
    return (
        f"📎 The young person sent {what} (below), after confirming that you will see it. "
        "Telegram copied it here; SafeVoice did not download or keep it. Please do not save "
        "or share it."
    )


def from_worker(name: str | None, worker: str | None, text: str) -> str:
    return f"{name or 'Worker'} ({desk_of(worker)}): {text}"


def marker(case: Case) -> str:
    """How soon a case needs an answer, as staff see it first: urgent, priority or none."""
    return URGENT if case.urgent else PRIORITY if case.priority else ""


def queue_line(case: Case) -> str:
    state = f"answered by “{case.worker_name}”" if case.status == "claimed" else "waiting"
    mark = marker(case)
    return f"{mark + ' ' if mark else ''}{describe(case)}: {state}"
