"""A stand-in for a LibreTranslate server on 127.0.0.1 (`POST /translate`): Romanian from a
small phrase book, other languages tagged "[lang] ...", Tigrinya refused as unsupported
(as a real server answers for a language it has no model for). It keeps what it was
asked, so a test can see that only staff words went out."""

from __future__ import annotations

from typing import Any

from aiohttp import web

PHRASES = {
    "Half of you did not feel safe at night.": (
        "Jumătate dintre voi nu v-ați simțit în siguranță noapte."
    ),
    "Someone is awake every night now.": "Acum cineva este treaz în fiecare noapte.",
}


class FakeTranslate:
    def __init__(self) -> None:
        self.asked: list[dict[str, Any]] = []
        self.app = web.Application()
        self.app.router.add_post("/translate", self.translate)

    async def translate(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.asked.append(body)
        target, texts = body["target"], body["q"]
        if target == "ti":
            return web.json_response({"error": "ti is not supported"}, status=400)
        if target == "ro":
            return web.json_response({"translatedText": [PHRASES.get(t, t) for t in texts]})
        return web.json_response({"translatedText": [f"[{target}] {t}" for t in texts]})
