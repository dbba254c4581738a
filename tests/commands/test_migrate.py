"""`safevoice migrate`: prints the version before and after; `--status` only looks."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.cli import main
from bot.runtime import open_database
from bot.storage import schema_v1
from bot.storage.feedback import FeedbackStore
from bot.storage.migrations import HEAD, VERSION_TABLE, current
from bot.storage.records import Answer, FeedbackRecord

ROOT = Path(__file__).resolve().parents[2]
CONFIG = str(ROOT / "config.toml")


@contextlib.contextmanager
def as_it_is(url: str) -> Iterator[FeedbackStore]:
    """The database at `url` through the composition root, never migrated: what a test
    reads after a command or a process left it."""
    with open_database(CONFIG, url=url, migrate=False) as database:
        yield database.store


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/feedback.db"
    monkeypatch.setenv("SAFEVOICE_DATABASE_URL", url)
    return url


def migrate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--config", CONFIG, "migrate", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_fresh_database_is_built(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = migrate(capsys)
    assert code == 0
    assert "schema version none." in out
    assert "Applied migration 1: the tables of SafeVoice 0.1.0." in out
    assert f"Schema version {HEAD} (was none): up to date." in out
    code, out, _ = migrate(capsys)
    assert code == 0
    assert "Applied" not in out
    assert f"Schema version {HEAD} (was {HEAD})" in out


def test_status_only_looks(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = migrate(capsys, "--status")
    assert code == 1
    assert "schema version none" in out
    assert "run `safevoice migrate`" in out
    with as_it_is(database) as store:
        assert current(store.engine) is None
        assert sa.inspect(store.engine).get_table_names() == []
    migrate(capsys)
    code, out, _ = migrate(capsys, "--status")
    assert (code, f"Up to date: this SafeVoice uses version {HEAD}." in out) == (0, True)


def test_a_0_1_0_database_is_stamped_and_keeps_its_records(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with as_it_is(database) as store:
        schema_v1.metadata.create_all(store.engine)  # what 0.1.0 made: no version table
        store.add(
            FeedbackRecord.build(
                flow_id="feedback", flow_version=1, age_band="13-15", language="en",
                service="shelter", answers=(Answer("safe", "yes_no", "yes"),),
                today=dt.date(2026, 1, 14),
            )
        )  # fmt: skip
    code, out, _ = migrate(capsys)
    assert code == 0
    # Stamped as 0.1.0's schema (version 1), then the later migrations applied.
    assert "SafeVoice 0.1.0" in out
    assert f"Schema version {HEAD} (was none)" in out
    with as_it_is(database) as store:
        assert store.count() == 1


def test_a_newer_database_is_refused_in_a_sentence(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    migrate(capsys)
    with as_it_is(database) as store, store.engine.begin() as conn:
        versions = sa.Table(VERSION_TABLE, sa.MetaData(), autoload_with=conn)
        conn.execute(
            versions.insert().values(
                version=HEAD + 1, title="later", applied_at=dt.datetime.now(dt.UTC)
            )
        )
    code, out, _ = migrate(capsys, "--status")
    assert code == 1
    assert "upgrade SafeVoice here" in out
    code, _, err = migrate(capsys)
    assert code == 1
    assert err.startswith("safevoice: The database")
    assert "Upgrade SafeVoice here" in err
    assert "Traceback" not in err
