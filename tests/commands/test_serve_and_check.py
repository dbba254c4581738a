"""`safevoice check` says what `serve` will do, `serve --with-bot` is checked as the one
process it is, and `serve` is production: no demo banner, no demo account. Real
`safevoice` child processes, real Redis, as an operator runs them."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
import pyotp
import pytest

from bot.app import load_app
from bot.errors import ConfigError
from bot.runtime import open_database
from bot.services.readiness import refuse_unready
from bot.storage.migrations import current
from tests.commands.test_refusals import GOOD_SECRET, ROOT, TOKEN, safevoice
from tests.fixtures.processes import Spawner, free_port, run_safevoice
from tests.storage.test_migrations import make_0_1_0_database

CONFIG = str(ROOT / "config.toml")
PASSWORD = "a long password for ana"


def test_check_fails_on_a_database_serve_would_refuse(tmp_path: Path, redis_url: str) -> None:
    """Regression: on 0.1.0's tables (no schema version) `check --for serve` printed
    "[warn] the database is empty ... the first start creates the tables" and "Ready."
    with exit 0, while `serve` refused the same database ("run `safevoice migrate`")."""
    url = f"sqlite:///{tmp_path}/old.db"
    with open_database(CONFIG, url=url, migrate=False) as database:
        make_0_1_0_database(database.store.engine)
    env = {"SAFEVOICE_SECRET_KEY": GOOD_SECRET, "SAFEVOICE_REDIS_URL": redis_url,
           "SAFEVOICE_DATABASE_URL": url}  # fmt: skip
    check = safevoice("--config", CONFIG, "check", "--for", "serve", cwd=tmp_path, **env)
    serve = safevoice("--config", CONFIG, "serve", "--port", str(free_port()), cwd=tmp_path,
                      **env)  # fmt: skip
    assert serve.returncode == 1
    assert "safevoice migrate" in serve.stderr
    assert check.returncode == 1, check.stdout
    assert "Ready." not in check.stdout
    assert "the database is empty" not in check.stdout
    [line] = [line for line in check.stdout.splitlines() if "0.1.0" in line]
    assert line.startswith("[FAIL]")
    assert "safevoice migrate" in check.stdout
    with open_database(CONFIG, url=url, migrate=False) as database:
        assert current(database.store.engine) is None  # check changed nothing


def test_check_still_calls_an_empty_database_fine(tmp_path: Path, redis_url: str) -> None:
    env = {"SAFEVOICE_SECRET_KEY": GOOD_SECRET, "SAFEVOICE_REDIS_URL": redis_url,
           "SAFEVOICE_DATABASE_URL": f"sqlite:///{tmp_path}/new.db"}  # fmt: skip
    check = safevoice("--config", CONFIG, "check", "--for", "serve", cwd=tmp_path, **env)
    assert check.returncode == 0, check.stdout
    assert "[warn] the database is empty" in check.stdout


def test_serve_with_bot_counts_its_own_web_desk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: with no staff group and no [web] public_url, `serve --with-bot` was
    refused with "run `safevoice serve` for the web desk", which is what had been run."""
    monkeypatch.setenv("SAFEVOICE_TELEGRAM_TOKEN", TOKEN)
    app = load_app(ROOT / "config.toml").with_secret(GOOD_SECRET.encode())
    assert app.config.telegram.staff_chat_id is None
    assert app.config.web.public_url is None
    refuse_unready(app, "serve", with_bot=True)  # its web desk answers Telegram's cases
    with pytest.raises(ConfigError, match="no desk can answer"):
        refuse_unready(app, "run")  # alone, nothing shows that a web desk is served


