"""Who the client is behind the reverse proxy the deployment guide sets up.

Regression: behind a proxy, the login limit keyed on the proxy's address, so five failed
logins by anyone blocked every staff login.
"""

from __future__ import annotations

from bot.web.security import client_address

PROXY = "10.0.0.5"


def test_without_trusted_proxies_the_peer_is_the_client() -> None:
    assert client_address("203.0.113.9", "198.51.100.1", ()) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_forwarded_client_counts() -> None:
    assert client_address(PROXY, "198.51.100.1", (PROXY,)) == "198.51.100.1"


def test_two_clients_behind_one_proxy_are_told_apart() -> None:
    one = client_address(PROXY, "198.51.100.1", ("10.0.0.0/24",))
    two = client_address(PROXY, "198.51.100.2", ("10.0.0.0/24",))
    assert one != two


def test_a_header_from_an_untrusted_peer_is_ignored() -> None:
    assert client_address("203.0.113.9", "127.0.0.1", (PROXY,)) == "203.0.113.9"


def test_a_client_cannot_choose_its_address_by_sending_the_header_itself() -> None:
    # The client wrote "1.2.3.4, "; the proxy appended the real address.
    assert client_address(PROXY, "1.2.3.4, 198.51.100.7", (PROXY,)) == "198.51.100.7"


def test_chained_trusted_proxies_are_skipped() -> None:
    got = client_address(PROXY, "198.51.100.7, 10.0.0.6", ("10.0.0.0/24",))
    assert got == "198.51.100.7"


def test_garbage_in_the_header_falls_back_to_the_peer() -> None:
    for junk in ("", "not an address", "a" * 5000, ",,,", "\x00"):
        assert client_address(PROXY, junk, (PROXY,)) in (PROXY, "-")
