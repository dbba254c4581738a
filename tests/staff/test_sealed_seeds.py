"""Authenticator keys at rest (ASVS 2.8.2, bot/staff/second_factor.py): stored only
sealed, plain ones of earlier releases sealed at start and when read, a previous secret's
sealed again under the current one, and a changed row refused with recovery codes still
working."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest

from bot.staff.keys import SEALED, SeedUnreadable, StaffKeys
from bot.staff.mfa import new_secret
from bot.staff.second_factor import SecondFactor
from bot.storage.feedback import FeedbackStore
from bot.storage.staff_mfa import MfaRow, SqlMfaStore
from tests.fixtures.keys import flip

OLD_SECRET = b"an-old-secret-key-of-at-least-32-characters"
NEW_SECRET = b"a-new-secret-key-of-at-least-32-characters!"
KEYS = StaffKeys(NEW_SECRET)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlMfaStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/mfa.db"
    else:
        url = request.getfixturevalue("pg_database_url")
    with FeedbackStore(url) as database:
        database.create_schema()
        yield SqlMfaStore(database.engine)


def _row(store: SqlMfaStore, name: str = "ana") -> MfaRow:
    row = store.get(name)
    assert row is not None
    return row


def _enrolled(store: SqlMfaStore) -> tuple[SecondFactor, str, list[str]]:
    second = SecondFactor(store, KEYS)
    seed = second.begin("ana")
    codes = second.confirm("ana", pyotp.TOTP(seed).now())
    assert codes is not None
    return second, seed, codes


def test_enrolment_stores_the_key_only_sealed(store: SqlMfaStore) -> None:
    second = SecondFactor(store, KEYS)
    seed = second.begin("ana")
    pending = _row(store).pending
    assert pending is not None
    assert pending.startswith(SEALED)
    assert seed not in pending
    assert second.pending("ana") == seed
    assert second.confirm("ana", pyotp.TOTP(seed).now()) is not None
    row = _row(store)
    assert row.secret is not None
    assert row.secret.startswith(SEALED)
    assert seed not in repr(store.all())
    assert second.check("ana", pyotp.TOTP(seed).at((row.last_step or 0) * 30 + 30)) == "totp"


def test_plain_keys_of_an_earlier_release_are_sealed_at_start(store: SqlMfaStore) -> None:
    seed, pending = new_secret(), new_secret()
    store.put(MfaRow("ana", seed, pending, None, ("h1",)))
    store.put(MfaRow("bob", new_secret()))
    second = SecondFactor(store, KEYS)
    assert second.seal_stored() == (3, 0)
    assert second.seal_stored() == (0, 0)  # each once
    row = _row(store)
    assert row.secret is not None
    assert KEYS.open("ana", row.secret) == seed
    assert row.pending is not None
    assert KEYS.open("ana", row.pending) == pending
    assert seed not in repr(store.all())
    assert pending not in repr(store.all())
    assert dataclasses.replace(row, secret=None, pending=None) == MfaRow("ana", recovery=("h1",))


def test_a_plain_key_is_sealed_when_read_at_login(store: SqlMfaStore) -> None:
    # A row a process of the earlier release wrote after this one started.
    seed = new_secret()
    store.put(MfaRow("ana", seed))
    assert SecondFactor(store, KEYS).check("ana", pyotp.TOTP(seed).now()) == "totp"
    secret = _row(store).secret
    assert secret is not None
    assert KEYS.is_current(secret)
    assert seed not in secret


def test_a_previous_secret_keys_seal_is_redone_under_the_current_one(store: SqlMfaStore) -> None:
    seed = new_secret()
    store.put(MfaRow("ana", StaffKeys(OLD_SECRET).seal("ana", seed)))
    assert SecondFactor(store, KEYS).seal_stored() == (0, 1)  # without the old key: unreadable
    rotated = SecondFactor(store, StaffKeys(NEW_SECRET, [OLD_SECRET]))
    assert rotated.seal_stored() == (1, 0)
    secret = _row(store).secret
    assert secret is not None
    assert KEYS.open("ana", secret) == seed


def test_a_tampered_key_is_refused_and_recovery_codes_still_work(store: SqlMfaStore) -> None:
    second, seed, codes = _enrolled(store)
    row = _row(store)
    assert row.secret is not None
    store.put(dataclasses.replace(row, secret=flip(row.secret, 20)))
    with pytest.raises(SeedUnreadable):
        second.check("ana", pyotp.TOTP(seed).now())
    assert second.enrolled("ana")  # the factor stays required: a changed row opens nothing
    assert second.check("ana", codes[0]) == "recovery"
    # Setting the app up again replaces the unreadable key.
    fresh = second.begin("ana")
    assert second.confirm("ana", pyotp.TOTP(fresh).now()) is not None


def test_a_sealed_key_copied_to_another_account_does_not_open_there(store: SqlMfaStore) -> None:
    _, seed, _ = _enrolled(store)
    store.put(MfaRow("bob", _row(store).secret))
    with pytest.raises(SeedUnreadable):
        SecondFactor(store, KEYS).check("bob", pyotp.TOTP(seed).now())
