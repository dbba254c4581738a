"""Schema migrations, on SQLite and on a real PostgreSQL server: a fresh database, one from
0.1.0 (tables, no version), a newer one, and N processes upgrading at once."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.errors import StorageError
from bot.staff.accounts import Accounts
from bot.storage import (
    accounts,
    data_version,
    desk_names,
    flow_comments,
    issued_passwords,
    rollup,
    schema_v1,
    staff_mfa,
    staff_notices,
    update_viewers,
    updates,
)
from bot.storage.accounts import SqlAccountStore
from bot.storage.desk_names import DeskNameStore
from bot.storage.feedback import FeedbackStore
from bot.storage.flow_comments import FlowComment, SqlFlowComments
from bot.storage.issued_passwords import SqlIssuedPasswords
from bot.storage.migrations import HEAD, MIGRATIONS, VERSION_TABLE, Migration, current, upgrade
from bot.storage.records import Answer, FeedbackRecord
from bot.storage.staff_mfa import MfaRow, SqlMfaStore
from bot.storage.staff_notices import SqlNoticeStore
from tests.fixtures.keys import TEST_KEYS

MONDAY = dt.date(2024, 3, 4)
NOW = dt.datetime(2024, 3, 4, 12, tzinfo=dt.UTC)
LIVE = (
    rollup.metadata,
    data_version.metadata,
    accounts.metadata,
    desk_names.metadata,
    staff_mfa.metadata,
    staff_notices.metadata,
    issued_passwords.metadata,
    updates.metadata,
    flow_comments.metadata,
    update_viewers.metadata,
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/feedback.db"
    return str(request.getfixturevalue("pg_database_url"))


@pytest.fixture
def store(url: str) -> Iterator[FeedbackStore]:
    with FeedbackStore(url) as opened:
        yield opened


def record(text: str = "") -> FeedbackRecord:
    answers = [Answer("safe", "yes_no", "yes")] + ([Answer("say", "text", text)] if text else [])
    return FeedbackRecord.build(
        flow_id="feedback",
        flow_version=1,
        age_band="13-17",
        language="ro",
        service="shelter",
        answers=answers,
        today=MONDAY,
    )


def shape(engine: Engine) -> dict[str, Any]:
    """Every table's columns, keys, indexes and constraints, as the database reports them."""
    found = sa.inspect(engine)
    tables: dict[str, Any] = {}
    for name in sorted(set(found.get_table_names()) - {VERSION_TABLE}):
        tables[name] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], c.get("default"))
                for c in found.get_columns(name)
            ],
            "primary key": found.get_pk_constraint(name)["constrained_columns"],
            "indexes": sorted(_index(i) for i in found.get_indexes(name)),
            "foreign keys": sorted(_foreign_key(f) for f in found.get_foreign_keys(name)),
            "checks": sorted((c["name"], c["sqltext"]) for c in found.get_check_constraints(name)),
            "uniques": sorted(repr(u) for u in found.get_unique_constraints(name)),
        }
    return tables


def _index(index: Any) -> tuple[Any, ...]:
    where = sorted((k, str(v)) for k, v in index.get("dialect_options", {}).items())
    return (index["name"], tuple(index["column_names"]), bool(index["unique"]), where)


def _foreign_key(key: Any) -> tuple[Any, ...]:
    options = sorted(key.get("options", {}).items())
    return (tuple(key["constrained_columns"]), key["referred_table"],
            tuple(key["referred_columns"]), options)  # fmt: skip


def make_0_1_0_database(engine: Engine, *, staff: bool = True) -> None:
    """What 0.1.0's create_schema calls left: its tables (schema_v1 is exactly those, see
    the drift test below) and no version table. Without ``staff``: a database only
    `safevoice purge` or `report` had opened, before the comment index existed."""
    with engine.begin() as conn:
        for table in schema_v1.metadata.sorted_tables:
            if staff or not table.name.startswith(("staff_", "desk_")):
                table.create(conn)
        if not staff:
            conn.execute(sa.text("DROP INDEX ix_feedback_answers_text"))


