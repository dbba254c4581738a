"""docs/deploy.md's grants, run on PostgreSQL: the service works under a role that can
add to the audit log and read it, and cannot change or delete a row of it (ASVS 7.3.3)."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bot.app import load_app
from bot.runtime import build_runtime
from bot.storage.migrations import upgrade
from bot.storage.records import Answer, FeedbackRecord

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
SECRET = b"a-long-secret-key-for-the-audit-role-test-0123456789"


def documented_grants(role: str) -> list[str]:
    """The SQL block of docs/deploy.md marked as the audit-role grants, for `role`."""
    text = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    block = re.search(r"```sql\n-- safevoice: audit-role grants.*?\n(.*?)```", text, re.S)
    assert block, "docs/deploy.md lost its audit-role grants"
    sql = block[1].replace("safevoice;", f"{role};").replace("TO safevoice", f"TO {role}")
    return [s.strip() for s in sql.split(";") if s.strip()]


async def test_the_service_under_the_documented_role_cannot_change_the_audit_log(
    pg_database_url: str, redis_url: str
) -> None:
    owner = make_url(pg_database_url)
    role = f"sv_service_{secrets.token_hex(4)}"
    libpq = owner.set(drivername="postgresql").render_as_string(hide_password=False)
    owning = sa.create_engine(pg_database_url)
    upgrade(owning)  # `safevoice migrate`, as the owner
    owning.dispose()
    with psycopg.connect(libpq, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN")
        for statement in documented_grants(role):
            conn.execute(statement.replace("FOR ROLE postgres", f"FOR ROLE {owner.username}"))
    service_url = owner.set(username=role).render_as_string(hide_password=False)
    app = load_app(ROOT / "config.toml").with_secret(SECRET)
    try:
        runtime = build_runtime(app, "serve", database_url=service_url, redis_url=redis_url)
        try:
            store = runtime.store
            store.audit("ana", "login", "")
            record = FeedbackRecord.build(
                flow_id="feedback", flow_version=1, age_band="13-17", language="ro",
                service="shelter", answers=[Answer("safe", "yes_no", "yes")],
                today=dt.date(2024, 3, 4),
            )  # fmt: skip
            assert store.add(record)
            runtime.accounts.add("nadia", "worker", ("shelter",), "harbour-juniper-copper-77")
            assert [e.action for e in store.audit_entries(5, actor="ana")] == ["login"]
            assert store.purge_records_older_than(dt.date(2024, 6, 3)) == 1  # retention
        finally:
            await runtime.close()
        service = sa.create_engine(service_url)
        try:
            for change in ("UPDATE audit_log SET detail = 'nothing happened'",
                           "DELETE FROM audit_log", "TRUNCATE audit_log"):  # fmt: skip
                denied = pytest.raises(sa.exc.ProgrammingError, match="permission denied")
                with denied, service.begin() as conn:
                    conn.execute(sa.text(change))
        finally:
            service.dispose()
    finally:
        with psycopg.connect(libpq, autocommit=True) as conn:
            conn.execute(f"DROP OWNED BY {role}")
            conn.execute(f"DROP ROLE {role}")
