"""Redis failures as StorageError, in words a person can act on, for every Redis store."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from urllib.parse import urlsplit

from redis import exceptions as redis_errors
from redis.asyncio import Redis

from bot.errors import StorageError


class RedisErrors:
    """`with errors():` turns redis-py's errors into StorageError naming the store."""

    def __init__(self, url: str, store: str) -> None:
        parts = urlsplit(url)
        # Never the full URL: it may carry a password.
        self.where = f"{parts.hostname or 'localhost'}:{parts.port or 6379}"
        self.store = store

    @classmethod
    def of_client(cls, client: Redis, store: str) -> RedisErrors:
        """For a store handed a client rather than a URL: name where its pool connects."""
        options = client.connection_pool.connection_kwargs
        host, port = options.get("host", "localhost"), options.get("port", 6379)
        return cls(f"redis://{host}:{port}", store)

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        try:
            yield
        except (redis_errors.ConnectionError, redis_errors.TimeoutError, OSError) as exc:
            msg = f"cannot reach {self.store} (Redis at {self.where})"
            raise StorageError(msg) from exc
        except redis_errors.RedisError as exc:
            # The class name only: server messages may quote data.
            msg = f"{self.store} (Redis at {self.where}) refused: {type(exc).__name__}"
            raise StorageError(msg) from exc