def test_a_fresh_database_is_built_at_head(store: FeedbackStore) -> None:
    assert current(store.engine) is None
    assert upgrade(store.engine) == list(MIGRATIONS)
    assert current(store.engine) == HEAD
    assert upgrade(store.engine) == []  # every later start: nothing to do


def test_the_schema_at_head_is_the_schema_the_code_uses(store: FeedbackStore) -> None:
    # The live tables (what the code queries) and the migrations must never drift apart:
    # change a table, add a migration. Today this also shows migration 1 is 0.1.0's schema.
    for metadata in LIVE:
        metadata.create_all(store.engine)
    expected = shape(store.engine)
    for metadata in LIVE:
        metadata.drop_all(store.engine)
    assert shape(store.engine) == {}
    upgrade(store.engine)
    assert shape(store.engine) == expected


def test_a_database_from_0_1_0_is_stamped_and_keeps_its_data(store: FeedbackStore) -> None:
    make_0_1_0_database(store.engine)
    store.add(record("Mi-a plăcut"))
    store.audit("admin", "login")
    staff = Accounts(SqlAccountStore(store.engine), keys=TEST_KEYS)
    staff.add("ana", "worker", ("ngo",), "a long password here")
    DeskNameStore(store.engine).set("ana", "Ana")
    before = (store.aggregate(), store.respondents(), store.text_answers())
    assert current(store.engine) is None

    assert [m.version for m in upgrade(store.engine)] == [m.version for m in MIGRATIONS]
    assert current(store.engine) == HEAD
    assert (store.aggregate(), store.respondents(), store.text_answers()) == before
    assert store.count() == 1
    assert [e.action for e in store.audit_entries()] == ["login"]
    assert staff.verify("ana", "a long password here") is not None
    assert DeskNameStore(store.engine).get("ana") == "Ana"


def test_a_database_at_version_3_gets_credential_notices_and_keeps_its_accounts(
    store: FeedbackStore,
) -> None:
    """Migration 4 adds the staff notices table (ASVS 2.2.3) and touches no other row."""
    assert [m.version for m in upgrade(store.engine, migrations=MIGRATIONS[:3])] == [1, 2, 3]
    Accounts(SqlAccountStore(store.engine), keys=TEST_KEYS).add(
        "ana", "worker", ("ngo",), "a long password here"
    )
    assert "staff_notices" not in sa.inspect(store.engine).get_table_names()
    assert [m.version for m in upgrade(store.engine, migrations=MIGRATIONS[:4])] == [4]
    staff = Accounts(
        SqlAccountStore(store.engine), keys=TEST_KEYS, notices=SqlNoticeStore(store.engine)
    )
    assert staff.verify("ana", "a long password here") is not None
    staff.reset("ana", "another long password")
    assert [n.kind for n in staff.pending_notices("ana")] == ["password"]


def test_migration_5_keeps_second_factor_rows_and_makes_room_for_sealed_keys(
    store: FeedbackStore,
) -> None:
    upgrade(store.engine, migrations=tuple(m for m in MIGRATIONS if m.version < 5))
    plain = MfaRow("ana", "A" * 32, "B" * 32, 1234, ("h1", "h2"))
    SqlMfaStore(store.engine).put(plain)
    assert [m.version for m in upgrade(store.engine, migrations=MIGRATIONS[:5])] == [5]
    mfa = SqlMfaStore(store.engine)
    assert mfa.get("ana") == plain  # the plain keys wait, untouched, for the app to seal
    sealed = TEST_KEYS.seal("ana", "A" * 32)
    assert len(sealed) > 64  # past what the column held before (PostgreSQL refused it)
    assert mfa.reseal("ana", "secret", "A" * 32, sealed)
    assert mfa.get("ana") == MfaRow("ana", sealed, "B" * 32, 1234, ("h1", "h2"))


