"""One Redis connection that many turns share at once: the conversation store's hot path.

Redis answers the commands of one connection in the order they arrive, so a call need not
wait for a free connection: its command is written at once and its reply is the next one
not yet claimed. A young person's turn is two script calls; through redis-py's pool each
call also checked a connection out and in, health-checked it and parsed the reply a line
at a time, which cost more than the script itself (BENCHMARKS.md, issue 16).

Only what the store needs: script calls (EVALSHA, loading the script again after a Redis
restart), DEL and PING, on redis://, rediss:// and unix:// URLs without further options
(`supports()`; the store keeps redis-py's pool for anything else). Failures are redis-py's
exception classes, so `RedisErrors` words them like every other store's.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import ssl
from collections.abc import Sequence
from typing import Any, cast

from redis.asyncio.connection import SSLConnection, UnixDomainSocketConnection, parse_url
from redis.exceptions import (
    AuthenticationError,
    BusyLoadingError,
    NoScriptError,
    RedisError,
    ResponseError,
)
from redis.exceptions import ConnectionError as RedisConnectionError

__all__ = ["PipeClient", "PipeScript", "supports"]

Arg = str | bytes | int | float
_PLAIN = {"host", "port", "db", "username", "password", "path", "connection_class"}
_CRLF = b"\r\n"


class _Incomplete(Exception):
    """The buffer ends inside a reply: wait for more bytes."""


def supports(url: str) -> bool:
    """True when the URL names nothing this client does not do (TLS options, timeouts…)."""
    try:
        options = parse_url(url)
    except ValueError:
        return False
    return set(options) <= _PLAIN


def pack(args: Sequence[Arg]) -> bytes:
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        if isinstance(arg, str):
            data = arg.encode()
        elif isinstance(arg, bytes):
            data = arg
        elif isinstance(arg, int):
            data = b"%d" % arg
        else:
            data = repr(arg).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


def _error(line: bytes) -> RedisError:
    message = line.decode(errors="replace")
    code = message.split(" ", 1)[0]
    if code == "NOSCRIPT":
        return NoScriptError(message)
    if code == "LOADING":
        return BusyLoadingError(message)
    if code in ("NOAUTH", "WRONGPASS"):
        return AuthenticationError(message)
    return ResponseError(message)


def parse(buf: bytes | bytearray, pos: int) -> tuple[Any, int]:
    """One RESP2 reply from `pos`: (value, where the next reply starts). Bulk strings are
    bytes, nil is None, error replies are exception objects (raised by the caller)."""
    end = buf.find(_CRLF, pos)
    if end < 0:
        raise _Incomplete
    kind, line, pos = buf[pos], bytes(buf[pos + 1 : end]), end + 2
    if kind == 36:  # $ bulk string
        size = int(line)
        if size < 0:
            return None, pos
        if len(buf) < pos + size + 2:
            raise _Incomplete
        return bytes(buf[pos : pos + size]), pos + size + 2
    if kind == 58:  # : integer
        return int(line), pos
    if kind == 42:  # * array
        count = int(line)
        if count < 0:
            return None, pos
        items = []
        for _ in range(count):
            item, pos = parse(buf, pos)
            items.append(item)
        return items, pos
    if kind == 43:  # + simple string
        return line, pos
    if kind == 45:  # - error
        return _error(line), pos
    msg = f"unexpected reply from Redis (type byte {kind})"
    raise RedisConnectionError(msg)


class _Protocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.waiting: collections.deque[asyncio.Future[Any]] = collections.deque()
        self.buffer = bytearray()
        self.lost = False
        # Commands of one pass of the event loop leave in one write (one system call).
        self.outgoing: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast("asyncio.Transport", transport)  # a stream connection

    def queue(self, command: bytes) -> None:
        if not self.outgoing:
            asyncio.get_running_loop().call_soon(self.flush)
        self.outgoing.append(command)

    def flush(self) -> None:
        data, self.outgoing = b"".join(self.outgoing), []
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)  # else connection_lost failed the waiting calls

    def data_received(self, data: bytes) -> None:
        buf = self.buffer
        buf += data
        pos = 0
        try:
            while self.waiting and pos < len(buf):
                try:
                    value, pos = parse(buf, pos)
                except _Incomplete:
                    break
                future = self.waiting.popleft()
                if future.done():  # its caller gave up (deadline): the reply is dropped
                    continue
                if isinstance(value, RedisError):
                    future.set_exception(value)
                else:
                    future.set_result(value)
        except (ValueError, RedisConnectionError):
            # A reply we cannot read: nothing after it can be matched any more.
            self.fail(RedisConnectionError("unreadable reply from Redis"))
            if self.transport is not None:
                self.transport.abort()
            return
        del buf[:pos]

    def connection_lost(self, exc: Exception | None) -> None:
        self.fail(RedisConnectionError("Connection closed by server."))

    def fail(self, error: Exception) -> None:
        self.lost = True
        while self.waiting:
            future = self.waiting.popleft()
            if not future.done():
                future.set_exception(error)


class PipeClient:
    """Calls from any number of tasks share one connection, made on first use and made
    again after it is lost. A call on a connection that breaks is tried twice more
    (20 and 40 ms later), as the pool's retry did: that rides over a Redis restart."""

    retries = 2

    def __init__(self, url: str, *, connect_timeout: float = 2.0) -> None:
        if not supports(url):
            msg = "this Redis URL has options only redis-py's pool understands"
            raise ValueError(msg)
        self._options = parse_url(url)
        self._connect_timeout = connect_timeout
        self._protocol: _Protocol | None = None
        self._connecting: asyncio.Lock | None = None

    async def _connected(self) -> _Protocol:
        protocol = self._protocol
        if protocol is not None and not protocol.lost:
            return protocol
        if self._connecting is None:
            self._connecting = asyncio.Lock()
        async with self._connecting:
            protocol = self._protocol
            if protocol is None or protocol.lost:
                protocol = self._protocol = await self._connect()
        return protocol

    async def _connect(self) -> _Protocol:
        options, loop = self._options, asyncio.get_running_loop()
        cls = options.get("connection_class")
        try:
            async with asyncio.timeout(self._connect_timeout):
                if cls is UnixDomainSocketConnection:
                    _, protocol = await loop.create_unix_connection(_Protocol, options["path"])
                else:
                    tls = ssl.create_default_context() if cls is SSLConnection else None
                    host, port = options.get("host", "localhost"), options.get("port", 6379)
                    _, protocol = await loop.create_connection(_Protocol, host, port, ssl=tls)
        except (OSError, TimeoutError) as exc:
            msg = f"Error connecting to Redis: {type(exc).__name__}"
            raise RedisConnectionError(msg) from exc
        try:
            await self._hello(protocol)
        except BaseException:
            if protocol.transport is not None:
                protocol.transport.abort()
            raise
        return protocol

    async def _hello(self, protocol: _Protocol) -> None:
        options = self._options
        hello: list[list[Arg]] = []
        if options.get("password") is not None:
            user = options.get("username")
            hello.append(["AUTH", user, options["password"]] if user else
                         ["AUTH", options["password"]])  # fmt: skip
        if int(options.get("db", 0) or 0):
            hello.append(["SELECT", int(options["db"])])
        for command in hello:  # before any call's command: replies stay in order
            await self._send(protocol, command)

    def _send(self, protocol: _Protocol, args: Sequence[Arg]) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        protocol.waiting.append(future)
        protocol.queue(pack(args))
        return future

    async def execute(self, *args: Arg) -> Any:
        delay = 0.02
        for attempt in range(self.retries + 1):
            protocol = None
            try:
                protocol = await self._connected()
                return await self._send(protocol, args)
            except RedisConnectionError:
                if protocol is not None and protocol.transport is not None:
                    protocol.transport.abort()
                if attempt == self.retries:
                    raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.2)
        raise AssertionError  # pragma: no cover - the loop returns or raises

    def register_script(self, source: str) -> PipeScript:
        return PipeScript(self, source)

    async def delete(self, *keys: str) -> int:
        return int(await self.execute("DEL", *keys))

    async def ping(self) -> bool:
        return bool(await self.execute("PING") == b"PONG")

    async def aclose(self) -> None:
        protocol, self._protocol = self._protocol, None
        if protocol is not None and protocol.transport is not None:
            protocol.transport.close()
            protocol.fail(RedisConnectionError("the client was closed"))


class PipeScript:
    """A Lua script called by its SHA; loaded again when Redis no longer has it."""

    def __init__(self, client: PipeClient, source: str) -> None:
        self.client, self.source = client, source
        self.sha = hashlib.sha1(source.encode()).hexdigest()  # noqa: S324 - Redis's script id

    async def __call__(self, keys: Sequence[Arg] = (), args: Sequence[Arg] = ()) -> Any:
        command: list[Arg] = ["EVALSHA", self.sha, len(keys), *keys, *args]
        try:
            return await self.client.execute(*command)
        except NoScriptError:
            await self.client.execute("SCRIPT", "LOAD", self.source)
            return await self.client.execute(*command)
