"""A whole SafeVoice deployment as real processes, for the tests of this folder to share.

Two `safevoice serve` processes (A, B) and two `safevoice run --webhook` processes (one
on aiogram, one on python-telegram-bot), all children of the test, on ONE throwaway
redis-server and ONE throwaway PostgreSQL database; the stand-in Bot API
(tests/telegram/fake_api.py) runs in the test's event loop and plays Telegram: it records
what the bots send, and the test posts updates to the webhook processes with the webhook
secret header, as Telegram does. The config has a small k (2), workers around the clock
(no office hours), a Telegram staff group (a forum) and a web desk (`[web] public_url`),
and trusts 127.0.0.1 as the load balancer, whose X-Forwarded-For names the client.

Starting four processes costs seconds on two cores, so the deployment is built once for
this folder (package scope); each test uses its own chats, visitors and staff accounts
(and client addresses for the login limits). At the end no process may have printed a
traceback (tests/fixtures/processes.py).
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from yarl import URL

from bot.channels.telegram.webhook import SECRET_HEADER, webhook_secret
from tests.fixtures.postgres import fresh_database
from tests.fixtures.processes import Child, Spawner, free_port, run_safevoice
from tests.fixtures.redis import RedisProcess, find_redis_server
from tests.telegram.conftest import ROOT, TOKEN
from tests.telegram.fake_api import FakeTelegram

SECRET = "one-secret-key-on-every-process-of-this-deployment"
STAFF = -1001234567890
K = 2


def write_config(folder: Path, api_base: str) -> Path:
    """config.toml with this deployment's settings (absolute flows and locales folders)."""
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = text.replace('flows_dir = "flows"', f'flows_dir = "{ROOT / "flows"}"')
    text = text.replace('locales_dir = "locales"', f'locales_dir = "{ROOT / "locales"}"')
    # Drop what this deployment sets itself, commented out or not, then set it.
    text = re.sub(
        r"^#? ?(api_base|staff_chat_id|k_threshold|public_url|trusted_proxies) = .*\n",
        "", text, flags=re.MULTILINE,
    )  # fmt: skip
    sections = {
        "[privacy]\n": f"k_threshold = {K}\n",
        "[telegram]\n": f'api_base = "{api_base}"\nstaff_chat_id = {STAFF}\n',
        # A web desk exists; plain http on loopback (no Secure cookies); the load balancer.
        "[web]\n": 'public_url = "http://127.0.0.1"\ntrusted_proxies = ["127.0.0.1"]\n',
    }
    for section, keys in sections.items():
        assert section in text, f"config.toml has no {section.strip()} section"
        text = text.replace(section, section + keys, 1)
    # No office hours: workers answer around the clock, so no helplines get in the way.
    text = re.sub(r"^\[handoff\.hours\]\n(?:\w+ = .*\n)*", "", text, flags=re.MULTILINE)
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


class Updates:
    """Bot API update JSON as Telegram posts it to a webhook: ids rise across all chats."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._message_ids: defaultdict[int, itertools.count[int]] = defaultdict(
            lambda: itertools.count(100_000)
        )

    def _message(self, chat: dict[str, Any], sender: dict[str, Any], text: str) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids[chat["id"]]),
            "date": 1700000000,
            "chat": chat,
            "from": sender,
            "text": text,
        }

    def text(self, chat: int, text: str, lang: str = "en") -> dict[str, Any]:
        """A young person typing `text` in their private chat with the bot."""
        person = {"id": chat, "is_bot": False, "first_name": "Zenobia", "language_code": lang}
        private = {"id": chat, "type": "private", "first_name": "Zenobia"}
        return {"update_id": next(self._ids), "message": self._message(private, person, text)}

    def staff(self, worker: dict[str, Any], thread: int, text: str) -> dict[str, Any]:
        """A worker writing in the case topic `thread` of the staff group."""
        group = {"id": STAFF, "type": "supergroup", "title": "Staff", "is_forum": True}
        message = self._message(group, worker, text)
        message.update(message_thread_id=thread, is_topic_message=True)
        return {"update_id": next(self._ids), "message": message}


class Base:
    """A serve process's address in the shape tests/web's helpers want (`make_url`)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def make_url(self, path: str) -> URL:
        return URL(self.url + path)