def test_migration_7_gives_a_database_at_version_6_a_data_version_and_keeps_its_records(
    store: FeedbackStore,
) -> None:
    upgrade(store.engine, migrations=tuple(m for m in MIGRATIONS if m.version <= 6))
    assert current(store.engine) == 6
    store.add(record("kept"))  # no version row yet: nothing to bump, nothing fails
    assert store.data_version() is None  # so the dashboard caches nothing
    assert [m.version for m in upgrade(store.engine, migrations=MIGRATIONS[:7])] == [7]
    first = store.data_version()
    assert first is not None
    assert store.data_version() == first  # reading changes nothing
    store.add(record("new"))
    assert store.data_version() not in (None, first)
    assert sorted(t.value for t in store.text_answers()) == ["kept", "new"]
    assert store.count() == 2


def test_migration_8_adds_flow_comments_and_keeps_the_records(store: FeedbackStore) -> None:
    upgrade(store.engine, migrations=MIGRATIONS[:7])
    store.add(record("kept"))
    assert "flow_comments" not in sa.inspect(store.engine).get_table_names()
    assert [m.version for m in upgrade(store.engine, migrations=MIGRATIONS[:8])] == [8]
    upgrade(store.engine)  # the live table has the later migrations' columns too
    comments = SqlFlowComments(store.engine)
    comments.add(FlowComment("ada", "13-15", "service_feedback", "13-15", "ro", "felt_safe",
                             "Too direct", "Te simți bine acolo?"))  # fmt: skip
    [found] = comments.of_flow("13-15", "service_feedback")
    assert (found.account, found.step, found.suggestion) == ("ada", "felt_safe",
                                                            "Te simți bine acolo?")  # fmt: skip
    assert found.created_at is not None
    assert found.created_at.tzinfo is not None
    assert comments.of_flow("common", "service_feedback") == []
    assert sorted(t.value for t in store.text_answers()) == ["kept"]


def test_migration_9_lets_comments_be_edited_and_resolved_and_keeps_them(
    store: FeedbackStore,
) -> None:
    upgrade(store.engine, migrations=MIGRATIONS[:8])
    with store.engine.begin() as conn:  # a comment as migration 8 stored it
        conn.execute(sa.text(
            "INSERT INTO flow_comments (created_at, account, scope, flow_id, band, lang, step, "
            "text) VALUES (:at, 'ada', '13-15', 'service_feedback', '13-15', 'en', "
            "'felt_safe', 'Too direct')"), {"at": NOW})  # fmt: skip
    assert [m.version for m in upgrade(store.engine, migrations=MIGRATIONS[:9])] == [9]
    comments = SqlFlowComments(store.engine)
    [kept] = comments.of_flow("13-15", "service_feedback")
    assert (kept.text, kept.edited_at, kept.resolved) == ("Too direct", None, False)
    assert kept.id is not None
    assert not comments.edit(kept.id, "bea", "Not mine", None)  # only its author edits it
    assert comments.edit(kept.id, "ada", "Gentler, please", "Are you okay there?")
    assert comments.resolve(kept.id, "bea")
    found = comments.get(kept.id)
    assert found is not None
    assert (found.text, found.suggestion, found.resolved_by) == (
        "Gentler, please", "Are you okay there?", "bea")  # fmt: skip
    assert found.edited_at is not None
    assert found.edited_at.tzinfo is not None
    assert found.resolved
    assert comments.resolve(kept.id, None)  # reopened
    reopened = comments.get(kept.id)
    assert reopened is not None
    assert (reopened.resolved, reopened.resolved_by) == (False, None)
    assert comments.get(kept.id + 1) is None
    assert not comments.resolve(kept.id + 1, "bea")


