"""A request for a person crosses channels and processes:

- from the web chat (a visitor on serve process A) to the Telegram desk (a worker in the
  case's topic of the staff group, handled by the `run` processes), and the worker's
  words back into the visitor's long poll on A;
- from Telegram to the web desk of serve process B (login, live queue on the websocket,
  claim and send through the desk's forms), and the worker's words back into the young
  person's Telegram chat through the delivery queue a `run` process empties.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest

from tests.deployment.conftest import STAFF, Base, Deployment
from tests.deployment.test_feedback_reaches_dashboard import staff_login
from tests.web.test_desk import Visitor, _frames, _label

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.asyncio(loop_scope="package")]

WORKER_ID = 5550001
WORKER = {"id": WORKER_ID, "is_bot": False, "first_name": "Maria", "username": "maria_tg"}
YOUNG = 7_200_000_001


async def poll_until(visitor: Visitor, wanted: list[str], timeout: float = 30.0) -> list[str]:
    """The visitor page's long poll, again and again, until every wanted text arrived."""
    got: list[str] = []

    async def collect() -> None:
        while not all(any(w in text for text in got) for w in wanted):
            got.extend(m["text"] for m in await visitor.poll())

    try:
        await asyncio.wait_for(collect(), timeout)
    except TimeoutError:
        pytest.fail(f"the visitor's poll got {got}, not {wanted}")
    return got


async def test_a_web_visitor_on_a_is_answered_on_the_telegram_desk(
    deployment: Deployment,
) -> None:
    d = deployment
    d.fake.members[WORKER_ID] = "member"
    topics_before = set(d.fake.topics[STAFF])
    visitor = Visitor(Base(d.serve_a.url))  # type: ignore[arg-type]
    try:
        await visitor.open()
        asked = await visitor.turn("command", "person")
        assert any("asking someone from our team" in m["text"] for m in asked["messages"])
        await d.fake.wait_for(lambda: set(d.fake.topics[STAFF]) - topics_before, timeout=20)
        (thread,) = set(d.fake.topics[STAFF]) - topics_before
        assert d.fake.topics[STAFF][thread].startswith("#")

        # The worker claims on one webhook process and writes through the other.
        status = await d.post(d.run_a, d.updates.staff(WORKER, thread, "/claim Ana"))
        assert status == 200
        await poll_until(visitor, ["Ana from our team is here now"])
        status = await d.post(d.run_b, d.updates.staff(WORKER, thread, "Hello from Telegram"))
        assert status == 200
        got = await poll_until(visitor, ["Ana: Hello from Telegram"])
        assert "Maria" not in json.dumps(got)  # the worker's Telegram name stays there

        # The visitor's answer reaches the topic.
        reply = await visitor.turn("text", "Thank you, I am here")
        assert reply["relayed"] is True
        await d.fake.wait_for(
            lambda: any("Thank you, I am here" in t for t in d.fake.topic_texts(STAFF, thread)),
            timeout=20,
        )
    finally:
        await visitor.close()


async def _desk_socket(
    browser: aiohttp.ClientSession, base: str, csrf: str
) -> aiohttp.ClientWebSocketResponse:
    return await browser.ws_connect(f"{base}/desk/ws?csrf={csrf}", origin=base)


async def _csrf(browser: aiohttp.ClientSession, url: str) -> str:
    page = await (await browser.get(url)).text()
    start = page.index('name="csrf" value="') + len('name="csrf" value="')
    return page[start : page.index('"', start)]


async def test_a_telegram_young_person_is_answered_on_the_web_desk_of_b(
    deployment: Deployment,
) -> None:
    d = deployment
    password = await d.add_user("desk-worker", "worker")
    jar = aiohttp.CookieJar(unsafe=True)
    forwarded = {"X-Forwarded-For": "10.2.0.1"}
    async with aiohttp.ClientSession(cookie_jar=jar, headers=forwarded) as browser:
        logged_in = await staff_login(browser, d.serve_b.url, "desk-worker", password)
        assert logged_in.status == 303, await logged_in.text()
        csrf = await _csrf(browser, f"{d.serve_b.url}/desk")
        queue = await _desk_socket(browser, d.serve_b.url, csrf)
        seen: list[str] = []
        before = {c["id"] for c in (await _frames(queue, "queue", seen))["cases"]}

        for text in ("/start sh1", "English", "13-15", "Talk to a person"):
            await d.say(d.run_b, YOUNG, text)
        frame: dict[str, Any] = await _frames(queue, "queue", seen)
        while not {c["id"] for c in frame["cases"]} - before:
            frame = await _frames(queue, "queue", seen)
        label = _label({"cases": [c for c in frame["cases"] if c["id"] not in before]})
        case = await _desk_socket(browser, d.serve_b.url, f"{csrf}&case={label}")
        assert (await _frames(case, "case", seen))["case"]["status"] == "waiting"

        claim = await browser.post(
            f"{d.serve_b.url}/desk/case/{label}/claim",
            data={"csrf": csrf, "display_name": "Ana"},
        )
        assert claim.status == 200, await claim.text()
        sent = await browser.post(
            f"{d.serve_b.url}/desk/case/{label}/send",
            data={"csrf": csrf, "text": "Hello from the web desk"},
            headers={"Accept": "application/json"},
        )
        assert (await sent.json()) == {"ok": True}
        await d.fake.wait_for(
            lambda: "Ana: Hello from the web desk" in d.sent_to(YOUNG), timeout=20
        )
        said = [text[:30] for text in d.sent_to(YOUNG)]
        # In the order written: the turn's answer, then the claim, then the words.
        assert said[-3:] == ["Okay. I am asking someone from", "Ana from our team is here now.",
                             "Ana: Hello from the web desk"], said  # fmt: skip

        # The young person answers on Telegram, through the other webhook process.
        await d.say(d.run_a, YOUNG, "Thank you for coming")
        message = await _frames(case, "message", seen)
        while message["message"]["sender"] != "young_person":
            message = await _frames(case, "message", seen)
        assert message["message"]["text"] == "Thank you for coming"
        await queue.close()
        await case.close()
    assert str(YOUNG) not in "\n".join(seen)  # the desk never learns the chat id
