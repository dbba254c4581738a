"""The flows "try it" and the flow studio show: the files on disk, read again when they change.

An advisory group edits a flow file and tries it at once, with no restart. Only the
preview's engine is swapped: the live conversation keeps the flows it was started with
(checked and signed off). An edit the checker refuses leaves the last good flows in the
preview, and `problems` says, in the checker's own words, what to fix.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from bot.app import App
from bot.engine.runner import Engine
from bot.errors import SafeVoiceError
from bot.flows.flow import FlowSet
from bot.flows.loader import load_flows
from bot.flows.validate import validate
from bot.i18n.translator import Translator
from bot.services.conversation import ConversationService

__all__ = ["PREVIEW", "PreviewFlows", "preview_flows"]

Stamp = tuple[tuple[str, int], ...]


@dataclass
class PreviewFlows:
    app: App
    service: ConversationService  # the preview's; never the live one
    problems: tuple[str, ...] = ()
    _stamp: Stamp | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._stamp = self._now()  # what the process started with

    @property
    def flows(self) -> FlowSet:
        return self.service.engine.flows

    def _roots(self) -> tuple[Path, Path]:
        config, base = self.app.config, self.app.base
        return base / config.flows_dir, base / config.locales_dir

    def _now(self) -> Stamp:
        flows_dir, locales_dir = self._roots()
        files = [*flows_dir.rglob("*.yaml"), *locales_dir.rglob("*.po")]
        found = []
        for path in sorted(files):
            try:
                found.append((str(path), path.stat().st_mtime_ns))
            except OSError:  # removed while we looked: the next look sees it gone
                continue
        return tuple(found)

    def refresh(self) -> tuple[str, ...]:
        """Reload when a flow file or catalog changed since the last look (blocking: run it
        in a thread); returns the checker's errors of the files as they are now."""
        with self._lock:
            stamp = self._now()
            if stamp == self._stamp:
                return self.problems
            self._stamp = stamp
            self._reload()
            return self.problems

    def _reload(self) -> None:
        config = self.app.config
        flows_dir, locales_dir = self._roots()
        try:
            flows, problems = load_flows(flows_dir)
            languages = config.languages
            translator = Translator.load(locales_dir, languages.shipped, languages.source)
            problems += validate(flows, config, translator)
        except SafeVoiceError as exc:  # a catalog that cannot be read at all
            self.problems = (str(exc),)
            return
        errors = tuple(str(p) for p in problems if p.severity == "error")
        if not list(flows):
            errors = (*errors, f"there are no flows in {flows_dir}")
        self.problems = errors
        if errors:
            return  # the last good flows stay in the preview
        live = self.service.engine
        self.service.engine = Engine(
            flows, config, translator, detect=live.detect, danger=live.danger
        )


PREVIEW: web.AppKey[PreviewFlows] = web.AppKey("sv_preview_flows", PreviewFlows)


def preview_flows(request: web.Request) -> PreviewFlows:
    return request.app[PREVIEW]
