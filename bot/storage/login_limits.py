"""The login rate limit: failed logins per key (account name, client address) in a sliding
window; the interface and the memory store (`redis_staff.RedisLoginLimits` is the shared one).

Successful logins do not clear a client address's failures, so an attacker who owns one
account cannot use it to reset the count while guessing another's password: the caller
passes only the account's key to `succeeded`.
"""

from __future__ import annotations

import abc
import time
from collections.abc import Callable

__all__ = ["DEFAULT_MAX_FAILURES", "DEFAULT_WINDOW", "LoginLimits", "MemoryLoginLimits"]

DEFAULT_MAX_FAILURES = 5
DEFAULT_WINDOW = 15 * 60.0
MAX_KEYS = 10_000  # memory: past this many keys, forget the ones with no recent failure


class LoginLimits(abc.ABC):
    max_failures: int
    window: float

    @abc.abstractmethod
    async def blocked(self, *keys: str) -> bool:
        """True when any key had `max_failures` failures within the window."""

    @abc.abstractmethod
    async def failed(self, *keys: str) -> None:
        """Count one failed login against every key."""

    @abc.abstractmethod
    async def succeeded(self, key: str) -> None:
        """Forget one key's failures."""


class MemoryLoginLimits(LoginLimits):
    def __init__(
        self,
        *,
        max_failures: int = DEFAULT_MAX_FAILURES,
        window: float = DEFAULT_WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures, self.window, self.clock = max_failures, window, clock
        self._failures: dict[str, list[float]] = {}

    async def blocked(self, *keys: str) -> bool:
        return any(len(self._recent(key)) >= self.max_failures for key in keys)

    async def failed(self, *keys: str) -> None:
        now = self.clock()
        for key in keys:
            # Only the newest `max_failures` matter for `blocked`: a flood stays bounded.
            self._failures[key] = [*self._failures.get(key, []), now][-self.max_failures :]
        if len(self._failures) > MAX_KEYS:  # a flood of names must not grow memory forever
            for key in [k for k in self._failures if not self._recent(k)]:
                del self._failures[key]

    async def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)

    def _recent(self, key: str) -> list[float]:
        cutoff = self.clock() - self.window
        recent = [at for at in self._failures.get(key, []) if at > cutoff]
        if recent:
            self._failures[key] = recent
        else:
            self._failures.pop(key, None)
        return recent

    def __len__(self) -> int:
        return len(self._failures)
