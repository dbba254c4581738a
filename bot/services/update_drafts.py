"""Machine drafts of an update's other languages, from a LibreTranslate-compatible service.

Staff words only leave the deployment (what young people said, as staff summed it up, and
what changed): never a young person's own text. The service is one the organisation runs
or trusts (`[updates] translate_url`; `SAFEVOICE_TRANSLATE_API_KEY` if it wants a key).
A draft is kept as "machine draft, needs review": young people see it only after a
person approved it (or edited it and someone else approved it).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import aiohttp

__all__ = ["DraftError", "machine_draft"]

TIMEOUT = aiohttp.ClientTimeout(total=20)


class DraftError(Exception):
    """The service did not give a draft for this language (unreachable, or unsupported)."""


async def machine_draft(
    session: aiohttp.ClientSession, url: str, source: str, target: str, texts: Sequence[str]
) -> list[str]:
    """`texts` from `source` into `target`, in order."""
    body: dict[str, object] = {"q": list(texts), "source": source, "target": target,
                               "format": "text"}  # fmt: skip
    key = os.environ.get("SAFEVOICE_TRANSLATE_API_KEY")
    if key:
        body["api_key"] = key
    try:
        async with session.post(url, json=body, timeout=TIMEOUT) as response:
            if response.status != 200:
                raise DraftError(f"HTTP {response.status}")
            data = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        raise DraftError(type(exc).__name__) from None
    found = data.get("translatedText") if isinstance(data, dict) else None
    if isinstance(found, str):
        found = [found]
    if not isinstance(found, list) or len(found) != len(texts):
        raise DraftError("unexpected answer")
    drafted = [" ".join(str(t).split()) for t in found]
    if not all(drafted):
        raise DraftError("empty draft")
    return drafted
