"""One test suite for the SQL feedback store, run on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.errors import StorageError
from bot.privacy import session_key
from bot.storage import (
    Answer,
    FeedbackFilters,
    FeedbackRecord,
    FeedbackStore,
    QuestionCount,
    TextAnswer,
    ValueCount,
    WeekCount,
    database_url,
)

MONDAY = dt.date(2024, 3, 4)  # 2024-W10


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FeedbackStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/nested/feedback.db"
    else:
        url = request.getfixturevalue("pg_database_url")
    with FeedbackStore(url) as opened:
        opened.create_schema()
        yield opened


def record(
    *answers: Answer,
    service: str | None = "shelter",
    day: dt.date = MONDAY,
    age_band: str = "13-17",
    language: str = "ro",
    flow_id: str = "feedback",
) -> FeedbackRecord:
    return FeedbackRecord.build(
        flow_id=flow_id,
        flow_version=2,
        age_band=age_band,
        language=language,
        service=service,
        answers=answers,
        today=day,
    )


def raw_rows(store: FeedbackStore) -> list[str]:
    """Every stored cell of both feedback tables as text (but the random ids, which are hex
    and may hold digit runs by chance): what someone with a database dump would see."""
    cells: list[str] = []
    with store.engine.connect() as conn:
        for table in ("feedback_records", "feedback_answers"):
            for row in conn.execute(sa.text(f"SELECT * FROM {table}")).mappings():  # noqa: S608
                cells.extend(str(v) for k, v in row.items() if k not in ("id", "record_id"))
    return cells


def test_round_trip(store: FeedbackStore) -> None:
    added = record(
        Answer("safe", "yes_no", "yes"),
        Answer("staff", "scale", "4"),
        Answer("liked", "multi", "food"),
        Answer("liked", "multi", "friends"),
        Answer("where", "choice", "room"),
        Answer("say", "text", "Mi-a plăcut grădina 🌷"),
    )
    store.add(added)
    [loaded] = list(store.iter_records())
    assert loaded.id == added.id
    assert loaded.iso_week == "2024-W10"
    assert loaded.week_start == MONDAY
    assert (loaded.flow_id, loaded.flow_version, loaded.service) == ("feedback", 2, "shelter")
    assert set(loaded.answers) == set(added.answers)
    assert store.count() == 1


def test_create_schema_is_idempotent(store: FeedbackStore) -> None:
    store.add(record(Answer("safe", "yes_no", "no")))
    store.create_schema()
    assert store.count() == 1


def test_records_table_holds_nothing_that_identifies_a_person(store: FeedbackStore) -> None:
    columns = {c["name"] for c in sa.inspect(store.engine).get_columns("feedback_records")}
    assert columns == {
        "id", "flow_id", "flow_version", "age_band", "language", "service", "iso_week",
        "created_week_start",
    }  # fmt: skip


def test_aggregate_counts_records_per_value(store: FeedbackStore) -> None:
    for value in ("yes", "yes", "no"):
        store.add(record(Answer("safe", "yes_no", value), Answer("say", "text", "ok")))
    store.add(record(Answer("safe", "yes_no", "yes"), service="health"))
    store.add(record(Answer("liked", "multi", "food"), Answer("liked", "multi", "music")))
    assert store.aggregate() == [
        ValueCount("health", None, "safe", "yes_no", "yes", 1),
        ValueCount("shelter", None, "liked", "multi", "food", 1),
        ValueCount("shelter", None, "liked", "multi", "music", 1),
        ValueCount("shelter", None, "safe", "yes_no", "no", 1),
        ValueCount("shelter", None, "safe", "yes_no", "yes", 2),
    ]
    assert QuestionCount("shelter", None, "say", "text", 3) in store.respondents()
    assert QuestionCount("shelter", None, "liked", "multi", 1) in store.respondents()


def test_aggregate_by_week(store: FeedbackStore) -> None:
    store.add(record(Answer("safe", "yes_no", "yes")))
    store.add(record(Answer("safe", "yes_no", "yes"), day=MONDAY + dt.timedelta(days=6)))
    store.add(record(Answer("safe", "yes_no", "yes"), day=MONDAY + dt.timedelta(days=7)))
    assert store.aggregate(by_week=True) == [
        ValueCount("shelter", "2024-W10", "safe", "yes_no", "yes", 2),
        ValueCount("shelter", "2024-W11", "safe", "yes_no", "yes", 1),
    ]
    assert store.weekly_counts() == [
        WeekCount("shelter", "2024-W10", 2),
        WeekCount("shelter", "2024-W11", 1),
    ]


def test_records_without_a_service(store: FeedbackStore) -> None:
    store.add(record(Answer("safe", "yes_no", "yes"), service=None))
    store.add(record(Answer("safe", "yes_no", "yes")))
    assert [row.service for row in store.aggregate()] == ["shelter", None]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (FeedbackFilters(), 6),
        (FeedbackFilters(services=("shelter",)), 4),
        (FeedbackFilters(services=("shelter", "health")), 5),
        (FeedbackFilters(age_band="8-12"), 1),
        (FeedbackFilters(language="ar"), 1),
        (FeedbackFilters(flow_id="other"), 1),
        (FeedbackFilters(week_from="2024-W11"), 2),
        (FeedbackFilters(week_to="2024-W10"), 4),
        (FeedbackFilters(week_from="2024-W11", week_to="2024-W11"), 1),
        (FeedbackFilters(services=("shelter",), language="ar"), 0),
    ],
)
def test_filters(store: FeedbackStore, filters: FeedbackFilters, expected: int) -> None:
    yes = Answer("safe", "yes_no", "yes")
    store.add(record(yes))
    store.add(record(yes, age_band="8-12"))
    store.add(record(yes, service="health", language="ar"))
    store.add(record(yes, flow_id="other", service="legal"))
    store.add(record(yes, day=MONDAY + dt.timedelta(days=7)))
    store.add(record(yes, day=MONDAY + dt.timedelta(days=14)))
    assert store.count(filters) == expected
    assert len(list(store.iter_records(filters))) == expected
    assert sum(row.records for row in store.aggregate(filters)) == expected


def test_malformed_week_filter_is_refused() -> None:
    with pytest.raises(ValueError, match="ISO week"):
        FeedbackFilters(week_from="2024-10")


def test_iter_records_pages_through_everything(store: FeedbackStore) -> None:
    added = {store_add(store, record(Answer("safe", "yes_no", "yes"))) for _ in range(7)}
    seen = [r.id for r in store.iter_records(batch_size=2)]
    assert sorted(seen) == sorted(added)
    assert seen == sorted(seen)  # id order: random, so it says nothing about time


def store_add(store: FeedbackStore, rec: FeedbackRecord) -> str:
    store.add(rec)
    return rec.id


def test_purge_text_keeps_the_counts(store: FeedbackStore) -> None:
    old = record(Answer("safe", "yes_no", "yes"), Answer("say", "text", "old words"))
    new = record(
        Answer("safe", "yes_no", "no"),
        Answer("say", "text", "new words"),
        day=MONDAY + dt.timedelta(days=7),
    )
    store.add(old)
    store.add(new)
    # On the Monday of W11, W10 has ended: its text goes, W11's stays.
    assert store.purge_text_older_than(MONDAY + dt.timedelta(days=7)) == 1
    assert store.text_answers() == [TextAnswer("shelter", "say", "new words")]
    assert store.count() == 2


def test_purge_records_respects_whole_weeks(store: FeedbackStore) -> None:
    store.add(record(Answer("safe", "yes_no", "yes")))
    store.add(record(Answer("safe", "yes_no", "yes"), day=MONDAY + dt.timedelta(days=7)))
    # Sunday of W10: W10 has not ended yet, nothing goes.
    assert store.purge_records_older_than(MONDAY + dt.timedelta(days=6)) == 0
    assert store.purge_records_older_than(MONDAY + dt.timedelta(days=7)) == 1
    assert [r.iso_week for r in store.iter_records()] == ["2024-W11"]
    assert store.aggregate() == [ValueCount("shelter", None, "safe", "yes_no", "yes", 1)]


PERSONAL = [
    ("sună-mă la 0721 234 567", "0721"),
    ("my number is +40 721 234 567", "721"),
    ("رقمي ٠٧٢١٢٣٤٥٦٧", "٠٧٢١"),
    ("write to ana.maria@gmail.com", "gmail"),
    ("ana at yahoo dot com", "yahoo"),
    ("insta @ana_maria_2009", "ana_maria"),
    ("tg t.me/anamaria09", "anamaria"),
    ("CNP 5090101123456", "5090101"),
]


@pytest.mark.parametrize(("typed", "secret"), PERSONAL)
def test_text_is_scrubbed_on_write(store: FeedbackStore, typed: str, secret: str) -> None:
    # Callers scrub too; the store must not rely on it.
    store.add(record(Answer("say", "text", f"Hello! {typed}. Thanks")))
    cells = raw_rows(store)
    assert not any(secret in cell for cell in cells)
    assert not any(re.search(r"\d{6,}|@\w|://", cell) for cell in cells)
    [answer] = next(store.iter_records()).answers
    assert answer.value.startswith("Hello! ")
    assert re.search(r"\[(phone|email|handle|link|number)\]", answer.value)


def test_empty_text_is_not_stored(store: FeedbackStore) -> None:
    store.add(record(Answer("say", "text", " \u202e\u200b ")))
    [loaded] = list(store.iter_records())
    assert loaded.answers == ()


def test_no_session_key_or_user_id_reaches_the_database(store: FeedbackStore) -> None:
    user_id = 987654321
    key = session_key(b"secret", "telegram", user_id)
    store.add(record(Answer("safe", "yes_no", "yes"), Answer("say", "text", f"id {user_id}")))
    assert not any(key in cell or str(user_id) in cell for cell in raw_rows(store))


@pytest.mark.parametrize(
    "answer",
    [
        Answer("x", "freeform", "hi"),
        Answer("x", "yes_no", "maybe"),
        Answer("x", "scale", "four"),
        Answer("x", "choice", ""),
        Answer("x", "choice", "a" * 201),
    ],
)
def test_invalid_answers_are_refused(store: FeedbackStore, answer: Answer) -> None:
    with pytest.raises(StorageError, match="question 'x'"):
        store.add(record(answer))
    assert store.count() == 0


def test_a_session_key_cannot_be_used_as_record_id(store: FeedbackStore) -> None:
    built = record(Answer("safe", "yes_no", "yes"))
    keyed = dataclasses.replace(built, id=session_key(b"s", "telegram", 1))
    with pytest.raises(StorageError, match="32 random hex"):
        store.add(keyed)


def test_concurrent_writers_get_distinct_ids(store: FeedbackStore) -> None:
    def add_one(i: int) -> str:
        rec = record(Answer("safe", "yes_no", "yes" if i % 2 else "no"))
        store.add(rec)
        return rec.id

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(add_one, range(80)))
    assert len(set(ids)) == 80
    assert store.count() == 80
    assert sum(row.records for row in store.aggregate()) == 80


def test_audit_log(store: FeedbackStore) -> None:
    at = dt.datetime(2024, 3, 4, 10, 30, tzinfo=dt.UTC)
    store.audit("worker@ngo.example", "export", "csv, shelter", at=at)
    store.audit("admin", "purge")
    newest, oldest = store.audit_entries()
    assert (newest.actor, newest.action, newest.detail) == ("admin", "purge", "")
    assert oldest.at == at
    assert oldest.detail == "csv, shelter"


def test_sqlite_folder_is_created(tmp_path: Path) -> None:
    with FeedbackStore(f"sqlite:///{tmp_path}/a/b/feedback.db") as fresh:
        fresh.create_schema()
    assert (tmp_path / "a" / "b" / "feedback.db").exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "not valid"),
        ("mysql://u@127.0.0.1/x", "Unsupported database"),
    ],
)
def test_bad_url_gives_a_readable_error(url: str, message: str) -> None:
    with pytest.raises(StorageError, match=message):
        FeedbackStore(url)


def test_unreachable_server_gives_a_readable_error() -> None:
    with (
        FeedbackStore("postgresql://sv:hunter2@127.0.0.1:9/feedback") as unreachable,
        pytest.raises(StorageError) as caught,
    ):
        unreachable.count()
    text = str(caught.value)
    assert "failed while counting feedback" in text
    assert "hunter2" not in text
    assert "\n" not in text
    assert caught.value.__cause__ is None  # nothing extra for a traceback to print


def test_missing_tables_give_a_storage_error(tmp_path: Path) -> None:
    with (
        FeedbackStore(f"sqlite:///{tmp_path}/empty.db") as empty,
        pytest.raises(StorageError, match="counting feedback"),
    ):
        empty.count()


def test_long_free_text_in_any_script_is_stored(store: FeedbackStore) -> None:
    # Regression: a (question_key, value) index over free text overflows PostgreSQL's b-tree
    # entry limit (2704 bytes) for 2000 hard-to-compress characters; it now leaves text out.
    rng = random.Random(1)
    chinese = "".join(chr(rng.randrange(0x4E00, 0x9FFF)) for _ in range(4000))
    store.add(record(Answer("say", "text", chinese), Answer("safe", "yes_no", "yes")))
    [loaded] = store.text_answers()
    assert len(loaded.value) == 2000


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgres://u@127.0.0.1/db", "postgresql+psycopg"),
        ("postgresql://u@127.0.0.1/db", "postgresql+psycopg"),
        ("postgresql+asyncpg://u@127.0.0.1/db", "postgresql+psycopg"),
        ("sqlite://", "sqlite+pysqlite"),
    ],
)
def test_database_urls_are_normalised(url: str, driver: str) -> None:
    assert database_url(url).drivername == driver


def test_in_memory_sqlite_is_one_database() -> None:
    with FeedbackStore("sqlite://") as memory:
        memory.create_schema()
        memory.add(record(Answer("safe", "yes_no", "yes")))
        assert memory.count() == 1
