"""Issue 11, item 3: staff flag a comment that still identifies someone; it is removed at
once, on SQLite and PostgreSQL, from the dashboard, the exports and `safevoice report`,
and audited without its words. Through the HTTP client, no browser."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App
from bot.cli import main
from bot.storage.bulk import add_many
from bot.storage.records import Answer, FeedbackRecord
from bot.web import Web, create_app
from bot.web.comments import comment_token, view_key
from bot.web.state import STAFF_COOKIE
from tests.web.conftest import PASSWORDS, login, make_state

Client = TestClient[web.Request, web.Application]
TODAY = dt.date.today()
CONFIG = str(Path(__file__).resolve().parents[2] / "config.toml")
# What no scrubber can catch: no name, no number, yet everyone at the shelter knows who.
NAMING = "the boy with the red scooter who came last winter is scared of the night guard"


def _record(service: str, *texts: tuple[str, str]) -> FeedbackRecord:
    answers = [Answer("overall", "scale", "4"), *(Answer(key, "text", t) for key, t in texts)]
    return FeedbackRecord.build(flow_id="service_feedback", flow_version=1, age_band="13-15",
                                language="en", service=service, answers=answers,
                                today=TODAY)  # fmt: skip


def _seed(state: Web) -> list[FeedbackRecord]:
    records = [_record("shelter", ("improve", f"more football {n}")) for n in range(11)]
    records.append(_record("shelter", ("improve", NAMING)))
    records += [_record("health", ("improve", f"shorter waits {n}")) for n in range(10)]
    for record in records:  # as feedback arrives: scrubbed and checked
        assert state.store.add(record)
    return records


def _flag(page: str, text: str) -> dict[str, str]:
    """The fields of the remove form beside the comment ``text``, as a browser sends them."""
    item = re.search(r'<li><span id="[^"]+">' + re.escape(html.escape(text)) + r"</span>(.*?)</li>",
                     page)  # fmt: skip
    assert item, f"no remove button beside {text!r}"
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', item[1]))
    assert 'action="/dashboard/comments/remove"' in item[1]
    assert ">Remove: this identifies someone</button>" in item[1]
    return {name: html.unescape(value) for name, value in fields.items()}


def _cookie(client: Client) -> str:
    return next(c.value for c in client.session.cookie_jar if c.key == STAFF_COOKIE)


def _report(capsys: pytest.CaptureFixture[str], url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SAFEVOICE_DATABASE_URL", url)
    capsys.readouterr()
    assert main(["--config", CONFIG, "report", "--format", "json"]) == 0
    return capsys.readouterr().out


async def test_staff_flag_removes_identifying_comment_at_once(
    safevoice_app: App,
    db_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    state = make_state(safevoice_app, db_url)
    try:
        records = _seed(state)
        assert NAMING in _report(capsys, db_url, monkeypatch)
        async with TestClient(TestServer(create_app(state), host="127.0.0.1")) as client:
            await login(client, "viewer")  # scoped to the shelter's organisation
            page = await (await client.get("/dashboard?period=4")).text()
            assert NAMING in page
            for record in records:  # the page names comments by opaque tokens only
                assert record.id not in page
            form = _flag(page, NAMING)
            assert form["question"] == "improve"
            assert form["in_service"] == "shelter"
            assert form["back"] == "period=4"

            done = await client.post("/dashboard/comments/remove", data=form,
                                     allow_redirects=False)  # fmt: skip
            assert done.status == 303, await done.text()
            assert done.headers["Location"] == "/dashboard?period=4&removed=1"
            after = await (await client.get(done.headers["Location"])).text()
            assert "The comment was removed." in after
            assert NAMING not in after
            assert "more football 3" in after  # the others stay
            csv_export = await (await client.get("/dashboard/export.csv")).text()
            json_export = await (await client.get("/dashboard/export.json")).text()
            assert NAMING not in csv_export
            assert NAMING not in json_export
            assert "more football 3" in csv_export
            assert "more football 3" in json_export

            again = await client.post("/dashboard/comments/remove", data=form)  # replayed
            assert again.status == 410
            assert again.content_type == "text/html"
            assert "removed already" in await again.text()

        assert NAMING not in _report(capsys, db_url, monkeypatch)
        with state.store.engine.connect() as conn:  # not hidden: gone from the rows
            values = conn.execute(sa.text("SELECT value FROM feedback_answers")).scalars().all()
        assert not any("scooter" in value for value in values)
        # Still counted among those who answered, so every count stays as it was.
        answered = {(q.service, q.question_key): q.respondents for q in state.store.respondents()}
        assert answered[("shelter", "improve")] == 12

        removals = [e for e in state.store.audit_entries() if e.action == "comment-remove"]
        assert len(removals) == 1  # the replay wrote nothing
        (entry,) = removals
        assert entry.actor == "viewer"
        assert (dt.datetime.now(dt.UTC) - entry.at) < dt.timedelta(minutes=5)
        assert "scooter" not in entry.detail
        assert "football" not in entry.detail
        assert all(record.id not in entry.detail for record in records)
        assert "service=shelter question=improve" in entry.detail
    finally:
        state.store.close()


async def test_a_worker_without_access_cannot_remove_a_comment(
    state: Web, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = _seed(state)
    state.accounts.add("outsider", "worker", ("health",), "outsider-password-123")
    monkeypatch.setitem(PASSWORDS, "outsider", "outsider-password-123")
    await login(client, "viewer")
    form = _flag(await (await client.get("/dashboard")).text(), NAMING)

    csrf = await login(client, "outsider")  # the viewer's form, sent from another login
    stolen = await client.post("/dashboard/comments/remove", data=form | {"csrf": csrf})
    assert stolen.status == 404
    assert "could not find that comment" in await stolen.text()
    # Even a token made for the outsider's own login: the shelter is not theirs to see.
    naming = next(r for r in records if any(a.value == NAMING for a in r.answers))
    own = comment_token(view_key(state.secret, _cookie(client)), naming.id, "improve")
    forged = await client.post(
        "/dashboard/comments/remove", data=form | {"csrf": csrf, "comment": own}
    )
    assert forged.status == 404
    assert "outsider" not in {e.actor for e in state.store.audit_entries()
                              if e.action == "comment-remove"}  # fmt: skip
    assert NAMING in [t.value for t in state.store.text_answers()]

    await login(client, "admin")  # who sees everything may: the same comment, a new token
    admin_form = _flag(await (await client.get("/dashboard")).text(), NAMING)
    assert admin_form["comment"] != form["comment"]
    done = await client.post("/dashboard/comments/remove", data=admin_form, allow_redirects=False)
    assert done.status == 303
    assert NAMING not in [t.value for t in state.store.text_answers()]


async def test_bad_removal_forms_get_a_kind_page(state: Web, client: Client) -> None:
    _seed(state)
    csrf = await login(client, "viewer")
    form = _flag(await (await client.get("/dashboard")).text(), NAMING)
    cases = [
        ({k: v for k, v in form.items() if k != "csrf"}, 403, "This form has expired"),
        (form | {"csrf": "forged"}, 403, "This form has expired"),
        (form | {"csrf": csrf, "comment": "A" * 32}, 404, "could not find that comment"),
        (form | {"csrf": csrf, "comment": "<script>"}, 404, "could not find that comment"),
        (form | {"csrf": csrf, "question": "felt_safe"}, 404, "could not find that comment"),
        (form | {"csrf": csrf, "in_service": "nowhere"}, 404, "could not find that comment"),
        (form | {"csrf": csrf, "in_service": ""}, 404, "could not find that comment"),
        ({"csrf": csrf}, 404, "could not find that comment"),
    ]
    for data, status, words in cases:
        response = await client.post("/dashboard/comments/remove", data=data)
        text = await response.text()
        assert (response.status, response.content_type) == (status, "text/html"), data
        assert words in text, data
        assert "Traceback" not in text
        assert "<script>" not in text
    assert NAMING in [t.value for t in state.store.text_answers()]
    assert not [e for e in state.store.audit_entries() if e.action == "comment-remove"]


async def test_tokens_link_nothing(state: Web, client: Client) -> None:
    """One record's comments on two questions get unrelated tokens, and none carries the id."""
    both = _record("shelter", ("improve", "two answers one"), ("other", "two answers two"))
    add_many(state.store, [both, *(_record("shelter", ("improve", f"a{n}"), ("other", f"b{n}"))
                                   for n in range(10))])  # fmt: skip
    await login(client, "viewer")
    page = await (await client.get("/dashboard")).text()
    one, two = _flag(page, "two answers one"), _flag(page, "two answers two")
    assert one["comment"] != two["comment"]
    assert both.id not in page
