"""Two `safevoice serve` processes behind a load balancer, as real processes (the same
in-process story is tests/web/test_shared_processes.py): a web-chat visitor on A talks to
a worker on B; a staff login, its CSRF token and a logout hold on both; failed logins on
either count together; an account disabled with `safevoice users disable` is out of both.

A browser's cookies do not depend on the port, so one cookie jar talking to A and B is
one browser whose requests the load balancer sends to either process."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from tests.deployment.conftest import Base, Deployment
from tests.deployment.test_feedback_reaches_dashboard import staff_login
from tests.deployment.test_handoffs_across_desks import _csrf, _desk_socket, poll_until
from tests.fixtures.processes import run_safevoice
from tests.web.test_desk import Visitor, _frames

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.asyncio(loop_scope="package")]


def browser(address: str) -> aiohttp.ClientSession:
    """A staff member's browser; the load balancer names its address."""
    jar = aiohttp.CookieJar(unsafe=True)
    return aiohttp.ClientSession(cookie_jar=jar, headers={"X-Forwarded-For": address})


async def test_a_visitor_on_a_and_a_worker_on_b_talk(deployment: Deployment) -> None:
    d = deployment
    a, b = d.serve_a.url, d.serve_b.url
    password = await d.add_user("web-worker", "worker")
    visitor = Visitor(Base(a))  # type: ignore[arg-type]
    async with browser("10.3.0.1") as staff:
        try:
            assert (await staff_login(staff, b, "web-worker", password)).status == 303
            csrf = await _csrf(staff, f"{b}/desk")
            queue = await _desk_socket(staff, b, csrf)
            before = {c["id"] for c in (await _frames(queue, "queue", []))["cases"]}
            await visitor.open()
            await visitor.turn("command", "person")  # the case opens on A
            frame = await _frames(queue, "queue", [])
            while not {c["id"] for c in frame["cases"]} - before:
                frame = await _frames(queue, "queue", [])
            (label,) = {c["id"] for c in frame["cases"]} - before
            await queue.close()

            polling = asyncio.create_task(visitor.poll())  # the page's long poll, held by A
            await asyncio.sleep(0.3)
            started = time.monotonic()
            form = {"csrf": csrf, "display_name": "Ana"}
            assert (await staff.post(f"{b}/desk/case/{label}/claim", data=form)).status == 200
            told = await asyncio.wait_for(polling, 20)
            assert time.monotonic() - started < 10  # woken by B's claim, not a timeout
            assert any("Ana from our team is here now" in m["text"] for m in told)
            sent = await staff.post(
                f"{b}/desk/case/{label}/send", data={"csrf": csrf, "text": "Hello, I am here."},
                headers={"Accept": "application/json"},
            )  # fmt: skip
            assert (await sent.json()) == {"ok": True}
            await poll_until(visitor, ["Ana: Hello, I am here."])

            case = await _desk_socket(staff, b, f"{csrf}&case={label}")
            await _frames(case, "case", [])
            reply = await visitor.turn("text", "Thank you, I need a new room")
            assert reply["relayed"] is True
            message = await _frames(case, "message", [])
            while message["message"]["sender"] != "young_person":
                message = await _frames(case, "message", [])
            assert message["message"]["text"] == "Thank you, I need a new room"
            await case.close()
        finally:
            await visitor.close()


async def test_a_staff_session_holds_on_both_processes_until_logout_or_disable(
    deployment: Deployment,
) -> None:
    d = deployment
    a, b = d.serve_a.url, d.serve_b.url
    password = await d.add_user("both-sides", "viewer")
    async with browser("10.3.0.2") as staff:
        assert (await staff_login(staff, a, "both-sides", password)).status == 303
        assert (await staff.get(f"{b}/dashboard", allow_redirects=False)).status == 200
        csrf = await _csrf(staff, f"{a}/dashboard")
        # The token of A's page is good for a form posted to B: log out there.
        assert (await staff.post(f"{b}/logout", data={"csrf": csrf})).status == 200
        for url in (a, b):
            assert (await staff.get(f"{url}/dashboard", allow_redirects=False)).status == 303

        assert (await staff_login(staff, b, "both-sides", password)).status == 303
        assert (await staff.get(f"{a}/dashboard", allow_redirects=False)).status == 200
        disabled = await run_safevoice(
            "--config", str(d.config), "users", "disable", "both-sides", env=d.env
        )
        assert disabled.returncode == 0, disabled.stdout + disabled.stderr
        for url in (a, b):
            assert (await staff.get(f"{url}/dashboard", allow_redirects=False)).status == 303


async def test_failed_logins_on_either_process_block_on_both(deployment: Deployment) -> None:
    d = deployment
    a, b = d.serve_a.url, d.serve_b.url
    password = await d.add_user("guessed-at", "viewer")
    async with browser("10.3.0.3") as guesser:
        statuses = [
            (await staff_login(guesser, (a, a, a, b, b)[n], "guessed-at", f"guess-{n}")).status
            for n in range(5)
        ]
        assert statuses == [401] * 5
        for url in (a, b):
            assert (await staff_login(guesser, url, "guessed-at", password)).status == 429
    # The guesser is blocked on both processes; the account's owner, elsewhere, is not:
    # a stranger cannot lock a named account (the limits key on account and client).
    async with browser("10.3.0.4") as elsewhere:
        assert (await staff_login(elsewhere, b, "guessed-at", password)).status == 303
