"""Feedback given on Telegram (a `run --webhook` process) is in the dashboard of a `serve`
process, for an account made with the real `safevoice users add`."""

from __future__ import annotations

import re

import aiohttp
import pytest

from tests.deployment.conftest import Deployment

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.asyncio(loop_scope="package")]

# Counselling (deep link co1), so nothing else in the deployment's database is counted.
COUNSELLING = ["/start co1", "English", "13-15", "Give feedback", "4", "yes", "5", "The people",
               "More quiet time to read"]  # fmt: skip
CHATS = (7_100_000_001, 7_100_000_002)


async def staff_login(
    session: aiohttp.ClientSession, base: str, name: str, password: str
) -> aiohttp.ClientResponse:
    page = await session.get(f"{base}/login")
    token = re.search(r'name="csrf" value="([^"]+)"', await page.text())
    assert token
    form = {"csrf": token[1], "name": name, "password": password, "next": "/dashboard"}
    return await session.post(f"{base}/login", data=form, allow_redirects=False)


async def test_telegram_feedback_is_on_the_dashboard_of_a_serve_process(
    deployment: Deployment,
) -> None:
    d = deployment
    password = await d.add_user("programme-lead", "viewer")
    for turn, text in enumerate(COUNSELLING):
        for n, chat in enumerate(CHATS):
            # The two young people's updates land on different webhook processes.
            await d.say((d.run_a, d.run_b)[(turn + n) % 2], chat, text)
    await d.fake.wait_for(
        lambda: all(len(d.sent_to(chat)) == len(COUNSELLING) for chat in CHATS), timeout=30
    )
    assert all(d.sent_to(chat)[-1].startswith("Thank you. Your answers are kept") for chat in CHATS)

    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as browser:
        wrong = await staff_login(browser, d.serve_a.url, "programme-lead", password + "x")
        assert wrong.status == 401
        logged_in = await staff_login(browser, d.serve_a.url, "programme-lead", password)
        assert logged_in.status == 303, await logged_in.text()
        page = await browser.get(f"{d.serve_a.url}/dashboard?service=counselling&band=13-15")
        assert page.status == 200
        html = await page.text()
        export = await browser.get(f"{d.serve_a.url}/dashboard/export.json?service=counselling")
        data = await export.json()
    felt_safe = html[html.index("Do you feel safe there?") :]
    assert f'Answered by <span class="num">{len(CHATS)}</span>.' in felt_safe[:2000]
    assert "More quiet time to read" in html  # a comment shown: the group has k answers
    assert data["k"] == 2
    felt = next(q for q in data["questions"] if q["question_key"] == "felt_safe")
    assert (felt["service"], felt["respondents"]) == ("counselling", len(CHATS))
    assert {"value": "yes", "count": len(CHATS), "suppressed": False} in felt["cells"]
