"""Peppered passwords (ASVS 2.4.5, bot/staff/passwords.py and accounts.py): a hash
verifies only with the pepper it was made with; unpeppered hashes of earlier releases
and hashes under a previous secret key verify once more and are redone at that login."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.staff.accounts import Accounts
from bot.staff.keys import StaffKeys
from bot.staff.passwords import PEPPERED, PasswordHashes, hasher
from bot.storage.accounts import AccountRow, SqlAccountStore
from bot.storage.feedback import FeedbackStore

PASSWORD = "a long password here"
OLD_SECRET = b"an-old-secret-key-of-at-least-32-characters"
NEW_SECRET = b"a-new-secret-key-of-at-least-32-characters!"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlAccountStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/accounts.db"
    else:
        url = request.getfixturevalue("pg_database_url")
    with FeedbackStore(url) as database:
        database.create_schema()
        yield SqlAccountStore(database.engine)


def _stored(store: SqlAccountStore, name: str = "ana") -> str:
    row = store.get(name)
    assert row is not None
    return row.password_hash


def test_a_hash_made_with_one_pepper_does_not_verify_with_another() -> None:
    old, new = PasswordHashes(StaffKeys(OLD_SECRET)), PasswordHashes(StaffKeys(NEW_SECRET))
    made = old.hash(PASSWORD)
    assert made.startswith(PEPPERED)
    assert old.verify(made, PASSWORD)
    assert not new.verify(made, PASSWORD)
    assert not old.verify(made, PASSWORD + "x")
    # Nor does argon2 alone accept it with the bare password, pepper stripped off.
    assert not PasswordHashes(None).verify("$" + made.split("$", 3)[3], PASSWORD)


def test_an_unpeppered_hash_verifies_once_and_is_peppered_at_that_login(
    store: SqlAccountStore,
) -> None:
    # A row as earlier releases wrote it: Argon2id of the password alone.
    store.insert(AccountRow("ana", "worker", ("ngo",), hasher().hash(PASSWORD)))
    accounts = Accounts(store, keys=StaffKeys(NEW_SECRET))
    assert accounts.verify("ana", "not the password") is None
    assert _stored(store).startswith("$argon2id$")  # a failed login changes nothing
    assert accounts.verify("ana", PASSWORD) is not None
    upgraded = _stored(store)
    assert upgraded.startswith(f"{PEPPERED}{StaffKeys(NEW_SECRET).current_id}$argon2id$")
    assert accounts.verify("ana", PASSWORD) is not None
    assert _stored(store) == upgraded  # done once
    assert not PasswordHashes(None).verify(upgraded, PASSWORD)  # the database alone: no


def test_a_previous_secret_key_still_verifies_and_is_replaced_at_login(
    store: SqlAccountStore,
) -> None:
    Accounts(store, keys=StaffKeys(OLD_SECRET)).add("ana", "worker", ("ngo",), PASSWORD)
    assert Accounts(store, keys=StaffKeys(NEW_SECRET)).verify("ana", PASSWORD) is None
    rotated = Accounts(store, keys=StaffKeys(NEW_SECRET, [OLD_SECRET]))
    assert rotated.verify("ana", PASSWORD) is not None
    assert _stored(store).startswith(f"{PEPPERED}{StaffKeys(NEW_SECRET).current_id}$")
    # Once everyone has logged in, the previous key can go.
    assert Accounts(store, keys=StaffKeys(NEW_SECRET)).verify("ana", PASSWORD) is not None


def test_without_keys_a_peppered_hash_is_a_plain_mismatch(store: SqlAccountStore) -> None:
    Accounts(store, keys=StaffKeys(NEW_SECRET)).add("ana", "worker", ("ngo",), PASSWORD)
    assert Accounts(store).verify("ana", PASSWORD) is None  # no exception, no rehash
    assert Accounts(store).verify("nobody", PASSWORD) is None
