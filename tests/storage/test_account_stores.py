"""One suite for the staff account store, run on SQLite and on a real PostgreSQL server;
then the staff rules (bot/staff/accounts.py) over it, on both."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.staff.accounts import AccountError, Accounts
from bot.storage.accounts import AccountRow, AccountStore, SqlAccountStore
from bot.storage.feedback import FeedbackStore
from tests.fixtures.keys import TEST_KEYS

PASSWORD = "a long password here"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AccountStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/accounts.db"
    else:
        url = request.getfixturevalue("pg_database_url")
    with FeedbackStore(url) as database:  # the one database accounts share with feedback
        accounts = SqlAccountStore(database.engine)
        accounts.create_schema()
        yield accounts


def row(name: str = "ana", **changes: object) -> AccountRow:
    values: dict[str, object] = {"role": "worker", "scopes": ("ngo",), "password_hash": "h1"}
    return AccountRow(name, **(values | changes))  # type: ignore[arg-type]


def test_an_inserted_row_reads_back_the_same(store: AccountStore) -> None:
    assert store.insert(row(scopes=("ngo", "city")))
    assert store.get("ana") == row(scopes=("ngo", "city"))
    assert store.get("bob") is None


def test_a_taken_name_is_refused_and_the_first_row_kept(store: AccountStore) -> None:
    assert store.insert(row())
    assert not store.insert(row(role="admin", password_hash="h2"))
    assert store.get("ana") == row()


def test_no_scopes_round_trips_as_an_empty_tuple(store: AccountStore) -> None:
    store.insert(row(role="admin", scopes=()))
    found = store.get("ana")
    assert found is not None
    assert found.scopes == ()


def test_all_lists_every_account_by_name(store: AccountStore) -> None:
    for name in ("zoe", "ana", "mihai"):
        store.insert(row(name))
    assert [found.name for found in store.all()] == ["ana", "mihai", "zoe"]


def test_update_changes_only_what_is_given(store: AccountStore) -> None:
    store.insert(row())
    assert store.update("ana", disabled=True)
    assert store.get("ana") == row(disabled=True)
    assert store.update("ana", password_hash="h2")
    assert store.get("ana") == row(disabled=True, password_hash="h2")
    assert store.update("ana", password_hash="h3", disabled=False)
    assert store.get("ana") == row(password_hash="h3")


def test_update_of_an_unknown_name_says_so(store: AccountStore) -> None:
    assert not store.update("nobody", disabled=True)
    assert store.all() == []


# -- the staff rules over each store ------------------------------------------------------
def test_passwords_are_stored_only_as_peppered_argon2id_hashes(store: AccountStore) -> None:
    accounts = Accounts(store, keys=TEST_KEYS)
    accounts.add("Ana", "worker", ("NGO",), PASSWORD)
    stored = store.get("ana")
    assert stored is not None
    assert stored.scopes == ("ngo",)
    assert PASSWORD not in stored.password_hash
    assert stored.password_hash.startswith(f"$sv-pepper$k={TEST_KEYS.current_id}$argon2id$")


def test_verify_disable_and_reset(store: AccountStore) -> None:
    accounts = Accounts(store, keys=TEST_KEYS)
    accounts.add("ana", "worker", ("ngo",), PASSWORD)
    assert accounts.verify(" ANA ", PASSWORD) is not None
    assert accounts.verify("ana", "not the password") is None
    accounts.set_disabled("ana")
    assert accounts.verify("ana", PASSWORD) is None
    accounts.reset("ana", "another long password")  # a reset enables it again
    assert accounts.verify("ana", "another long password") is not None
    assert accounts.verify("ana", PASSWORD) is None


def test_the_rules_refuse_before_the_store_is_touched(store: AccountStore) -> None:
    accounts = Accounts(store, keys=TEST_KEYS)
    for name, role, password in (("a", "worker", PASSWORD), ("ana", "boss", PASSWORD),
                                 ("ana", "worker", "short")):  # fmt: skip
        with pytest.raises(AccountError):
            accounts.add(name, role, ("ngo",), password)
    assert store.all() == []
    accounts.add("ana", "worker", ("ngo",), PASSWORD)
    with pytest.raises(AccountError, match="already exists"):
        accounts.add("ana", "admin", (), PASSWORD)
    with pytest.raises(AccountError, match="no account"):
        accounts.reset("bob", PASSWORD)
