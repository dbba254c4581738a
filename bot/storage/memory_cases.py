"""In-process CaseStore and CaseHub, for ``safevoice demo`` and tests that say so.

Cases and mappings pass through JSON like in Redis (STYLE point 5), and every entry
expires on an injectable clock, so tests move time instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from bot.storage.cases import (
    Case,
    CaseHub,
    CaseStore,
    CaseUpdate,
    LabelTakenError,
    Log,
    Mapping,
)

__all__ = ["MemoryCaseHub", "MemoryCaseStore"]


class MemoryCaseStore(CaseStore):
    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        # Every entry is (value, expires at); keys mirror the Redis layout.
        self._cases: dict[str, tuple[str, float]] = {}
        self._mappings: dict[str, tuple[str, float]] = {}
        self._index: dict[str, tuple[str, float]] = {}  # session key -> label
        self._logs: dict[tuple[str, Log], tuple[list[str], float]] = {}
        self._tokens: dict[str, tuple[str, float]] = {}

    def _live(self, table: dict[Any, tuple[Any, float]], key: Any) -> Any:
        found = table.get(key)
        if found is None:
            return None
        if self._clock() >= found[1]:
            del table[key]
            return None
        return found[0]

    async def open(self, case: Case, mapping: Mapping, ttl: float) -> tuple[Case, bool]:
        label = self._live(self._index, mapping.key)
        existing = self._live(self._cases, label) if label else None
        if existing is not None:
            return Case.decode(existing), False
        if self._live(self._cases, case.label) is not None:
            msg = "that label is in use"
            raise LabelTakenError(msg)
        until = self._clock() + ttl
        self._cases[case.label] = (case.encode(), until)
        self._mappings[case.label] = (mapping.encode(), until)
        self._index[mapping.key] = (case.label, until)
        return case, True

    async def get(self, label: str) -> Case | None:
        raw = self._live(self._cases, label)
        return Case.decode(raw) if raw is not None else None

    async def find(self, key: str) -> Case | None:
        label = self._live(self._index, key)
        return await self.get(label) if label else None

    async def mapping(self, label: str) -> Mapping | None:
        raw = self._live(self._mappings, label)
        return Mapping.decode(raw) if raw is not None else None

    async def replace(self, case: Case, ttl: float) -> bool:
        stored = await self.get(case.label)
        if stored is None or stored.rev != case.rev - 1:
            return False
        until = self._clock() + ttl
        self._cases[case.label] = (case.encode(), until)
        mapping = await self.mapping(case.label)
        if mapping is not None:
            self._mappings[case.label] = (mapping.encode(), until)
            if not case.open:
                self._index.pop(mapping.key, None)
            elif self._live(self._index, mapping.key) == case.label:
                self._index[mapping.key] = (case.label, until)
        for log in ("messages", "notes"):
            entries = self._live(self._logs, (case.label, log))
            if entries is not None:
                self._logs[(case.label, log)] = (entries, until)
        return True

    async def open_cases(self) -> list[Case]:
        cases = [await self.get(label) for label in list(self._cases)]
        return sorted((c for c in cases if c is not None and c.open), key=lambda c: c.sort_key)

    async def append(self, label: str, log: Log, item: dict[str, Any]) -> int | None:
        found = self._cases.get(label)
        if found is None or self._live(self._cases, label) is None:
            return None
        entries = self._live(self._logs, (label, log)) or []
        entries.append(json.dumps(item, ensure_ascii=False))
        self._logs[(label, log)] = (entries, found[1])
        return len(entries) - 1

    async def read(self, label: str, log: Log, start: int = 0) -> list[dict[str, Any]]:
        entries = self._live(self._logs, (label, log)) or []
        return [json.loads(entry) for entry in entries[max(start, 0) :]]

    async def purge(self, label: str) -> None:
        mapping = await self.mapping(label)
        if mapping is not None and self._live(self._index, mapping.key) == label:
            del self._index[mapping.key]
        for table in (self._cases, self._mappings):
            table.pop(label, None)
        for log in ("messages", "notes"):
            self._logs.pop((label, log), None)

    async def put_token(self, token: str, data: dict[str, str], ttl: float) -> None:
        self._tokens[token] = (json.dumps(data), self._clock() + ttl)

    async def take_token(self, token: str) -> dict[str, str] | None:
        raw = self._live(self._tokens, token)
        self._tokens.pop(token, None)
        return json.loads(raw) if raw is not None else None

    async def close(self) -> None:
        for table in (self._cases, self._mappings, self._index, self._logs, self._tokens):
            table.clear()

    def __len__(self) -> int:
        """Live entries of every kind: tests use it to see that nothing is left behind."""
        tables: list[dict[Any, tuple[Any, float]]] = [
            self._cases, self._mappings, self._index, self._logs, self._tokens,
        ]  # fmt: skip
        return sum(1 for t in tables for key in list(t) if self._live(t, key) is not None)

    def snapshot(self) -> dict[str, str]:
        """Every live entry by its Redis-style name ("c:#K7QX", "cmap:#K7QX", ...), as text:
        for tests that look for what must not be there."""
        tables: dict[str, dict[Any, tuple[Any, float]]] = {
            "c": self._cases, "cmap": self._mappings, "ck": self._index,
            "log": self._logs, "tok": self._tokens,
        }  # fmt: skip
        out = {}
        for prefix, table in tables.items():
            for key in list(table):
                value = self._live(table, key)
                if value is not None:
                    out[f"{prefix}:{key}"] = str(value)
        return out


class MemoryCaseHub(CaseHub):
    """In-process fan-out: one unbounded queue per subscriber."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[CaseUpdate]] = set()

    async def publish(self, update: CaseUpdate) -> None:
        # Through JSON, like Redis: a subscriber gets exactly what travels between processes.
        copy = CaseUpdate.decode(update.encode())
        for queue in self._queues:
            queue.put_nowait(copy)

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[CaseUpdate]]:
        queue: asyncio.Queue[CaseUpdate] = asyncio.Queue()
        self._queues.add(queue)

        async def updates() -> AsyncIterator[CaseUpdate]:
            while True:
                yield await queue.get()

        try:
            yield updates()
        finally:
            self._queues.discard(queue)
