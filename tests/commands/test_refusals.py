"""`run` and `serve` refuse to start when they would mislead a young person, with a
sentence naming the file and the fix, and exit 1 (issue: one deployable SafeVoice).

Each test runs the real `safevoice` command in a child process, as an operator would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "a-long-random-secret-key-for-the-refusal-tests-0123456789"
TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"


def safevoice(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SAFEVOICE_")}
    # This checkout's code, whatever the folder: not an installed copy of another one.
    clean["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True, text=True, cwd=cwd, env=clean | env, timeout=120, check=False,
    )  # fmt: skip


def outside_copy(tmp_path: Path, text: str | None = None) -> Path:
    """config.toml copied to a folder outside the checkout, flows and locales left behind."""
    folder = tmp_path / "etc"
    folder.mkdir()
    config = folder / "config.toml"
    config.write_text(text or (ROOT / "config.toml").read_text(encoding="utf-8"), "utf-8")
    return config


@pytest.mark.parametrize("command", ["serve", "run", "chat"])
def test_config_outside_the_checkout_loads_no_flows_and_is_refused(
    tmp_path: Path, command: str
) -> None:
    config = outside_copy(tmp_path)
    done = safevoice("--config", str(config), command, cwd=tmp_path,
                     SAFEVOICE_SECRET_KEY=GOOD_SECRET, SAFEVOICE_TELEGRAM_TOKEN=TOKEN)  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert str(config) in done.stderr
    assert "flows_dir" in done.stderr
    assert "config file's folder" in done.stderr


def test_flows_validate_does_not_call_an_empty_flow_set_valid(tmp_path: Path) -> None:
    config = outside_copy(tmp_path)
    done = safevoice("--config", str(config), "flows", "validate", cwd=tmp_path)
    assert done.returncode == 1
    assert "valid." not in done.stdout
    assert "flows_dir" in done.stderr


def test_an_empty_flows_folder_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "no-flows-here"
    empty.mkdir()
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = text.replace('flows_dir = "flows"', f'flows_dir = "{empty}"')
    text = text.replace('locales_dir = "locales"', f'locales_dir = "{ROOT / "locales"}"')
    config = outside_copy(tmp_path, text)
    done = safevoice("--config", str(config), "serve", cwd=tmp_path,
                     SAFEVOICE_SECRET_KEY=GOOD_SECRET)  # fmt: skip
    assert done.returncode == 1
    assert "holds no flow files" in done.stderr
    assert "Traceback" not in done.stderr


def test_relative_paths_are_read_from_the_config_files_folder(tmp_path: Path) -> None:
    """The same copy, with the flows and locales beside it, loads from any working folder."""
    config = outside_copy(tmp_path)
    shutil.copytree(ROOT / "flows", config.parent / "flows")
    shutil.copytree(ROOT / "locales", config.parent / "locales")
    elsewhere = tmp_path / "somewhere-else"
    elsewhere.mkdir()
    done = safevoice("--config", str(config), "flows", "validate", cwd=elsewhere)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "valid." in done.stdout


def test_run_refuses_a_request_for_a_person_no_desk_can_answer(tmp_path: Path) -> None:
    """Regression: a young person was promised "a worker will answer you here, usually
    within 30 minutes" by a bot with no staff group and no web desk."""
    done = safevoice("--config", str(ROOT / "config.toml"), "run", cwd=tmp_path,
                     SAFEVOICE_SECRET_KEY=GOOD_SECRET, SAFEVOICE_TELEGRAM_TOKEN=TOKEN)  # fmt: skip
    assert done.returncode == 1
    assert "no desk can answer" in done.stderr
    assert "staff_chat_id" in done.stderr
    assert "public_url" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("secret", "words"),
    [(None, "SAFEVOICE_SECRET_KEY is not set"), ("short-key", "at least 32")],
)
@pytest.mark.parametrize("command", ["serve", "run"])
def test_a_missing_or_short_secret_key_is_refused(
    tmp_path: Path, command: str, secret: str | None, words: str
) -> None:
    env = {"SAFEVOICE_TELEGRAM_TOKEN": TOKEN} | ({"SAFEVOICE_SECRET_KEY": secret} if secret else {})
    done = safevoice("--config", str(ROOT / "config.toml"), command, cwd=tmp_path, **env)
    assert done.returncode == 1
    assert words in done.stderr
    if secret is None:  # it names what depends on the key, and where to read more
        assert "staff passwords and authenticator keys" in done.stderr
    assert "Traceback" not in done.stderr


def test_check_lists_what_a_deployment_lacks(tmp_path: Path) -> None:
    done = safevoice("--config", str(ROOT / "config.toml"), "check", cwd=tmp_path,
                     SAFEVOICE_REDIS_URL="redis://127.0.0.1:9/0",
                     SAFEVOICE_DATABASE_URL=f"sqlite:///{tmp_path}/feedback.db")  # fmt: skip
    assert done.returncode == 1
    out = done.stdout
    assert "[FAIL] SAFEVOICE_SECRET_KEY is not set" in out
    assert "[FAIL] SAFEVOICE_TELEGRAM_TOKEN is not set" in out
    assert "[FAIL] Redis cannot be reached" in out
    assert "[warn] feedback is in SQLite" in out
    assert "problem(s) to fix" in out
    assert "Traceback" not in done.stderr


def test_check_says_ready_when_nothing_is_missing(tmp_path: Path, redis_url: str) -> None:
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = text.replace("[telegram]\n", "[telegram]\nstaff_chat_id = -1001234567890\n", 1)
    text = text.replace('flows_dir = "flows"', f'flows_dir = "{ROOT / "flows"}"')
    text = text.replace('locales_dir = "locales"', f'locales_dir = "{ROOT / "locales"}"')
    config = outside_copy(tmp_path, text)
    done = safevoice("--config", str(config), "check", "--for", "run", cwd=tmp_path,
                     SAFEVOICE_SECRET_KEY=GOOD_SECRET, SAFEVOICE_TELEGRAM_TOKEN=TOKEN,
                     SAFEVOICE_REDIS_URL=redis_url,
                     SAFEVOICE_DATABASE_URL=f"sqlite:///{tmp_path}/feedback.db")  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[FAIL]" not in done.stdout
    assert "Telegram staff group" in done.stdout
    assert "Ready." in done.stdout
