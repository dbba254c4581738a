"""Token checks shared by the login form, the staff guard, the desk socket and the chat,
and who the client is behind a reverse proxy.

Staff sessions and the login rate limit are stores now (`bot.storage.staff_sessions`,
`bot.storage.login_limits`), so that several web processes can share them through Redis.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import time
from collections.abc import Sequence
from urllib.parse import unquote, urlsplit

__all__ = ["client_address", "same_origin_path", "same_token", "seal", "unseal"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def same_token(expected: str, given: str | None) -> bool:
    """Constant-time comparison that treats a missing token as wrong."""
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(peer: str | None, forwarded_for: str | None, trusted: Sequence[str]) -> str:
    """The client's address: the peer, unless the peer is a trusted proxy; then the
    right-most X-Forwarded-For entry that is not itself a trusted proxy. Entries left of
    that are the client's own word and never believed (anyone can send the header)."""
    networks: list[Network] = [ipaddress.ip_network(t, strict=False) for t in trusted]

    def is_trusted(text: str | None) -> bool:
        found = _address(text or "")
        return found is not None and any(found in net for net in networks)

    if not networks or not is_trusted(peer) or not forwarded_for:
        return peer or "-"
    hops = [hop.strip() for hop in forwarded_for.split(",")][-20:]
    for hop in reversed(hops):
        if not is_trusted(hop):
            return hop if _address(hop) is not None else peer or "-"
    return peer or "-"


def same_origin_path(value: object, default: str = "/dashboard") -> str:
    """`value` when it is a path on this site, else `default`. Browsers drop tabs and
    newlines from a Location and read "\\" as "/", so "/\\t/evil.example" or
    "/\\\\evil.example" would leave the site: anything but printable ASCII is refused, and
    so is whatever urlsplit finds a scheme or a host in."""
    if not isinstance(value, str) or not value.startswith("/") or len(value) > 2000:
        return default
    # "%09" in the path is a tab to some proxies and browsers; the query may hold "%20".
    for text in (value, unquote(value.partition("?")[0])):
        if not all("!" <= ch <= "~" for ch in text) or "\\" in text or text.startswith("//"):
            return default
        parts = urlsplit(text)
        if parts.scheme or parts.netloc:
            return default
    return value


def seal(secret: bytes, purpose: str, value: str, ttl: float, now: float | None = None) -> str:
    """`value` with an expiry and an HMAC over both, for a cookie the server reads back
    (the half-done login, a recent re-authentication): nobody can forge or extend one."""
    until = int((time.time() if now is None else now) + ttl)
    body = f"{value}|{until}"
    return f"{body}|{_mac(secret, purpose, body)}"


def unseal(secret: bytes, purpose: str, sealed: str | None, now: float | None = None) -> str | None:
    """The value inside `sealed` when this server made it for `purpose` and it has not
    expired; else None."""
    if not sealed or len(sealed) > 500 or not sealed.isascii():
        return None
    body, _, mac = sealed.rpartition("|")
    value, _, until = body.rpartition("|")
    if not until.isdigit() or not hmac.compare_digest(_mac(secret, purpose, body), mac):
        return None
    return value if int(until) >= (time.time() if now is None else now) else None


def _mac(secret: bytes, purpose: str, body: str) -> str:
    return hmac.new(secret, f"{purpose}:{body}".encode(), hashlib.sha256).hexdigest()
