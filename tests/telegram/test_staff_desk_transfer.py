"""Transfers from the Telegram staff group go only to a desk that would show the case, on
both adapters, over real Redis: here a deployment with a staff group and no web desk
(`[web] public_url` unset, so `safevoice run` knows of no `serve` answering)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.telegram.fake_api import FakeTelegram
from tests.telegram.test_staff_desk import (
    STAFF,
    WORKER,
    case_opened,
    desk_bot,
    desk_config,
    say,
)

__all__ = ["desk_bot", "desk_config"]  # fixtures


def _without_web_desk(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    kept = [line for line in text.splitlines() if not line.startswith("public_url = ")]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")


async def test_transfer_web_went_to_a_web_desk_nobody_serves(
    fake: FakeTelegram, desk_bot: Any, desk_config: Path
) -> None:
    """`/transfer web` was offered and accepted with no web desk: the case waited on a
    desk nobody sees. Now /help and "Transfer to whom?" do not offer it, and the
    command (typed from an old /help) is refused kindly, the case left where it was."""
    _without_web_desk(desk_config)
    async with desk_bot() as bot:
        thread, name = await case_opened(fake)
        label = name.split(" ")[0]
        await say(fake, thread, "/claim Ana")
        await say(fake, thread, "/help")
        shown = fake.topic_texts(STAFF, thread)[-1]
        assert "/transfer web" not in shown
        assert "/transfer @worker: hand it to a colleague." in shown
        await say(fake, thread, "/transfer")
        assert fake.topic_texts(STAFF, thread)[-1] == (
            "Transfer to whom? /transfer @worker or /transfer telegram"
        )
        await say(fake, thread, "/transfer web", WORKER)
        refused = fake.topic_texts(STAFF, thread)[-1]
        assert refused.startswith("Not sent: nobody would see this case on the web desk")
        case = await bot.cases.get(label)
        assert case is not None
        assert (case.status, case.desk, case.worker_name) == ("claimed", None, "Ana")


async def test_with_a_web_desk_both_desks_are_offered(fake: FakeTelegram, desk_bot: Any) -> None:
    async with desk_bot():
        thread, _ = await case_opened(fake)
        await say(fake, thread, "/transfer")
        assert fake.topic_texts(STAFF, thread)[-1] == (
            "Transfer to whom? /transfer @worker, /transfer web or /transfer telegram"
        )
        await say(fake, thread, "/help")
        assert (
            "/transfer @worker, /transfer web: hand it to a colleague or to the web desk."
            in (fake.topic_texts(STAFF, thread)[-1])
        )
