"""The second-factor rows on SQLite and on a real PostgreSQL server, and the rules over
them (bot/staff/second_factor.py): a step used once, a recovery code used once, even
when two logins race."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyotp
import pytest

from bot.staff.mfa import totp_step
from bot.staff.second_factor import SecondFactor
from bot.storage.feedback import FeedbackStore
from bot.storage.staff_mfa import MfaRow, SqlMfaStore
from tests.fixtures.keys import TEST_KEYS


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlMfaStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/mfa.db"
    else:
        url = request.getfixturevalue("pg_database_url")
    with FeedbackStore(url) as database:
        database.create_schema()
        yield SqlMfaStore(database.engine)


def test_rows_round_trip_and_delete(store: SqlMfaStore) -> None:
    row = MfaRow("ana", "A" * 32, None, 123, ("h1", "h2"))
    store.put(row)
    assert store.get("ana") == row
    store.put(MfaRow("ana", pending="B" * 32))
    assert store.get("ana") == MfaRow("ana", None, "B" * 32, None, ())
    assert store.delete("ana")
    assert store.get("ana") is None
    assert not store.delete("ana")


def test_a_step_is_used_once_even_by_two_logins_at_once(store: SqlMfaStore) -> None:
    store.put(MfaRow("ana", "A" * 32))
    with ThreadPoolExecutor(4) as pool:
        won = list(pool.map(lambda _: store.use_step("ana", 1000), range(4)))
    assert won.count(True) == 1
    assert not store.use_step("ana", 999)  # an older step neither
    assert store.use_step("ana", 1001)


def test_a_recovery_code_is_used_once(store: SqlMfaStore) -> None:
    second = SecondFactor(store, TEST_KEYS)
    secret = second.begin("ana")
    assert not second.enrolled("ana")  # pending until a code confirms it
    assert second.check("ana", pyotp.TOTP(secret).now()) is None
    codes = second.confirm("ana", pyotp.TOTP(secret).now())
    assert codes is not None
    assert second.enrolled("ana")
    assert second.check("ana", codes[0]) == "recovery"
    assert second.check("ana", codes[0]) is None
    assert second.recovery_left("ana") == 9
    fresh = second.new_recovery("ana")
    assert second.check("ana", codes[1]) is None  # the old set stopped working
    assert second.check("ana", fresh[0].replace("-", " ").lower()) == "recovery"


def test_a_new_phone_replaces_the_old_only_once_confirmed(store: SqlMfaStore) -> None:
    second = SecondFactor(store, TEST_KEYS)
    old = second.begin("ana")
    assert second.confirm("ana", pyotp.TOTP(old).now())
    new = second.begin("ana")
    assert second.enrolled("ana")  # the old app still works while the new one is pending
    assert (
        second.confirm("ana", "123456" if pyotp.TOTP(new).now() != "123456" else "654321") is None
    )
    row = store.get("ana")
    assert row is not None
    assert row.secret is not None
    assert TEST_KEYS.open("ana", row.secret) == old


def test_codes_a_step_either_side_count_and_others_not() -> None:
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    now = 1_700_000_015.0
    step = int(now // 30)
    assert totp_step(secret, totp.at(now), None, now) == step
    assert totp_step(secret, totp.at(now - 30), None, now) == step - 1
    assert totp_step(secret, totp.at(now + 30), None, now) == step + 1
    assert totp_step(secret, totp.at(now - 90), None, now) is None
    assert totp_step(secret, totp.at(now), step, now) is None  # used already
    assert totp_step(secret, " ".join(totp.at(now)), None, now) == step  # spaces are fine
    for junk in ("", "12345", "1234567", "abcdef", "١٢٣٤٥٦"):
        assert totp_step(secret, junk, None, now) is None
