"""The words a sign-off was given for, kept so the studio can show what changed since.

A sign-off records only fingerprints (bot/flows/signoff.py). Beside `signoffs.toml`,
`signoffs/<fingerprint>.json` keeps what the fingerprint stood for, per step: each text
in the signed-off language, each option and where each answer leads. Written by every
sign-off (the command line and the studio); named by the fingerprint, so the same
content is kept once. Keep the folder with the flows, like `signoffs.toml`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from bot.flows.flow import Flow
from bot.i18n.translator import Translator

__all__ = ["Words", "changes", "keep", "kept", "words"]

FOLDER = "signoffs"
Words = dict[str, dict[str, str]]  # step id -> what (a part, or "leads to") -> the words


def words(flow: Flow, lang: str, translator: Translator) -> Words:
    """Each step of `flow` as a person reading `lang` meets it."""
    found: Words = {}
    for step in flow.steps:
        parts: dict[str, str] = {"type": step.type}
        for part, text in step.texts():
            context = f"{flow.scope}/{flow.id}/{step.id}" + (f"/{part}" if part else "")
            parts[_part_name(part)] = translator.gettext(lang, context, text)
        dumped = step.model_dump(mode="json", exclude_none=True)
        if "next" in dumped:
            parts["leads to"] = _compact(dumped["next"])
        gotos = {o["value"]: o["goto"] for o in dumped.get("options", []) if o.get("goto")}
        if gotos:
            parts["options lead to"] = _compact(gotos)
        found[step.id] = parts
    return found


def _part_name(part: str) -> str:
    if not part:
        return "text"
    return part.replace("point", "point ") if part.startswith("point") else f"option {part}"


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


def _path(flows_dir: Path, content: str) -> Path | None:
    digest = content.removeprefix("sha256:")
    if not re.fullmatch(r"[0-9a-f]{64}", digest):  # a hand-edited signoffs.toml: no paths
        return None
    return flows_dir / FOLDER / f"{digest[:32]}.json"


def keep(flows_dir: Path, content: str, signed: Words) -> None:
    path = _path(flows_dir, content)
    if path is None:
        return
    path.parent.mkdir(exist_ok=True)
    text = json.dumps(signed, ensure_ascii=False, indent=1, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")


def kept(flows_dir: Path, content: str) -> Words | None:
    """The words of a sign-off; None when they were not kept (an older sign-off)."""
    path = _path(flows_dir, content)
    if path is None:
        return None
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


def changes(before: Words, now: Words) -> list[tuple[str, str, str | None, str | None]]:
    """(step, what, signed-off words, current words) for everything that differs, in
    the current order of steps (removed steps last)."""
    found = []
    for step in [*now, *(s for s in before if s not in now)]:
        old, new = before.get(step, {}), now.get(step, {})
        for part in [*new, *(p for p in old if p not in new)]:
            if old.get(part) != new.get(part):
                found.append((step, part, old.get(part), new.get(part)))
    return found
