"""Same-origin redirect paths and the sealed cookies of the half-done login and the
re-authentication (bot/web/security.py)."""

from __future__ import annotations

import pytest

from bot.web.security import same_origin_path, seal, unseal

SECRET = b"s" * 32


@pytest.mark.parametrize(
    "path", ["/dashboard", "/desk/case/K7QX", "/dashboard?service=shelter&period=12",
             "/dashboard?q=a%20b"],
)  # fmt: skip
def test_paths_on_this_site_are_kept(path: str) -> None:
    assert same_origin_path(path) == path


@pytest.mark.parametrize(
    "sneaky", ["//evil.example", "/\t/evil.example/", "/\\evil.example", "\\\\evil.example",
               "https://evil.example/", "javascript:alert(1)", "/%09/evil.example/",
               "/%5Cevil.example", "/%2F/evil.example", "/\u3000/evil.example", "", None, 7,
               "evil.example", "/" + "a" * 3000],
)  # fmt: skip
def test_anything_that_could_leave_the_site_becomes_the_dashboard(sneaky: object) -> None:
    assert same_origin_path(sneaky) == "/dashboard"


def test_a_seal_opens_only_for_its_purpose_its_secret_and_its_time() -> None:
    sealed = seal(SECRET, "login", "ana", 300, now=1000.0)
    assert unseal(SECRET, "login", sealed, now=1200.0) == "ana"
    assert unseal(SECRET, "login", sealed, now=1301.0) is None  # expired
    assert unseal(SECRET, "reauth", sealed, now=1200.0) is None  # another purpose
    assert unseal(b"t" * 32, "login", sealed, now=1200.0) is None  # another server
    value, until, mac = sealed.split("|")
    assert unseal(SECRET, "login", f"bob|{until}|{mac}", now=1200.0) is None
    assert unseal(SECRET, "login", f"{value}|99999999999|{mac}", now=1200.0) is None
    for junk in (None, "", "|", "a|b", "ünï|1|x", "x" * 600):
        assert unseal(SECRET, "login", junk) is None
