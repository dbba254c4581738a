"""The second step at login, end to end over HTTP against a running server: forced set-up
for a role that needs it, the QR code and secret shown once, TOTP codes used once,
recovery codes used once, an admin's reset of a lost authenticator."""

from __future__ import annotations

import dataclasses
import re

import aiohttp
import pyotp
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.staff.mfa import new_secret
from bot.staff.passwords import hasher
from bot.storage.staff_mfa import MfaRow
from tests.fixtures.keys import flip
from tests.web.conftest import PASSWORDS, RECOVERY, LiveServer, enrol, second_code

SUPERVISOR_PASSWORD = "supervisor-password-123"


class Browser:
    """Cookies and forms like a browser, over real HTTP."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))

    async def get(self, path: str) -> tuple[int, str, str]:
        async with self.session.get(self.base + path, allow_redirects=True) as response:
            return response.status, str(response.url.path_qs), await response.text()

    async def post(self, path: str, form: dict[str, str]) -> tuple[int, str, str]:
        async with self.session.post(self.base + path, data=form) as response:
            return response.status, str(response.url.path_qs), await response.text()

    @staticmethod
    def csrf(page: str) -> str:
        found = re.search(r'name="csrf" value="([^"]+)"', page)
        assert found, page[:500]
        return found[1]

    async def password_step(self, name: str, password: str) -> tuple[int, str, str]:
        _, _, page = await self.get("/login")
        form = {"csrf": self.csrf(page), "name": name, "password": password, "next": "/dashboard"}
        return await self.post("/login", form)

    async def code_step(self, page: str, code: str) -> tuple[int, str, str]:
        return await self.post("/login/code", {"csrf": self.csrf(page), "code": code,
                                               "next": "/dashboard"})  # fmt: skip

    async def logout(self) -> None:
        _, _, page = await self.get("/account")
        await self.post("/logout", {"csrf": self.csrf(page)})

    async def close(self) -> None:
        await self.session.close()


async def test_totp_login_and_recovery_end_to_end(live: LiveServer) -> None:
    live.state.accounts.add("sup", "supervisor", ("shelter",), SUPERVISOR_PASSWORD)
    browser = Browser(live.url)
    try:
        # The password alone opens only the account page: the role needs a second step.
        status, where, page = await browser.password_step("sup", SUPERVISOR_PASSWORD)
        assert (status, where) == (200, "/account")
        assert "Set up an authenticator app" in page
        status, where, _ = await browser.get("/dashboard")
        assert where == "/account"  # every other page sends it back here
        status, _, enrol = await browser.get("/account/mfa")
        assert status == 200
        assert "<svg" in enrol  # the QR code, drawn here, nothing fetched elsewhere
        key = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', enrol)
        assert key
        secret = key[1].replace(" ", "")
        wrong = await browser.post("/account/mfa", {"csrf": browser.csrf(enrol), "code": "000000"})
        assert wrong[0] == 400
        # A wrong code left nothing enrolled: open the page again for a new secret.
        _, _, enrol = await browser.get("/account/mfa")
        again = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', enrol)
        assert again
        assert again[1] != key[1]  # each visit a new secret: nobody can read one back
        secret = again[1].replace(" ", "")
        code = pyotp.TOTP(secret).now()
        status, _, shown = await browser.post("/account/mfa", {"csrf": browser.csrf(enrol),
                                                               "code": code})  # fmt: skip
        assert status == 200
        recovery = re.findall(r"<li><code>([A-Z2-7]{5}(?:-[A-Z2-7]{5}){4})</code></li>", shown)
        assert len(recovery) == 10
        assert (await browser.get("/dashboard"))[1] == "/dashboard"
        stored = live.state.accounts.second_factor.store.get("sup")
        assert stored is not None
        assert not any(code in stored.recovery for code in recovery)  # only digests kept
        assert secret not in (await browser.get("/account"))[2]  # never shown again
        await browser.logout()

        # Next login: the password, then a code. The code used at set-up is refused.
        status, where, page = await browser.password_step("sup", SUPERVISOR_PASSWORD)
        assert where.startswith("/login/code")
        status, _, page = await browser.code_step(page, code)
        assert status == 401
        assert "used already" in page
        status, where, page = await browser.code_step(page, second_code(live.state, "sup"))
        # The set-up is told at this next login, until dismissed (ASVS 2.5.5).
        assert (status, where) == (200, "/account/notices?next=/dashboard")
        assert "An authenticator app was set up for your login on " in page
        assert "by you. If this was not you, tell your administrator." in page
        dismiss = re.search(r'action="(/account/notices/[0-9a-f]{32}/dismiss)"', page)
        assert dismiss
        form = {"csrf": browser.csrf(page), "next": "/dashboard"}
        assert (await browser.post(dismiss[1], form))[1] == "/dashboard"
        await browser.logout()

        # A recovery code instead of the phone: works once, then never again.
        _, _, page = await browser.password_step("sup", SUPERVISOR_PASSWORD)
        status, where, page = await browser.code_step(page, recovery[0].lower())
        assert status == 200
        # The code typed twice above is told first (ASVS 2.8.5), then the account page.
        assert where == "/account/notices?next=/account?recovered%3D1"
        assert "had been used already; it was refused" in page
        status, where, page = await browser.get("/account?recovered=1")
        assert "9 are left" in page
        await browser.logout()
        _, _, page = await browser.password_step("sup", SUPERVISOR_PASSWORD)
        status, _, _ = await browser.code_step(page, recovery[0])
        assert status == 401
        entries = live.state.store.audit_entries(50, actor="sup")
        assert {"mfa-enrol", "login", "login-code-failed"} <= {e.action for e in entries}
        logins = {e.detail for e in entries if e.action == "login"}
        assert logins == {"password", "password and app code", "password and recovery code"}
    finally:
        await browser.close()


async def test_the_code_step_needs_the_password_step_first(live: LiveServer) -> None:
    browser = Browser(live.url)
    try:
        status, where, page = await browser.get("/login/code")
        assert where == "/login"  # no half-done login: back to the start
        form = {"csrf": browser.csrf(page), "code": second_code(live.state, "admin")}
        status, _, page = await browser.post("/login/code", form)
        assert status == 401
        assert "log in again" in page
        # A forged pending cookie (the account name, no valid seal) changes nothing.
        browser.session.cookie_jar.update_cookies({"sv_mfa": "admin|9999999999|00"})
        status, _, _ = await browser.post("/login/code", form)
        assert status == 401
    finally:
        await browser.close()


async def test_an_admin_resets_a_lost_authenticator(live: LiveServer) -> None:
    live.state.accounts.add("sup", "supervisor", ("shelter",), SUPERVISOR_PASSWORD)
    enrol(live.state, "sup")
    admin = Browser(live.url)
    try:
        _, _, page = await admin.password_step("admin", PASSWORDS["admin"])
        status, where, page = await admin.code_step(page, second_code(live.state, "admin"))
        assert where == "/dashboard"
        _, _, users = await admin.get("/admin/users")
        assert "Remove authenticator" in users
        status, _, done = await admin.post("/admin/users/sup/mfa-reset",
                                           {"csrf": admin.csrf(users)})  # fmt: skip
        assert status == 200
        assert "password only" in done
        assert not live.state.accounts.second_factor.enrolled("sup")
        entries = live.state.store.audit_entries(10, action="user-mfa-reset")
        assert [(e.actor, e.detail) for e in entries] == [("admin", "sup")]
    finally:
        await admin.close()


def _database_text(engine: Engine) -> str:
    """Every value of every table as text: what a copy of the database would show."""
    tables = sa.MetaData()
    tables.reflect(engine)
    with engine.connect() as conn:
        rows = [row for table in tables.sorted_tables for row in conn.execute(table.select())]
    return "\n".join(repr(tuple(row)) for row in rows)


async def test_an_earlier_releases_plain_key_and_unpeppered_hash_are_redone_at_login(
    live: LiveServer,
) -> None:
    accounts = live.state.accounts
    accounts.add("sup", "supervisor", ("shelter",), SUPERVISOR_PASSWORD)
    # The rows as an earlier release left them: Argon2id of the bare password, a plain key.
    accounts.store.update("sup", password_hash=hasher().hash(SUPERVISOR_PASSWORD))
    seed, mfa = new_secret(), accounts.second_factor.store
    mfa.put(MfaRow("sup", seed))
    assert seed in _database_text(mfa.engine)
    browser = Browser(live.url)
    try:
        _, where, page = await browser.password_step("sup", SUPERVISOR_PASSWORD)
        assert where.startswith("/login/code")
        status, where, _ = await browser.code_step(page, pyotp.TOTP(seed).now())
        assert (status, where) == (200, "/dashboard")
    finally:
        await browser.close()
    stored = _database_text(mfa.engine)
    assert seed not in stored
    assert "'$argon2id$" not in stored  # every password hash now starts with its pepper's id
    assert "'$sv-pepper$k=" in stored


async def test_a_changed_authenticator_key_asks_for_a_recovery_code_kindly(
    live: LiveServer,
) -> None:
    # Regression for ASVS 2.8.2: a sealed key that does not open (changed in the
    # database, or the server's secret key changed) must not end in a traceback.
    live.state.accounts.add("sup", "supervisor", ("shelter",), SUPERVISOR_PASSWORD)
    seed = enrol(live.state, "sup")
    mfa = live.state.accounts.second_factor.store
    row = mfa.get("sup")
    assert row is not None
    assert row.secret is not None
    mfa.put(dataclasses.replace(row, secret=flip(row.secret, 20)))
    browser = Browser(live.url)
    try:
        _, _, page = await browser.password_step("sup", SUPERVISOR_PASSWORD)
        status, _, page = await browser.code_step(page, pyotp.TOTP(seed).now())
        assert status == 409
        assert "cannot be read" in page
        assert "recovery codes" in page
        assert "Traceback" not in page
        codes = RECOVERY[(str(mfa.engine.url), "sup")]
        status, where, _ = await browser.code_step(page, codes.pop())
        assert status == 200
        assert where.startswith("/account")  # where the app can be set up again
    finally:
        await browser.close()
    actions = {e.action for e in live.state.store.audit_entries(20, actor="sup")}
    assert "login-code-unreadable" in actions