@dataclass
class Deployment:
    fake: FakeTelegram
    env: dict[str, str]
    config: Path
    serve_a: Child
    serve_b: Child
    run_a: Child  # aiogram
    run_b: Child  # python-telegram-bot
    spawner: Spawner
    http: aiohttp.ClientSession
    updates: Updates = field(default_factory=Updates)

    @property
    def secret_header(self) -> dict[str, str]:
        return {SECRET_HEADER: webhook_secret(SECRET.encode())}

    async def post(self, run: Child, update: dict[str, Any]) -> int:
        """Post one update to a `run` process's webhook, as Telegram does; the status."""
        url = f"{run.url}/telegram"
        async with self.http.post(url, json=update, headers=self.secret_header) as response:
            await response.read()
            return response.status

    async def say(self, run: Child, chat: int, text: str) -> None:
        status = await self.post(run, self.updates.text(chat, text))
        assert status == 200, (status, self.spawner.stderr())

    async def add_user(self, name: str, role: str) -> str:
        """`safevoice users add NAME --role ROLE --scope '*'`, then, as the new staff member
        does at their first login, their own password instead of the one printed; it."""
        done = await run_safevoice(
            "--config", str(self.config), "users", "add", name, "--role", role, "--scope", "*",
            env=self.env,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        found = re.search(r"Password \(shown only now\): (\S+)", done.stdout)
        assert found, done.stdout
        chosen = f"{name}-chose-this-harbour-juniper-77"
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as browser:
            base = self.serve_a.url
            form = await browser.get(f"{base}/login")
            token = re.search(r'name="csrf" value="([^"]+)"', await form.text())
            assert token
            login = {"csrf": token[1], "name": name, "password": found[1], "next": "/account"}
            await (await browser.post(f"{base}/login", data=login)).read()
            account = await browser.get(f"{base}/account")
            page = await account.text()
            assert "Choose your own below" in page, page[:500]
            csrf = re.search(r'name="csrf" value="([^"]+)"', page)
            assert csrf
            change = {"csrf": csrf[1], "current": found[1], "new": chosen, "again": chosen}
            changed = await browser.post(f"{base}/account/password", data=change)
            assert "Your password is changed" in await changed.text()
        return chosen

    def sent_to(self, chat: int) -> list[str]:
        """What the bots sent to `chat`, in the order the stand-in Bot API received it."""
        return self.fake.bot_texts(chat)


@pytest.fixture(scope="package")
def deployment_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("deployment")


@pytest.fixture(scope="package")
def deployment_redis(deployment_folder: Path) -> Iterator[str]:
    """The deployment's own redis-server: no other test flushes it under the processes."""
    server = RedisProcess(find_redis_server(), deployment_folder)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="package")
def deployment_database(postgres_url: str) -> Iterator[str]:
    with fresh_database(postgres_url) as url:
        yield url


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def deployment(
    deployment_folder: Path, deployment_redis: str, deployment_database: str
) -> AsyncIterator[Deployment]:
    fake = FakeTelegram()
    await fake.start()
    config = write_config(deployment_folder, fake.url)
    env = {
        "SAFEVOICE_TELEGRAM_TOKEN": TOKEN,
        "SAFEVOICE_SECRET_KEY": SECRET,
        "SAFEVOICE_REDIS_URL": deployment_redis,
        "SAFEVOICE_DATABASE_URL": deployment_database,
    }
    folder = deployment_folder / "children"
    folder.mkdir()
    spawner = Spawner(folder)
    cfg = ("--config", str(config))
    try:
        children = []
        for name in ("serve-a", "serve-b"):
            port = free_port()
            args = (*cfg, "serve", "--host", "127.0.0.1", "--port", str(port))
            children.append(spawner.start(*args, env=env, port=port, name=name))
        for name, library in (("run-a", "aiogram"), ("run-b", "ptb")):
            port = free_port()
            webhook = ("--webhook", f"http://127.0.0.1:{port}/telegram")
            args = (*cfg, "run", "--library", library, *webhook, "--listen", f"127.0.0.1:{port}")
            children.append(spawner.start(*args, env=env, port=port, name=name))
        await asyncio.gather(*(child.ready(timeout=90) for child in children))
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as http:
            yield Deployment(fake, env, config, *children, spawner, http)
    finally:
        try:
            await spawner.aclose()
        finally:
            await fake.stop()