def test_migration_10_counts_viewers_and_marks_no_earlier_text_as_a_machine_draft(
    store: FeedbackStore,
) -> None:
    upgrade(store.engine, migrations=MIGRATIONS[:9])
    with store.engine.begin() as conn:  # an update text as migration 3 stored it
        conn.execute(sa.text(
            "INSERT INTO service_update_texts (update_id, lang, said, changed, added_by) "
            "VALUES ('u1', 'en', 'Food was cold', 'Hot meals now', 'ada')"))  # fmt: skip
    assert [m.version for m in upgrade(store.engine, migrations=MIGRATIONS[:10])] == [10]
    with store.engine.begin() as conn:
        rows = conn.execute(sa.text(
            "SELECT said, machine FROM service_update_texts")).all()  # fmt: skip
        assert [(r[0], bool(r[1])) for r in rows] == [("Food was cold", False)]
        conn.execute(sa.text("INSERT INTO update_viewers VALUES ('u1', 'v1')"))
        seen = conn.execute(sa.text("SELECT count(*) FROM update_viewers")).scalar()
    assert seen == 1


def test_a_0_1_0_database_gets_the_tables_and_indexes_it_lacked(store: FeedbackStore) -> None:
    make_0_1_0_database(store.engine, staff=False)
    store.add(record("kept"))
    store.create_schema()
    assert current(store.engine) == HEAD
    indexes = {i["name"] for i in sa.inspect(store.engine).get_indexes("feedback_answers")}
    assert "ix_feedback_answers_text" in indexes
    assert SqlAccountStore(store.engine).all() == []
    assert [t.value for t in store.text_answers()] == ["kept"]


def test_every_create_schema_goes_through_the_migrations(url: str) -> None:
    creates: list[Callable[[FeedbackStore], None]] = [
        lambda store: SqlAccountStore(store.engine).create_schema(),
        lambda store: DeskNameStore(store.engine).create_schema(),
        FeedbackStore.create_schema,
    ]
    for create in creates:
        with FeedbackStore(url) as fresh:
            for metadata in LIVE:
                metadata.drop_all(fresh.engine)
            with fresh.engine.begin() as conn:
                conn.execute(sa.text(f"DROP TABLE IF EXISTS {VERSION_TABLE}"))
            create(fresh)
            assert current(fresh.engine) == HEAD
            assert set(sa.inspect(fresh.engine).get_table_names()) >= {
                "feedback_records", "staff_accounts", "desk_display_names", VERSION_TABLE,
            }  # fmt: skip


def test_a_database_newer_than_the_code_is_refused(store: FeedbackStore) -> None:
    upgrade(store.engine)
    store.add(record())
    with store.engine.begin() as conn:
        versions = sa.Table(VERSION_TABLE, sa.MetaData(), autoload_with=conn)
        conn.execute(
            versions.insert().values(version=HEAD + 1, title="a newer SafeVoice's", applied_at=NOW)
        )
    for start in (lambda: upgrade(store.engine), store.create_schema):
        with pytest.raises(StorageError, match="Upgrade SafeVoice here") as caught:
            start()
        assert f"schema version {HEAD + 1}" in str(caught.value)
        assert "\n" not in str(caught.value)
    assert current(store.engine) == HEAD + 1
    assert store.count() == 1


def _add_channel(conn: Connection) -> None:
    conn.execute(sa.text("ALTER TABLE feedback_records ADD COLUMN channel VARCHAR(16)"))
    conn.execute(sa.text("UPDATE feedback_records SET channel = 'telegram'"))


def test_a_next_migration_runs_once_on_a_database_at_head(store: FeedbackStore) -> None:
    upgrade(store.engine)
    store.add(record("still here"))
    steps = [*MIGRATIONS, Migration(HEAD + 1, "feedback records say their channel", _add_channel)]
    assert [m.version for m in upgrade(store.engine, migrations=steps)] == [HEAD + 1]
    assert upgrade(store.engine, migrations=steps) == []
    assert current(store.engine) == HEAD + 1
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT channel FROM feedback_records")).all() == [
            ("telegram",)
        ]
    assert [t.value for t in store.text_answers()] == ["still here"]
    with pytest.raises(StorageError, match="newer SafeVoice"):
        upgrade(store.engine)  # the code without that migration refuses it now


