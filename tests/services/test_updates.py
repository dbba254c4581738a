"""'You said, we did': writing, approving, translating, hearing back and forgetting, on the
runtime `safevoice serve` builds, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.app import App, load_app
from bot.engine.events import Say
from bot.runtime import Runtime, build_runtime
from bot.services.updates import UpdateError, UpdateService
from bot.staff.accounts import Account
from bot.storage import Answer, FeedbackRecord
from bot.storage.updates import subscriptions_table

ROOT = Path(__file__).resolve().parents[2]
MONDAY = dt.date(2026, 11, 2)
AUTHOR = Account("ana", "worker", ("shelter",))
SECOND = Account("bogdan", "worker", ("shelter",))
VIEWER = Account("vera", "viewer", ("shelter",))
ELSEWHERE = Account("hana", "worker", ("health",))


@pytest.fixture(scope="module")
def app() -> App:
    return load_app(ROOT / "config.toml")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def runtime(app: App, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Runtime]:
    url = (
        f"sqlite:///{tmp_path}/feedback.db"
        if request.param == "sqlite"
        else str(request.getfixturevalue("pg_database_url"))
    )
    built = build_runtime(app, "test", database_url=url)
    yield built
    built.store.close()


def feedback(runtime: Runtime, n: int, service: str = "shelter") -> list[str]:
    """`n` anonymous records saying whether the young person felt safe; their ids."""
    ids = []
    for i in range(n):
        record = FeedbackRecord.build(
            flow_id="service_feedback", flow_version=1, age_band="16-17", language="en",
            service=service, answers=[Answer("felt_safe", "yes_no", "no" if i % 3 else "yes")],
            today=MONDAY,
        )  # fmt: skip
        runtime.store.add(record)
        ids.append(record.id)
    return ids


def updates_of(runtime: Runtime) -> UpdateService:
    assert runtime.updates is not None
    return runtime.updates


def published(runtime: Runtime) -> str:
    feedback(runtime, 12)
    updates = updates_of(runtime)
    row = updates.draft(AUTHOR, "shelter", "felt_safe", "en", "Some of you did not feel safe at "
                        "night.", "A staff member is now awake every night.")  # fmt: skip
    return row.id


async def test_the_author_cannot_approve_their_own_update(runtime: Runtime) -> None:
    update_id = published(runtime)
    updates = updates_of(runtime)
    with pytest.raises(UpdateError, match="someone else needs to approve"):
        await updates.approve(AUTHOR, update_id)
    assert updates.shown("shelter", "en", "16-17")[0].text.startswith("There is no news")
    done = await updates.approve(SECOND, update_id)
    assert done.approved_by == "bogdan"
    assert done.published_at is not None
    said = updates.shown("shelter", "en", "16-17")[0].text
    assert "You said: Some of you did not feel safe at night." in said
    assert "We did: A staff member is now awake every night." in said


async def test_a_role_without_publish_rights_and_another_organisation_are_refused(
    runtime: Runtime,
) -> None:
    update_id = published(runtime)
    updates = updates_of(runtime)
    with pytest.raises(UpdateError, match="cannot write or approve"):
        updates.draft(VIEWER, "shelter", "felt_safe", "en", "a", "b")
    with pytest.raises(UpdateError, match="cannot write or approve"):
        await updates.approve(VIEWER, update_id)
    with pytest.raises(UpdateError, match="cannot publish for that service"):
        await updates.approve(ELSEWHERE, update_id)
    assert updates.answerable(VIEWER) == []


def test_only_a_question_the_dashboard_shows_can_be_answered(runtime: Runtime) -> None:
    feedback(runtime, 4)  # fewer than k: the dashboard hides it, so no update may quote it
    updates = updates_of(runtime)
    assert updates.answerable(AUTHOR) == []
    with pytest.raises(UpdateError, match="no figures the dashboard shows"):
        updates.draft(AUTHOR, "shelter", "felt_safe", "en", "You said", "We did")
    feedback(runtime, 8)
    [answer] = updates_of(runtime).answerable(AUTHOR)
    assert (answer.question_key, answer.respondents, answer.period) == ("felt_safe", 12, "2026-W45")


async def test_a_translation_needs_review_by_someone_else_and_meanwhile_the_source_shows(
    runtime: Runtime,
) -> None:
    update_id = published(runtime)
    updates = updates_of(runtime)
    await updates.approve(SECOND, update_id)
    updates.add_text(SECOND, update_id, "ro", "Unii nu v-ați simțit în siguranță noaptea.",
                     "Acum un membru al echipei este treaz în fiecare noapte.")  # fmt: skip
    before = updates.shown("shelter", "ro", "8-12")[0].text
    assert "Some of you did not feel safe" in before
    assert "Vestea aceasta nu este încă în limba ta" in before
    with pytest.raises(UpdateError, match="someone else needs to approve"):
        updates.approve_text(SECOND, update_id, "ro")
    updates.approve_text(AUTHOR, update_id, "ro")
    after = updates.shown("shelter", "ro", "8-12")[0].text
    # 8-12's simpler words, in Romanian.
    assert after.startswith("Vești de la Centrul de găzduire:")
    assert "Tinerii ne-au spus: Unii nu v-ați simțit" in after
    assert "nu este încă în limba ta" not in after


async def test_a_subscription_cannot_be_joined_to_any_feedback_record(runtime: Runtime) -> None:
    record_ids = feedback(runtime, 12)
    updates = updates_of(runtime)
    key = runtime.conversation.key("tg", 7712345678)
    assert updates.subscribe(key, "shelter", "tg", "7712345678", "en", "16-17")
    update_id = published(runtime)
    await updates.approve(SECOND, update_id)
    updates.shown("shelter", "en", "16-17", key)  # a mark of having seen it, too
    # The schema: no column a feedback table has, except the service id itself.
    feedback_columns = {
        column["name"]
        for table in ("feedback_records", "feedback_answers")
        for column in sa.inspect(runtime.store.engine).get_columns(table)
    }
    subscription_columns = {c.name for c in subscriptions_table.columns}
    assert subscription_columns & feedback_columns == {"service"}
    viewer_columns = {c["name"] for c in sa.inspect(runtime.store.engine).get_columns(
        "update_viewers")}  # fmt: skip
    assert viewer_columns == {"update_id", "viewer"}
    assert not {"record_id", "id", "iso_week", "created_week_start", "flow_id", "age_band"} & (
        subscription_columns
    )
    # The data: neither the key nor the chat id appears in any feedback row, and no record
    # id or week appears in the subscription row; the chat id is sealed.
    with runtime.store.engine.connect() as conn:
        [row] = conn.execute(sa.select(subscriptions_table)).mappings().all()
        [viewed] = conn.execute(sa.text("SELECT * FROM update_viewers")).mappings().all()
        dumped = " ".join(
            str(value)
            for table in ("feedback_records", "feedback_answers")
            for line in conn.execute(sa.text(f"SELECT * FROM {table}")).all()  # noqa: S608  (fixed names)
            for value in line
        )
    stored = " ".join(str(value) for value in (*row.values(), *viewed.values()))
    assert key not in dumped
    assert key not in " ".join(str(value) for value in viewed.values())  # keyed per update
    assert "7712345678" not in stored
    assert not any(record_id in stored for record_id in record_ids)
    assert "2026-W45" not in stored


async def test_delete_my_data_removes_the_subscription(runtime: Runtime) -> None:
    feedback(runtime, 12)
    updates = updates_of(runtime)
    chat = "web-visitor-1"
    key = runtime.conversation.key("web", chat)
    updates.subscribe(key, "shelter", "web", chat, "en", "16-17")
    assert updates.store.subscriptions_of(key, dt.datetime.now(dt.UTC))
    await runtime.conversation.forget("web", chat)
    assert updates.store.subscriptions_of(key, dt.datetime.now(dt.UTC)) == []


async def test_a_subscription_ends_after_the_configured_days(runtime: Runtime) -> None:
    updates = updates_of(runtime)
    key = runtime.conversation.key("web", "v2")
    updates.subscribe(key, "shelter", "web", "v2", "en", None)
    [sub] = updates.store.subscriptions_of(key, dt.datetime.now(dt.UTC))
    days = runtime.app.config.updates.subscription_days
    assert (sub.expires_at - dt.datetime.now(dt.UTC)).days in (days - 1, days)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=days + 1)
    assert updates.store.expire(later) == 1


async def test_subscriber_counts_are_hidden_below_k(runtime: Runtime) -> None:
    updates = updates_of(runtime)
    for n in range(9):
        updates.subscribe(f"{n:064x}", "shelter", "web", str(n), "en", None)
    assert updates.subscribers("shelter") is None
    updates.subscribe(f"{99:064x}", "shelter", "web", "99", "en", None)
    assert updates.subscribers("shelter") == 10


async def test_the_web_chat_shows_a_new_update_at_the_next_visit_once(runtime: Runtime) -> None:
    update_id = published(runtime)
    updates = updates_of(runtime)
    key = runtime.conversation.key("web", "v3")
    updates.subscribe(key, "shelter", "web", "v3", "ar", "18-24")
    assert updates.pending(key) == []  # nothing new since subscribing
    await updates.approve(SECOND, update_id)
    updates.add_text(SECOND, update_id, "ar", "شعر بعضكم بعدم الأمان ليلًا.",
                     "يوجد الآن موظف مستيقظ كل ليلة.")  # fmt: skip
    updates.approve_text(AUTHOR, update_id, "ar")
    [news] = updates.pending(key)
    assert isinstance(news, Say)
    assert news.rtl
    assert "شعر بعضكم بعدم الأمان ليلًا." in news.text
    assert updates.pending(key) == []


async def test_the_dashboard_counts_young_people_once_each_and_hides_fewer_than_k(
    runtime: Runtime,
) -> None:
    update_id = published(runtime)
    updates = updates_of(runtime)
    [row] = [await updates.approve(SECOND, update_id)]
    one = runtime.conversation.key("web", "often")
    for _ in range(12):  # one young person looking again and again is one
        updates.shown("shelter", "en", "16-17", one)
    assert updates.seen_by([row]) == {row.id: None}  # 1 < k
    assert updates.store.viewed.count([row.id]) == {row.id: 1}
    for n in range(9):
        updates.latest("shelter", "en", "18-24", runtime.conversation.key("web", f"v{n}"))
    assert updates.seen_by([row]) == {row.id: 10}
    # "Delete my data" takes the chat's mark away; the viewer rows hold no chat key.
    with runtime.store.engine.connect() as conn:
        stored = " ".join(
            str(v) for line in conn.execute(sa.text("SELECT * FROM update_viewers")) for v in line
        )
    assert one not in stored
    await runtime.conversation.forget("web", "often")
    assert updates.seen_by([row]) == {row.id: None}
    assert updates.store.viewed.count([row.id]) == {row.id: 9}


def test_the_16_17_and_18_24_thanks_promise_what_is_built(app: App) -> None:
    """The thanks names "What changed?" and hearing back; both are in that band's menu and
    the updates flow (which offers the subscribe step); nothing promises a worker's own
    updates any more."""
    flows = {(f.scope, f.id): f for f in app.flows}
    updates_flow = flows[("common", "updates")]
    assert any(s.type == "subscribe" for s in updates_flow.steps)
    assert any(s.type == "updates" for s in updates_flow.steps)
    for band in ("16-17", "18-24"):
        thanks = next(s for s in flows[(band, "service_feedback")].steps if s.id == "thanks")
        assert '"What changed?"' in thanks.text
        assert "hear when something changes" in thanks.text
        menu = flows[(band, "menu")]
        [choose] = [s for s in menu.steps if s.id == "choose"]
        option = next(o for o in choose.options if o.label == "What changed?")
        goto = next(s for s in menu.steps if s.id == option.goto)
        assert goto.flow == "updates"
    for flow in app.flows:
        for step in flow.steps:
            assert "from your worker" not in str(getattr(step, "text", "") or "")