def test_serve_with_bot_names_only_what_is_really_missing(tmp_path: Path) -> None:
    done = safevoice("--config", CONFIG, "serve", "--with-bot", cwd=tmp_path,
                     SAFEVOICE_SECRET_KEY=GOOD_SECRET)  # fmt: skip
    assert done.returncode == 1
    assert "safevoice serve --with-bot cannot start yet" in done.stderr
    assert "SAFEVOICE_TELEGRAM_TOKEN" in done.stderr
    assert "no desk can answer" not in done.stderr
    assert "Traceback" not in done.stderr
    assert TOKEN not in done.stderr


async def test_serve_shows_no_demo_banner_and_makes_no_demo_account(
    tmp_path: Path, redis_url: str, spawn_safevoice: Spawner
) -> None:
    url = f"sqlite:///{tmp_path}/feedback.db"
    env = {"SAFEVOICE_SECRET_KEY": GOOD_SECRET, "SAFEVOICE_REDIS_URL": redis_url,
           "SAFEVOICE_DATABASE_URL": url}  # fmt: skip
    port = free_port()
    serve = await spawn_safevoice("--config", CONFIG, "serve", "--port", str(port), env=env,
                                  port=port, name="serve")  # fmt: skip
    added = await run_safevoice("--config", CONFIG, "users", "add", "ana", "--role", "admin",
                                env=env)  # fmt: skip
    assert added.returncode == 0, added.stderr
    found = re.search(r"Password \(shown only now\): (\S+)", added.stdout)
    assert found, added.stdout
    password = found[1]
    with open_database(CONFIG, url=url, migrate=False) as database:
        assert database.accounts.get("demo") is None
        assert [account.name for account in database.accounts.all()] == ["ana"]
    jar = aiohttp.CookieJar(unsafe=True)  # keep the cookies of a bare IP address
    async with aiohttp.ClientSession(serve.url, cookie_jar=jar) as http:
        pages = [await (await http.get(path)).text() for path in ("/chat", "/login")]
        login = pages[-1]
        token = re.search(r'name="csrf" value="([^"]+)"', login)
        assert token is not None
        form = {"csrf": token[1], "name": "ana", "password": password}
        async with http.post("/login", data=form) as response:
            assert response.status == 200
            pages.append(await response.text())  # where the login leads: the dashboard
        for path in ("/dashboard", "/desk"):
            async with http.get(path) as response:
                assert response.status == 200, path
                pages.append(await response.text())
    assert "SafeVoice staff" in pages[-1]  # logged in: the staff pages, not the login
    for page in pages:
        assert "demo-banner" not in page
        assert "Demo:" not in page
        assert "made up" not in page


def test_check_warns_when_staff_rows_were_made_with_another_secret_key(
    tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A typo in the key on a new machine, or a change without the previous key, would
    # lock every staff member out at the login page: check says so first.
    earlier = "an-earlier-secret-key-of-at-least-32-characters"
    url = f"sqlite:///{tmp_path}/staff.db"
    monkeypatch.setenv("SAFEVOICE_SECRET_KEY", earlier)
    with open_database(CONFIG, url=url) as database:
        database.accounts.add("ana", "admin", (), PASSWORD)
        second = database.accounts.second_factor
        assert second.confirm("ana", pyotp.TOTP(second.begin("ana")).now())
    env = {"SAFEVOICE_SECRET_KEY": GOOD_SECRET, "SAFEVOICE_REDIS_URL": redis_url,
           "SAFEVOICE_DATABASE_URL": url}  # fmt: skip
    check = safevoice("--config", CONFIG, "check", "--for", "serve", cwd=tmp_path, **env)
    assert "[warn] 1 staff password(s) and 1 authenticator key(s)" in check.stdout
    assert "SAFEVOICE_PREVIOUS_SECRET_KEYS" in check.stdout
    rotated = safevoice("--config", CONFIG, "check", "--for", "serve", cwd=tmp_path,
                        SAFEVOICE_PREVIOUS_SECRET_KEYS=earlier, **env)  # fmt: skip
    assert "staff password(s)" not in rotated.stdout
    assert "[ok]   the database answers" in rotated.stdout
