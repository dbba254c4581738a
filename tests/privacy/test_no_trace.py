"""Privacy model, end to end: nothing that identifies a young person reaches feedback,
logs or the session store, whatever they type."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from bot.app import load_app
from bot.testing import ScriptedChat

ROOT = Path(__file__).resolve().parents[2]
USER_ID = "tg-user-738291045"
TYPED = "I am Maria Popescu, call me on +40 721 234 567 or maria.p@example.ro, insta @maria_p"
IDENTIFYING = ("738291045", "Maria", "Popescu", "721 234 567", "maria.p@example.ro", "@maria_p")


@pytest.fixture
def chat() -> ScriptedChat:
    app = load_app(ROOT / "config.toml")
    return ScriptedChat(app, user_id=USER_ID)


def _dump_sessions(chat: ScriptedChat) -> str:
    return json.dumps(chat.sessions.__dict__, default=repr, ensure_ascii=False)


async def _feedback_with_pii(chat: ScriptedChat) -> list[str]:
    """Runs a feedback conversation; returns the session store's contents after each text."""
    seen = []
    await chat.start("en", band="16-17")
    await chat.click("Give feedback on a service")
    await chat.click("The shelter")
    await chat.click("4")
    await chat.click("Yes")
    await chat.click("5")
    await chat.click("The staff")
    await chat.click("Done")
    await chat.send(TYPED)
    seen.append(_dump_sessions(chat))
    await chat.click("I'll describe it myself")
    await chat.send("Maria, 0721234567")
    seen.append(_dump_sessions(chat))
    return seen


async def test_records_logs_and_sessions_hold_no_identity(
    chat: ScriptedChat, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    mid_conversation = await _feedback_with_pii(chat)
    records = chat.records
    assert len(records) == 1
    stored = json.dumps([r.__repr__() for r in records], ensure_ascii=False)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    sessions = "\n".join([*mid_conversation, _dump_sessions(chat)])
    assert "[phone]" in mid_conversation[0]  # the scrubbed answer waits in the session
    for secret in IDENTIFYING:
        assert secret not in stored, secret
        assert secret not in logged, secret
        assert secret not in sessions, secret
    assert USER_ID not in sessions
    # The record is dated by ISO week only, with a random id.
    record = records[0]
    assert record.iso_week == "2026-W03"
    assert "scripted" not in stored


async def test_forget_removes_the_session_at_once(chat: ScriptedChat) -> None:
    await chat.start("en", band="13-15")
    await chat.click("Give feedback")
    key = chat.conversation.key("scripted", USER_ID)
    turn = await chat.sessions.begin(key)
    assert turn.session is not None
    await chat.sessions.release(turn)
    await chat.command("forget")
    await chat.click("Yes, delete it")
    turn = await chat.sessions.begin(key)
    assert turn.session is None
    await chat.sessions.release(turn)
    assert "we cannot delete them" in chat.text()
