"""Removing one comment that identifies someone (issue 11, item 3), on SQLite and a real
PostgreSQL server: its words leave every read at once, the counts stay exact, the audit
entry is written in the same transaction and never holds the words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.storage import Answer, FeedbackFilters, FeedbackRecord, FeedbackStore

MONDAY = dt.date(2024, 3, 4)
# What no scrubber can catch: no name, no number, yet everyone at the shelter knows who.
NAMING = "the only girl on the second floor whose brother works in the kitchen"
# "She lives in the room next to the kitchen on the second floor": 5 kB of UTF-8, which
# SQLite keeps in overflow pages; without secure_delete a freed one keeps the old words.
LONG = "她住在二楼厨房旁边的房间里" * 140


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FeedbackStore]:
    url = f"sqlite:///{tmp_path}/feedback.db"
    if request.param == "postgres":
        url = request.getfixturevalue("pg_database_url")
    with FeedbackStore(url) as opened:
        opened.create_schema()
        yield opened


def record(*answers: Answer, service: str | None = "shelter") -> FeedbackRecord:
    return FeedbackRecord.build(flow_id="feedback", flow_version=1, age_band="13-17",
                                language="en", service=service, answers=answers,
                                today=MONDAY)  # fmt: skip


def the_record_of(store: FeedbackStore, text: str) -> str:
    found = [r.id for r in store.iter_records() if any(a.value == text for a in r.answers)]
    assert len(found) == 1
    return found[0]


def test_a_removed_comment_leaves_every_read_and_keeps_the_counts(store: FeedbackStore) -> None:
    for n in range(5):
        store.add(record(Answer("improve", "text", f"more games {n}")))
    store.add(record(Answer("improve", "text", NAMING), Answer("safe", "text", "yes mostly")))
    before = (store.respondents(), store.respondents(by_week=True), store.weekly_counts())
    owner = the_record_of(store, NAMING)

    assert store.remove_comment(owner, "improve", "dana", "service=shelter question=improve")

    group = ("shelter", "improve")
    assert NAMING not in [t.value for t in store.text_answers()]
    assert "yes mostly" in [t.value for t in store.text_answers()]  # its other comment stays
    (sample,) = store.text_samples(FeedbackFilters(), [group], None)
    assert NAMING not in sample.texts
    assert len(sample.texts) == 5
    assert NAMING not in store.text_page(FeedbackFilters(), group, None, 100).texts
    assert [r.record_id for r in store.text_sample_refs(None, [group], None)[group]] != []
    assert owner not in [r.record_id for r in store.text_sample_refs(None, [group], None)[group]]
    assert (owner, True) in store.comment_owners(group)
    assert all(a.value != NAMING for r in store.iter_records() for a in r.answers)
    # Still counted among those who answered: the rollup and a rebuild agree.
    assert (store.respondents(), store.respondents(by_week=True), store.weekly_counts()) == before
    store.rebuild_rollup()
    assert (store.respondents(), store.respondents(by_week=True), store.weekly_counts()) == before

    (entry,) = store.audit_entries(1)
    assert (entry.actor, entry.action) == ("dana", "comment-remove")
    assert "kitchen" not in entry.detail
    assert owner not in entry.detail
    assert not store.remove_comment(owner, "improve", "dana", "again")  # nothing left to remove
    assert store.audit_entries(1)[0] == entry  # and nothing audited for it


def test_removal_keeps_purges_exact(store: FeedbackStore) -> None:
    store.add(record(Answer("improve", "text", NAMING), Answer("overall", "scale", "3")))
    store.remove_comment(the_record_of(store, NAMING), "improve", "dana", "-")
    assert store.purge_text_older_than(MONDAY + dt.timedelta(days=30)) == 1
    assert [q.question_key for q in store.respondents()] == ["overall"]
    assert store.purge_records_older_than(MONDAY + dt.timedelta(days=30)) == 1
    assert store.count() == 0


def test_a_comment_without_a_service_can_be_removed(store: FeedbackStore) -> None:
    store.add(record(Answer("improve", "text", NAMING), service=None))
    owner = the_record_of(store, NAMING)
    assert store.comment_owners((None, "improve")) == [(owner, False)]
    assert store.comment_owners(("shelter", "improve")) == []
    assert store.remove_comment(owner, "improve", "admin", "-")
    assert store.text_answers() == []


def test_sqlite_overwrites_the_words_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "feedback.db"
    with FeedbackStore(f"sqlite:///{path}") as store:
        store.create_schema()
        store.engine.dispose()
        # As where SQLite was built without secure_delete on (Debian's is on).
        sa.event.listen(store.engine, "connect", _secure_delete_off)
        store.add(record(Answer("improve", "text", NAMING)))
        store.add(record(Answer("improve", "text", LONG)))
        for text in (NAMING, LONG):
            assert store.remove_comment(the_record_of(store, text), "improve", "dana", "-")
        with store.engine.connect() as conn:  # the pooled connection went back as it came
            assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 0
    data = path.read_bytes()
    assert b"kitchen" not in data
    assert "厨房".encode() not in data


def _secure_delete_off(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.execute("PRAGMA secure_delete = OFF")
