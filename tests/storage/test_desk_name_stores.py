"""The desk's display-name store, run on SQLite and on a real PostgreSQL server: every web
process reads the name a worker last claimed a case with from the same database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage.desk_names import DeskNameStore
from bot.storage.feedback import FeedbackStore


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/desk.db"
    return str(request.getfixturevalue("pg_database_url"))


@pytest.fixture
def store(url: str) -> Iterator[DeskNameStore]:
    with FeedbackStore(url) as database:
        names = DeskNameStore(database.engine)
        names.create_schema()
        yield names


def test_an_account_without_a_name_reads_empty(store: DeskNameStore) -> None:
    assert store.get("ana") == ""


def test_the_last_name_set_is_kept(store: DeskNameStore) -> None:
    store.set("ana", "Ana")
    store.set("ana", "Ana M.")
    store.set("bob", "Bob")
    assert (store.get("ana"), store.get("bob")) == ("Ana M.", "Bob")


def test_names_keep_any_script(store: DeskNameStore) -> None:
    store.set("ana", "Ána — أنا")
    assert store.get("ana") == "Ána — أنا"


def test_another_process_sees_the_same_name(store: DeskNameStore, url: str) -> None:
    store.set("ana", "Ana")
    with FeedbackStore(url) as other:  # what a second `serve` process opens
        assert DeskNameStore(other.engine).get("ana") == "Ana"
