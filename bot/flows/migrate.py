"""Flow files carry `spec_version`; older files are upgraded here, step by step.

Each entry in MIGRATIONS turns a file of version N into version N+1, so a flow written
years ago still loads. The upgrade happens in memory; `safevoice flows migrate` (later)
can write it back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.flows.model import SPEC_VERSION

Raw = dict[str, Any]
MIGRATIONS: dict[int, Callable[[Raw], Raw]] = {}


def migrate(raw: Raw) -> tuple[Raw, tuple[str, str] | None]:
    """The flow at the current spec version, or a (message, fix) saying why it cannot be."""
    version = raw.get("spec_version")
    if not isinstance(version, int) or isinstance(version, bool):
        return raw, (
            "`spec_version` is missing or not a number.",
            f"Add `spec_version: {SPEC_VERSION}` at the top of the file.",
        )
    if version > SPEC_VERSION:
        return raw, (
            f"this flow was written for a newer SafeVoice (spec_version {version}); "
            f"this one reads up to {SPEC_VERSION}.",
            "Update SafeVoice, or ask whoever wrote the flow for an older version.",
        )
    while version < SPEC_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            return raw, (
                f"spec_version {version} is too old to read.",
                f"Use spec_version {SPEC_VERSION}.",
            )
        raw = step(dict(raw))
        version += 1
        raw["spec_version"] = version
    return raw, None
