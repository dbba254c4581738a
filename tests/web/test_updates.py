"""The "you said, we did" staff page over HTTP, and what a young person on the web chat
sees: one staff member writes, another approves, a subscriber sees it at the next visit
in their language. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App
from bot.storage import Answer, FeedbackRecord
from bot.web import Web, create_app
from bot.web.chat_news import NEWS
from bot.web.chat_visit import HEADER, mint
from tests.web.conftest import PASSWORDS, login, make_state

Client = TestClient[web.Request, web.Application]
PASSWORDS.update({"ana": "ana-password-1234", "bogdan": "bogdan-password-1234"})


@pytest.fixture
def shared(safevoice_app: App, db_url: str) -> Iterator[Web]:
    state = make_state(safevoice_app, db_url)
    state.accounts.add("ana", "worker", ("shelter",), PASSWORDS["ana"])
    state.accounts.add("bogdan", "worker", ("shelter",), PASSWORDS["bogdan"])
    today = dt.date.today()
    for i in range(12):
        state.store.add(
            FeedbackRecord.build(
                flow_id="service_feedback", flow_version=1, age_band="16-17", language="en",
                service="shelter",
                answers=[Answer("felt_safe", "yes_no", "no" if i % 2 else "yes")],
                today=today,
            )
        )  # fmt: skip
    yield state
    state.store.close()


@pytest.fixture
async def app_server(shared: Web) -> AsyncIterator[TestServer]:
    server = TestServer(create_app(shared), host="127.0.0.1")
    await server.start_server()
    yield server
    await server.close()


async def staff(server: TestServer, name: str) -> tuple[Client, str]:
    client: Client = TestClient(server)
    await client.start_server()
    return client, await login(client, name)


async def turn(client: Client, token: str, **payload: Any) -> dict[str, Any]:
    response = await client.post("/chat/turn", json=payload, headers={HEADER: token})
    assert response.status == 200, await response.text()
    data: dict[str, Any] = await response.json()
    return data


def ask(data: dict[str, Any]) -> dict[str, Any]:
    return next(m for m in reversed(data["messages"]) if m["input"] != "none")


async def subscribe_on_the_web_chat(client: Client, lang: str, band: str) -> str:
    """Menu -> What changed? -> the shelter -> "Yes, tell me"; the visit token."""
    await client.get("/chat")
    token: str = (await (await client.get("/chat/state")).json())["visit"]
    data = await turn(client, token, kind="start")
    for value in (lang, band, "updates", "shelter", "yes_tell"):
        step = ask(data)["step"]
        data = await turn(client, token, kind="button", value=value, step=step)
        token = data.get("visit", token)
    said = " ".join(m["text"] for m in data["messages"])
    assert "/forget" in said, said  # the honest "how this ends" of the subscribe step
    return token


async def test_one_writes_another_approves_and_a_web_subscriber_sees_it_in_romanian(
    shared: Web, app_server: TestServer
) -> None:
    young: Client = TestClient(app_server)
    await young.start_server()
    visit = await subscribe_on_the_web_chat(young, "ro", "16-17")
    ana, ana_csrf = await staff(app_server, "ana")
    page = await (await ana.get("/updates")).text()
    assert "felt_safe" in page
    assert "12 answered" in page
    written = await ana.post("/updates", data={
        "csrf": ana_csrf, "question": "shelter|felt_safe", "lang": "en",
        "said": "Half of you did not feel safe at night.",
        "changed": "Someone is awake every night now.",
    })  # fmt: skip
    assert written.status == 200
    assert "someone else now needs to approve" in (await written.text()).lower()
    [row] = shared.updates.visible(shared.accounts.get("ana"))  # type: ignore[union-attr,arg-type]
    # The author cannot approve their own update.
    own = await ana.post(f"/updates/{row.id}/approve", data={"csrf": ana_csrf})
    assert own.status == 400
    assert "someone else needs to approve" in await own.text()
    bogdan, bogdan_csrf = await staff(app_server, "bogdan")
    added = await bogdan.post(f"/updates/{row.id}/texts", data={
        "csrf": bogdan_csrf, "lang": "ro",
        "said": "Jumătate dintre voi nu v-ați simțit în siguranță noaptea.",
        "changed": "Acum cineva este treaz în fiecare noapte.",
    })  # fmt: skip
    assert added.status == 200
    assert "needs review" in await added.text()
    done = await bogdan.post(f"/updates/{row.id}/approve", data={"csrf": bogdan_csrf})
    assert done.status == 200
    assert "published, approved by bogdan" in await done.text()
    reviewed = await ana.post(f"/updates/{row.id}/texts/ro/approve", data={"csrf": ana_csrf})
    assert reviewed.status == 200
    # The young person's next visit (the same tab): the news first, in Romanian.
    data = await turn(young, visit, kind="start")
    texts = [m["text"] for m in data["messages"]]
    news = next(t for t in texts if "Voi ați spus" in t)
    assert "Jumătate dintre voi nu v-ați simțit în siguranță noaptea." in news
    assert "Noi am făcut: Acum cineva este treaz în fiecare noapte." in news
    again = await turn(young, visit, kind="start")
    assert not any("Voi ați spus" in m["text"] for m in again["messages"])  # shown once
    # The dashboard says what was published, what it answered and how often it was seen.
    dashboard = await (await ana.get("/dashboard")).text()
    assert "You said, we did" in dashboard
    assert "felt_safe" in dashboard
    assert "Young people who saw it" in dashboard
    assert re.search(r"<td>felt_safe</td>.*?<td>fewer than 10</td>", dashboard, re.S)
    # No page lists who is subscribed: a count, and only at k or more.
    page = await (await ana.get("/updates")).text()
    assert "fewer than 10" in page
    for client in (young, ana, bogdan):
        await client.close()


async def test_a_viewer_cannot_open_write_or_approve_updates(
    shared: Web, app_server: TestServer
) -> None:
    viewer, csrf = await staff(app_server, "viewer")
    assert (await viewer.get("/updates", allow_redirects=False)).status == 403
    refused = await viewer.post("/updates", data={
        "csrf": csrf, "question": "shelter|felt_safe", "lang": "en", "said": "a", "changed": "b",
    })  # fmt: skip
    assert refused.status == 403
    assert (await viewer.post("/updates/x/approve", data={"csrf": csrf})).status == 403
    assert shared.updates is not None
    assert shared.updates.store.for_services(("shelter",)) == []
    await viewer.close()


async def test_a_question_below_k_cannot_be_quoted(shared: Web, app_server: TestServer) -> None:
    ana, csrf = await staff(app_server, "ana")
    refused = await ana.post("/updates", data={
        "csrf": csrf, "question": "shelter|gender", "lang": "en", "said": "a", "changed": "b",
    })  # fmt: skip
    assert refused.status == 400
    assert "no figures the dashboard shows" in await refused.text()
    page = await refused.text()
    assert re.search(r"<textarea", page)  # the form is there to try again
    await ana.close()


async def publish(
    shared: Web, said: str, changed: str, lang: str = "", texts: tuple[str, str] = ("", "")
) -> None:
    """ana writes, bogdan adds `lang` and publishes, ana reviews it (as the page does)."""
    updates, accounts = shared.updates, shared.accounts
    assert updates is not None
    ana, bogdan = accounts.get("ana"), accounts.get("bogdan")
    assert ana is not None
    assert bogdan is not None
    row = updates.draft(ana, "shelter", "felt_safe", "en", said, changed)
    if lang:
        updates.add_text(bogdan, row.id, lang, *texts)
        updates.approve_text(ana, row.id, lang)
    await updates.approve(bogdan, row.id)


async def test_a_web_subscriber_sees_the_news_at_a_later_visit_in_a_new_tab(
    shared: Web, app_server: TestServer
) -> None:
    """The visit token lives in one tab; asking to hear back gives the page a news token
    (kept in localStorage) that a later visit sends, so the news reaches that visit."""
    first: Client = TestClient(app_server)
    await first.start_server()
    await first.get("/chat")
    token: str = (await (await first.get("/chat/state")).json())["visit"]
    data = await turn(first, token, kind="start")
    for value in ("ro", "16-17", "updates", "shelter", "yes_tell"):
        data = await turn(first, token, kind="button", value=value, step=ask(data)["step"])
    news_token = data.get("news")
    assert isinstance(news_token, str), data
    # Said plainly, in the young person's language: this browser now remembers.
    assert "Acest browser va ține minte asta" in data["messages"][-1]["text"]
    await publish(shared, "Half of you did not feel safe at night.",
                  "Someone is awake every night now.", "ro",
                  ("Jumătate dintre voi nu v-ați simțit în siguranță noaptea.",
                   "Acum cineva este treaz în fiecare noapte."))  # fmt: skip
    # A new tab: a new visit token, the news token from localStorage.
    later: Client = TestClient(app_server)
    await later.start_server()
    fresh: str = (await (await later.get("/chat/state")).json())["visit"]
    assert fresh != token
    plain = await later.post("/chat/turn", json={"kind": "start"}, headers={HEADER: fresh})
    # Without the news token nothing links this visit to the subscription.
    assert not any("Voi ați spus" in m["text"] for m in (await plain.json())["messages"])
    other = mint_visit(shared)
    seen = await later.post("/chat/turn", json={"kind": "start"},
                            headers={HEADER: other, NEWS: news_token})  # fmt: skip
    texts = [m["text"] for m in (await seen.json())["messages"]]
    news = next(t for t in texts if "Voi ați spus" in t)
    assert "Acum cineva este treaz în fiecare noapte." in news
    again = await later.post("/chat/turn", json={"kind": "start"},
                             headers={HEADER: mint_visit(shared), NEWS: news_token})  # fmt: skip
    assert not any("Voi ați spus" in m["text"] for m in (await again.json())["messages"])
    # A made-up news token is ignored, kindly.
    forged = await later.post(
        "/chat/turn",
        json={"kind": "start"},
        headers={HEADER: mint_visit(shared), NEWS: news_token[:-2] + "00"},
    )
    assert forged.status == 200
    # "Delete my data" in the later visit removes the subscription of the first.
    assert shared.updates is not None
    assert shared.updates.store.count("shelter", dt.datetime.now(dt.UTC)) == 1
    visit = mint_visit(shared)
    data = await turn_with(later, visit, news_token, kind="text", value="/forget")
    for _ in range(3):
        if data.get("deleted"):
            break
        choice = ask(data)
        value = choice["options"][0]["value"]
        data = await turn_with(
            later, visit, news_token, kind="button", value=value, step=choice["step"]
        )
    assert data.get("deleted"), data
    assert shared.updates.store.count("shelter", dt.datetime.now(dt.UTC)) == 0
    for client in (first, later):
        await client.close()


def mint_visit(shared: Web) -> str:
    return mint(shared.secret)


async def turn_with(client: Client, visit: str, news: str, **payload: Any) -> dict[str, Any]:
    response = await client.post("/chat/turn", json=payload, headers={HEADER: visit, NEWS: news})
    assert response.status == 200, await response.text()
    data: dict[str, Any] = await response.json()
    return data


# Which button to press, by value, when several are offered (else the first).
PREFER = ("en", "18-24", "feedback", "shelter", "4", "yes", "people", "no_say", "done")


async def test_after_feedback_the_newest_update_follows_the_thanks_in_the_bands_words(
    shared: Web, app_server: TestServer
) -> None:
    await publish(shared, "Half of you did not feel safe at night.",
                  "Someone is awake every night now.")  # fmt: skip
    young: Client = TestClient(app_server)
    await young.start_server()
    await young.get("/chat")
    token: str = (await (await young.get("/chat/state")).json())["visit"]
    data = await turn(young, token, kind="start")
    before = shared.store.count()
    for _ in range(30):
        if shared.store.count() > before:
            break
        question = ask(data)
        if question["input"] == "text":
            data = await turn(young, token, kind="text", value="More trips to the sea")
            continue
        values = [o["value"] for o in question["options"]]
        done = question.get("done")
        if question["input"] == "multi" and done:
            data = await turn(young, token, kind="button", value=values[0], step=question["step"])
            value = done["value"]
        else:
            value = next((v for v in PREFER if v in values), values[0])
        data = await turn(young, token, kind="button", value=value, step=question["step"])
    assert shared.store.count() == before + 1
    texts = [m["text"] for m in data["messages"]]
    thanks = next(i for i, t in enumerate(texts) if t.startswith("Thank you. Your feedback"))
    news = next(i for i, t in enumerate(texts) if "You said: Half of you" in t)
    assert news > thanks  # after the thank-you, in the 18-24 words
    assert texts[news].startswith("'You said, we did' at ")
    await young.close()
