"""`safevoice users`: a typed password (checked like every password), removing a lost
authenticator, and the list saying who has one."""

from __future__ import annotations

import asyncio
import getpass
from pathlib import Path

import pyotp
import pytest

from bot.app import load_app
from bot.cli import main
from bot.runtime import build_runtime, open_database
from tests.fixtures.keys import TEST_SECRET

CONFIG = str(Path(__file__).resolve().parents[2] / "config.toml")
GOOD = "copper-meadow-lantern-9"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redis_url: str) -> str:
    url = f"sqlite:///{tmp_path}/feedback.db"
    monkeypatch.setenv("SAFEVOICE_DATABASE_URL", url)
    monkeypatch.setenv("SAFEVOICE_REDIS_URL", redis_url)  # the test's own Redis
    monkeypatch.setenv("SAFEVOICE_SECRET_KEY", TEST_SECRET.decode())  # as `serve` has it
    assert main(["--config", CONFIG, "users", "add", "ana", "--role", "supervisor",
                 "--scope", "shelter"]) == 0  # fmt: skip
    return url


def _typing(monkeypatch: pytest.MonkeyPatch, *answers: str) -> None:
    replies = iter(answers)
    monkeypatch.setattr(getpass, "getpass", lambda _prompt="": next(replies))


def test_a_typed_password_is_checked_and_set(
    database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _typing(monkeypatch, "password1234", "password1234")
    assert main(["--config", CONFIG, "users", "password", "ana"]) == 2
    assert "breached" in capsys.readouterr().out
    _typing(monkeypatch, GOOD, GOOD + "x")
    assert main(["--config", CONFIG, "users", "password", "ana"]) == 2
    assert "not the same" in capsys.readouterr().out
    _typing(monkeypatch, GOOD, GOOD)
    assert main(["--config", CONFIG, "users", "password", "ana"]) == 0
    with open_database(CONFIG, url=database) as opened:
        assert opened.accounts.verify("ana", GOOD) is not None
        assert [e.action for e in opened.store.audit_entries(1)] == ["user-password"]
    assert GOOD not in capsys.readouterr().out


def test_reset_mfa_removes_a_lost_authenticator(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_database(CONFIG, url=database) as opened:
        second = opened.accounts.second_factor
        secret = second.begin("ana")
        assert second.confirm("ana", pyotp.TOTP(secret).now())
    capsys.readouterr()
    assert main(["--config", CONFIG, "users", "list"]) == 0
    assert capsys.readouterr().out.split("\n")[0].endswith("\tapp")
    assert main(["--config", CONFIG, "users", "reset-mfa", "ana"]) == 0
    assert main(["--config", CONFIG, "users", "list"]) == 0
    assert capsys.readouterr().out.strip().split("\n")[-1].endswith("\tpassword")
    assert main(["--config", CONFIG, "users", "reset-mfa", "nobody"]) == 2
    assert "no account called 'nobody'" in capsys.readouterr().out


async def test_a_reset_at_the_terminal_ends_the_accounts_web_logins(
    database: str, redis_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # The web side's session store as `serve` builds it, on the same Redis.
    runtime = build_runtime(load_app(CONFIG), "test", database_url=database, redis_url=redis_url)
    try:
        book = runtime.staff_sessions
        mine, other = await book.open("ana"), await book.open("someone-else")
        reset = ["--config", CONFIG, "users", "reset", "ana"]
        assert await asyncio.to_thread(main, reset) == 0
        assert "open web logins have ended" in capsys.readouterr().out
        assert await book.get(mine.token) is None
        assert await book.get(other.token) is not None
    finally:
        await runtime.close()


def test_users_without_the_secret_key_say_what_to_set(
    database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Passwords are peppered with a key from SAFEVOICE_SECRET_KEY: a password set without
    # it could never be checked by `serve`, so the command refuses, kindly.
    monkeypatch.delenv("SAFEVOICE_SECRET_KEY")
    capsys.readouterr()
    for action in (["add", "bob", "--role", "admin"], ["reset", "ana"]):
        assert main(["--config", CONFIG, "users", *action]) == 2
        out = capsys.readouterr().out
        assert "SAFEVOICE_SECRET_KEY is not set" in out
        assert "Traceback" not in out
    assert main(["--config", CONFIG, "users", "list"]) == 0  # what needs no key still works
    assert capsys.readouterr().out.startswith("ana\t")


async def test_a_password_set_at_the_terminal_opens_the_web_with_the_same_key(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _typing(monkeypatch, GOOD, GOOD)
    assert await asyncio.to_thread(main, ["--config", CONFIG, "users", "password", "ana"]) == 0
    runtime = build_runtime(load_app(CONFIG), "test", database_url=database)
    try:
        assert runtime.accounts.verify("ana", GOOD) is not None
    finally:
        await runtime.close()


def test_an_advisor_is_added_without_organisations(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", CONFIG, "users", "add", "ada", "--role", "advisor"]) == 0
    assert main(["--config", CONFIG, "users", "add", "bea", "--role", "advisor",
                 "--scope", "shelter"]) == 2  # fmt: skip
    assert "no organisations" in capsys.readouterr().out
    with open_database(CONFIG, url=database) as opened:
        ada = opened.accounts.get("ada")
        assert ada is not None
        assert (ada.role, ada.scopes) == ("advisor", ())
