"""axe-core finds nothing on the account, login and audit pages, in Chromium: the second
login step, the account page, setting up the authenticator (QR code and key), the
recovery codes, re-entering the password, the notices of a changed login, the list of
open logins, the audit log and the accounts list."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.web.conftest import PASSWORDS, LiveServer, second_code

pytestmark = pytest.mark.browser

SUPERVISOR_PASSWORD = "supervisor-password-123"
AXE = Axe()


def _clean(page: Any, what: str) -> None:
    results = AXE.run(page)
    assert results.violations_count == 0, f"{what}: {results.generate_report()}"


def _password_step(live: LiveServer, page: Any, name: str, password: str) -> None:
    page.goto(f"{live.url}/login")
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("button[type=submit]")


def test_new_staff_pages_have_no_axe_violations(live: LiveServer, page: Any) -> None:
    live.state.accounts.add("sup", "supervisor", ("shelter",), SUPERVISOR_PASSWORD)
    live.state.store.audit("sup", "case.claim", "#K7QX")

    # A supervisor without an authenticator lands on the account page and sets one up.
    _password_step(live, page, "sup", SUPERVISOR_PASSWORD)
    page.wait_for_url(re.compile(r".*/account$"))
    _clean(page, "account page")
    # Each password field has a Show button (ASVS 2.1.12) that shows and hides it again.
    page.fill("#current", "typed here")
    page.click("#current + button.show-password")
    assert page.get_attribute("#current", "type") == "text"
    assert page.get_attribute("#current + button", "aria-pressed") == "true"
    _clean(page, "account page, password shown")
    page.click("#current + button.show-password")
    assert page.get_attribute("#current", "type") == "password"
    page.goto(f"{live.url}/account/mfa")
    _clean(page, "authenticator set-up")
    secret = page.inner_text("code.secret").replace(" ", "")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("form.login button[type=submit]")
    page.wait_for_selector("ul.codes")
    _clean(page, "recovery codes")
    page.goto(f"{live.url}/account/confirm?next=/account")
    _clean(page, "re-enter the password")
    page.click("form.logout button")

    # The next login tells of that set-up first (ASVS 2.5.5); the account page has the
    # notice too, and the list of open logins (ASVS 3.3.4).
    _password_step(live, page, "sup", SUPERVISOR_PASSWORD)
    page.wait_for_url(re.compile(r".*/login/code.*"))
    page.fill("#code", second_code(live.state, "sup"))
    page.click("form.login button[type=submit]")
    page.wait_for_url(re.compile(r".*/account/notices.*"))
    _clean(page, "notices after login")
    page.goto(f"{live.url}/account")
    assert "Where you are logged in" in page.content()
    _clean(page, "account page with a notice and the logins")
    page.click("form.logout button")

    # An admin: the second login step, then the audit log and the accounts.
    _password_step(live, page, "admin", PASSWORDS["admin"])
    page.wait_for_url(re.compile(r".*/login/code.*"))
    _clean(page, "second login step")
    page.fill("#code", second_code(live.state, "admin"))
    page.click("form.login button[type=submit]")
    page.wait_for_url(re.compile(r".*/dashboard.*"))
    page.goto(f"{live.url}/admin/audit?actor=sup")
    assert "#K7QX" in page.content()
    _clean(page, "audit log")
    page.goto(f"{live.url}/admin/users")
    _clean(page, "accounts")
    # The checker itself works on these pages: an image without a text is found.
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=/x.png>')"
    )
    assert AXE.run(page).violations_count > 0