def test_a_failing_migration_changes_nothing(store: FeedbackStore) -> None:
    upgrade(store.engine)

    def broken(conn: Connection) -> None:
        conn.execute(sa.text("CREATE TABLE half_done (id INTEGER)"))
        conn.execute(sa.text("ALTER TABLE no_such_table ADD COLUMN x INTEGER"))

    with pytest.raises(StorageError, match="failed while upgrading the schema"):
        upgrade(store.engine, migrations=[*MIGRATIONS, Migration(HEAD + 1, "broken", broken)])
    assert current(store.engine) == HEAD
    assert "half_done" not in sa.inspect(store.engine).get_table_names()


def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 20
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.01)


def test_two_processes_upgrading_at_once_apply_each_migration_once(url: str) -> None:
    entered: list[str] = []
    go_on = threading.Event()
    locking: list[str] = []

    def slow(conn: Connection) -> None:
        entered.append(threading.current_thread().name)
        go_on.wait(20)
        schema_v1.create(conn)

    def watch(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if "pg_advisory_xact_lock" in statement or statement == "BEGIN IMMEDIATE":
            locking.append(statement)

    stores = [FeedbackStore(url), FeedbackStore(url)]
    try:
        for opened in stores:
            sa.event.listen(opened.engine, "before_cursor_execute", watch)
        with ThreadPoolExecutor(2) as pool:
            steps = [Migration(1, "slow", slow)]
            runs = [pool.submit(upgrade, s.engine, migrations=steps) for s in stores]
            # One is inside the migration and the other has asked for the lock: without
            # the lock both would now be creating the same tables.
            _until(lambda: len(entered) == 1 and len(locking) == 2, "both reached the lock")
            go_on.set()
            applied = sorted(len(run.result(timeout=30)) for run in runs)
        assert applied == [0, 1]
        assert len(entered) == 1
        assert current(stores[0].engine) == 1
    finally:
        go_on.set()
        for opened in stores:
            opened.close()


def test_a_process_starting_while_another_creates_the_database_never_sees_it_half_made(
    url: str,
) -> None:
    """Regression: migrations ran one transaction each, so a second `serve` starting while
    the first created a new database found it "at schema version 1" and refused it."""
    inside, go_on = threading.Event(), threading.Event()

    def slow(conn: Connection) -> None:
        inside.set()
        go_on.wait(20)

    steps = [MIGRATIONS[0], Migration(2, "slow", slow)]
    first, second = FeedbackStore(url), FeedbackStore(url)
    try:
        with ThreadPoolExecutor(1) as pool:
            run = pool.submit(upgrade, first.engine, migrations=steps)
            assert inside.wait(20)
            assert current(second.engine) is None  # not 1: nothing is visible yet
            go_on.set()
            assert [m.version for m in run.result(timeout=30)] == [1, 2]
        assert current(second.engine) == 2
    finally:
        go_on.set()
        first.close()
        second.close()


def test_migration_6_adds_the_issued_passwords_table_and_keeps_accounts(
    store: FeedbackStore,
) -> None:
    upgrade(store.engine, migrations=tuple(m for m in MIGRATIONS if m.version < 6))
    Accounts(SqlAccountStore(store.engine), keys=TEST_KEYS).add(
        "ana", "worker", ("ngo",), "a long password here"
    )
    assert "staff_issued_passwords" not in sa.inspect(store.engine).get_table_names()
    assert [m.version for m in upgrade(store.engine, migrations=MIGRATIONS[:6])] == [6]
    staff = Accounts(
        SqlAccountStore(store.engine), keys=TEST_KEYS, issued=SqlIssuedPasswords(store.engine)
    )
    assert staff.verify("ana", "a long password here") is not None
    assert staff.issued_at("ana") is None  # an account from before chose its own already
    staff.reset("ana", "another long password", issued=True)
    assert staff.issued_at("ana") is not None
