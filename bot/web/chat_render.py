"""What the web chat page is sent: engine events rendered to plain JSON, and the chrome.

One shape everywhere (a turn, a resume, a mailbox delivery): ``messages`` to show, in
order, each with its own language and direction; ``lang``, ``dir`` and ``ui`` for the
page. Turns and resumes add ``ask``, the question the conversation waits at (or null),
and ``case``, whether a case is open; the page shows a text box whenever one is.
The page builds every element with textContent: nothing here is ever parsed as HTML.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.app import App
from bot.engine.events import Event, Say

__all__ = ["UI", "asked", "render", "render_messages", "say_json", "ui"]

# The chrome of the page, in the young person's language when the catalogs have it.
UI = {
    "leave": "Leave quickly",
    "send": "Send",
    "answer": "Your answer",
    "menu": "Menu",
    "person": "Talk to a person",
    "language": "Language",
    "privacy": "Privacy",
    "forget": "Delete my data",
    "stop": "Stop",
    "preview": "Preview: answers are not saved.",
    "conversation": "Conversation",
    "noscript": "This chat needs JavaScript, from this site only.",
}


def ui(app: App, lang: str) -> dict[str, str]:
    return {key: app.translator.system(lang, text) for key, text in UI.items()}


def say_json(say: Say) -> dict[str, Any]:
    return {
        "text": say.text,
        "lang": say.lang,
        "dir": "rtl" if say.rtl else "ltr",
        "step": say.step,
        "input": say.input,
        "options": [{"value": o.value, "label": o.label} for o in say.options],
        "skip": {"value": say.skip.value, "label": say.skip.label} if say.skip else None,
        "done": {"value": say.done.value, "label": say.done.label} if say.done else None,
        "selected": list(say.selected),
    }


def asked(messages: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """The last message that waits for an answer: the question now on screen."""
    found = None
    for message in messages:
        if message.get("input") != "none":
            found = message
    return found


def render_messages(
    app: App, messages: list[dict[str, Any]], deleted: bool, lang: str | None = None
) -> dict[str, Any]:
    if messages:
        lang = messages[-1]["lang"]
    if lang not in app.config.languages.shipped:
        lang = app.config.languages.source
    return {
        "messages": messages,
        "lang": lang,
        "dir": "rtl" if app.config.is_rtl(lang) else "ltr",
        "ui": ui(app, lang),
        "deleted": deleted,
    }


def render(
    app: App, events: Iterable[Event], deleted: bool = False, lang: str | None = None
) -> dict[str, Any]:
    messages = [say_json(event) for event in events if isinstance(event, Say)]
    return render_messages(app, messages, deleted, lang)
