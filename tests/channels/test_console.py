"""`safevoice chat` as a person would run it: a real process, stdin piped, a real SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.channels.console import parse
from bot.channels.render import Button, Message
from bot.i18n.rtl import visual_order
from bot.runtime import open_database

ROOT = Path(__file__).resolve().parents[2]
BLNS = Path(__file__).resolve().parents[1] / "testdata" / "blns.txt"
SORRY = "something went wrong on our side"


def chat(tmp_path: Path, lines: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SAFEVOICE_DATABASE_URL": f"sqlite:///{tmp_path / 'feedback.db'}",
        "PYTHONIOENCODING": "utf-8",
        # The package from this checkout, whatever the installed one points at.
        "PYTHONPATH": str(ROOT),
    }
    env.pop("SAFEVOICE_CONFIG", None)
    env.pop("SAFEVOICE_SECRET_KEY", None)
    command = [sys.executable, "-m", "bot.cli", "--config", str(ROOT / "config.toml"), "chat"]
    return subprocess.run(
        [*command, *args],
        input="".join(line + "\n" for line in lines),
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )


def stored(tmp_path: Path) -> list[str]:
    url = f"sqlite:///{tmp_path / 'feedback.db'}"
    with open_database(ROOT / "config.toml", url=url, migrate=False) as database:
        return [repr(record) for record in database.store.iter_records()]


def test_a_finished_conversation_lands_in_the_database_without_contact_details(
    tmp_path: Path,
) -> None:
    typed = [
        "1",  # Give feedback
        "the shelter",  # a label instead of a number
        "4",
        "no",  # not safe ...
        "2",  # ... but not now
        "s",  # skip "listened"
        "1",
        "3",
        "d",
        "Call me on +40 712 345 678 or write to ana.pop@example.com, thanks",
    ]
    done = chat(tmp_path, typed, "--age-band", "13-15", "--lang", "en")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "Welcome." in done.stdout
    assert "Thank you. Your answers are kept without your name" in done.stdout
    [record] = stored(tmp_path)
    assert "service='shelter'" in record
    assert "Answer(key='liked', kind='multi', value='food')" in record
    assert "[phone]" in record
    assert "[email]" in record
    for secret in ("712", "345 678", "ana.pop", "example.com"):
        assert secret not in record


def test_stop_ends_the_chat_kindly_and_sends_nothing(tmp_path: Path) -> None:
    done = chat(tmp_path, ["1", "1", "/stop", "this is never read"], "--age-band", "18-24")
    assert done.returncode == 0, done.stderr
    assert "we can stop here" in done.stdout
    assert stored(tmp_path) == []


def test_arabic_text_is_isolated_for_terminals(tmp_path: Path) -> None:
    done = chat(tmp_path, [], "--age-band", "13-15", "--lang", "ar")
    assert done.returncode == 0, done.stderr
    assert "\u2067" in done.stdout


def test_bidi_visual_shows_arabic_readably_without_bidi_marks(tmp_path: Path) -> None:
    """A terminal with no right-to-left support showed each Arabic word backwards."""
    done = chat(tmp_path, ["/stop"], "--age-band", "13-15", "--lang", "ar", "--bidi", "visual")
    assert done.returncode == 0, done.stderr
    assert not set(done.stdout) & set("\u2066\u2067\u2068\u2069")
    golden = ROOT / "tests" / "golden" / "languages" / "13-15" / "ar.txt"
    welcome = golden.read_text(encoding="utf-8").splitlines()[1].removeprefix("BOT: ")
    words = [w for w in welcome.split() if len(w) > 3 and w.isalpha()]
    assert words
    assert any(word[::-1] in done.stdout for word in words), done.stdout
    assert not any(word in done.stdout for word in words)


def test_visual_order_keeps_numbers_and_commands_left_to_right() -> None:
    shown = visual_order("اتصل بـ 116 111 الآن\nاكتب /stop للتوقف")
    assert shown == "نآلا 116 111 ـب لصتا\nفقوتلل /stop بتكا"


def test_bad_input_gets_kind_replies_and_never_a_traceback(tmp_path: Path) -> None:
    lines = BLNS.read_text(encoding="utf-8").splitlines()
    lines += ["", "x" * 10_000, "\x00\x1b[31m\u202e\u2066evil\u2069", "🙂" * 50, "/", "/%s%n"]
    # In the middle of a question, then on at the menu: both must survive everything.
    done = chat(tmp_path, ["1", *lines, "/stop"], "--age-band", "13-15", "--lang", "en")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert SORRY not in done.stdout
    assert "we can stop here" in done.stdout


def test_an_unknown_age_band_is_refused_in_words(tmp_path: Path) -> None:
    done = chat(tmp_path, [], "--age-band", "99-100")
    assert done.returncode == 1
    assert "unknown age band" in done.stderr
    assert "Traceback" not in done.stderr


QUESTION = Message(
    "Pick one",
    "en",
    step="pick",
    options=(
        Button("The food", "food", "pick", 1),
        Button("Things to do", "activities", "pick", 2),
    ),
    skip=Button("Skip", "skip", "pick"),
)


@pytest.mark.parametrize(
    ("typed", "kind", "value"),
    [
        ("2", "button", "activities"),
        ("the FOOD", "button", "food"),
        ("s", "button", "skip"),
        ("skip\n", "button", "skip"),
        ("1, 2", "text", "1, 2"),
        ("/Privacy please", "command", "privacy"),
        ("/", "text", "/"),
        ("", "text", ""),
    ],
)
def test_parse(typed: str, kind: str, value: str) -> None:
    inp = parse(typed, QUESTION)
    assert (inp.kind, inp.value) == (kind, value)
    if kind == "button":
        assert inp.step == "pick"
