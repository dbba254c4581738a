"""Token checks shared by the login form, the staff guard, the desk socket and the chat,
and who the client is behind a reverse proxy.

Staff sessions and the login rate limit are stores now (`bot.storage.staff_sessions`,
`bot.storage.login_limits`), so that several web processes can share them through Redis.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Sequence

__all__ = ["client_address", "same_token"]

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
