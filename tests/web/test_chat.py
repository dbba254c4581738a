"""The web chat over HTTP: a full feedback conversation, visit tokens, previews, leaving."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.web import Web
from bot.web.chat_visit import HEADER
from bot.web.demo_data import DEMO_FLOW

Client = TestClient[web.Request, web.Application]


async def _open(client: Client, query: str = "") -> str:
    """Load the page, then get a visit token from the server as the page's script does."""
    page = await client.get("/chat" + query)
    assert page.status == 200
    state = await (await client.get("/chat/state")).json()
    token: str = state["visit"]
    return token


async def _turn(client: Client, token: str, **payload: Any) -> dict[str, Any]:
    response = await client.post("/chat/turn", json=payload, headers={HEADER: token})
    assert response.status == 200, await response.text()
    data: dict[str, Any] = await response.json()
    return data


def _ask(data: dict[str, Any]) -> dict[str, Any]:
    return next(m for m in reversed(data["messages"]) if m["input"] != "none")


async def test_a_turn_needs_a_visit_token_and_a_made_up_one_starts_afresh(
    client: Client,
) -> None:
    assert (await client.post("/chat/turn", json={"kind": "start"})).status == 403
    token = await _open(client)
    made_up = await _turn(client, "x", kind="start")
    assert made_up["visit"] not in ("x", token)


async def test_a_whole_feedback_conversation_is_stored_anonymously(
    state: Web, client: Client
) -> None:
    token = await _open(client)
    data = await _turn(client, token, kind="start")
    clicks = 0
    while clicks < 40:
        ask = _ask(data)
        if ask["input"] == "text":
            data = await _turn(client, token, kind="text", value="More trips, call me 0722 123 456")
        elif ask["step"] == "pick_age":
            data = await _turn(client, token, kind="button", value="13-15", step=ask["step"])
        elif ask["input"] == "multi":
            value = ask["done"]["value"] if ask["selected"] else ask["options"][0]["value"]
            data = await _turn(client, token, kind="button", value=value, step=ask["step"])
        elif any(o["value"] == "feedback" for o in ask["options"]):
            data = await _turn(client, token, kind="button", value="feedback", step=ask["step"])
        elif state.store.count():
            break
        else:
            option = ask["options"][0]["value"] if ask["options"] else ask["skip"]["value"]
            data = await _turn(client, token, kind="button", value=option, step=ask["step"])
        clicks += 1
    records = list(state.store.iter_records())
    assert len(records) == 1
    texts = [a.value for a in records[0].answers if a.kind == "text"]
    assert texts
    assert "0722" not in texts[0]


async def test_a_preview_opens_the_flow_and_stores_nothing(state: Web, client: Client) -> None:
    token = await _open(client, "?flow=service_feedback&band=13-15&lang=ar")
    data = await _turn(client, token, kind="start", preview=True, flow="service_feedback",
                       band="13-15", lang="ar")  # fmt: skip
    assert data["dir"] == "rtl"
    assert data["lang"] == "ar"
    assert _ask(data)["step"] in ("which_service", "overall")
    assert state.store.count() == 0
    assert DEMO_FLOW.startswith("demo_")


async def test_the_page_is_rtl_for_arabic(client: Client) -> None:
    page = await (await client.get("/chat?lang=ar")).text()
    assert '<html lang="ar" dir="rtl">' in page


async def test_leaving_forgets_the_visit(state: Web, client: Client) -> None:
    token = await _open(client)
    await _turn(client, token, kind="start")
    response = await client.post("/chat/leave", data={"visit": token}, allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == state.settings.neutral_url
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    resumed = await (await client.get("/chat/state", headers={HEADER: token})).json()
    assert resumed["resumed"] is False


async def _with_a_case(client: Client, band: str = "16-17") -> str:
    token = await _open(client)
    data = await _turn(client, token, kind="start", lang="en")
    for value in ("en", band):
        ask = _ask(data)
        if any(o["value"] == value for o in ask["options"]):
            data = await _turn(client, token, kind="button", value=value, step=ask["step"])
    data = await _turn(client, token, kind="command", value="person")
    assert data["case"] is True
    return token


async def _worker_sees(state: Web) -> list[str]:
    [case] = await state.cases.queue()
    return [m.text for m in await state.cases.transcript(case.label)]


def _option(ask: dict[str, Any], label: str) -> str:
    return str(next(o["value"] for o in ask["options"] if o["label"] == label))


async def test_contact_details_wait_for_send_it_on_the_web_chat(state: Web, client: Client) -> None:
    token = await _with_a_case(client)
    before = (await (await client.get("/chat/state", headers={HEADER: token})).json())["ask"]
    data = await _turn(client, token, kind="text", value="my number is 0722 123 456")
    assert data["relayed"] is False
    ask = data["ask"]
    assert ask["text"] == "This looks like a phone number. The worker will see it. Send it?"
    assert [o["label"] for o in ask["options"]] == ["Send it", "Don't send"]
    assert await _worker_sees(state) == []
    # A reload shows the question again: it waits in the session, not in the page.
    resumed = await (await client.get("/chat/state", headers={HEADER: token})).json()
    assert resumed["ask"] == ask
    sent = await _turn(client, token, kind="button", value=_option(ask, "Send it"),
                       step=ask["step"])  # fmt: skip
    assert sent["relayed"] is True
    assert [m["text"] for m in sent["messages"]] == ["Sent. The people helping you will see it."]
    assert await _worker_sees(state) == ["my number is 0722 123 456"]
    assert sent["ask"] == before  # the question from before comes back
    resumed = await (await client.get("/chat/state", headers={HEADER: token})).json()
    assert resumed["ask"] == before

    data = await _turn(client, token, kind="text", value="mail me: ana.pop2009@gmail.com")
    kept = await _turn(client, token, kind="button", value=_option(data["ask"], "Don't send"),
                       step=data["ask"]["step"])  # fmt: skip
    assert [m["text"] for m in kept["messages"]] == ["Okay, I did not send it."]
    assert await _worker_sees(state) == ["my number is 0722 123 456"]


async def test_the_web_chat_asks_8_to_12_in_their_words(state: Web, client: Client) -> None:
    token = await _with_a_case(client, "8-12")
    data = await _turn(client, token, kind="text", value="I am @ana_pop_09")
    assert data["ask"]["text"] == (
        "This looks like a username. A grown-up from our team will see it. Send it?"
    )
    instead = await _turn(client, token, kind="text", value="are you there?")
    assert instead["relayed"] is True
    assert instead["messages"][0]["text"] == (
        "I did not send your earlier message. To send it, please write it again."
    )
    assert await _worker_sees(state) == ["are you there?"]
    resumed = await (await client.get("/chat/state", headers={HEADER: token})).json()
    assert resumed["ask"] is None or resumed["ask"]["step"] != data["ask"]["step"]


async def test_the_page_opens_in_the_browsers_language_as_a_first_guess(client: Client) -> None:
    headers = {"Accept-Language": "fr-FR,fr;q=0.9,ro;q=0.8,en;q=0.5"}
    page = await (await client.get("/chat", headers=headers)).text()
    assert '<html lang="ro"' in page  # French is not shipped; Romanian is the next wanted
    page = await (await client.get("/chat", headers={"Accept-Language": "it-IT,it"})).text()
    assert '<html lang="it"' in page
    assert "data-linked" not in page
    page = await (await client.get("/chat", headers={"Accept-Language": "ar-EG"})).text()
    assert '<html lang="ar" dir="rtl"' in page
    page = await (await client.get("/chat?lang=en", headers={"Accept-Language": "ar"})).text()
    assert '<html lang="en"' in page  # a link's own language wins
    assert 'data-linked="1"' in page  # so the page sends no navigator.languages
    page = await (await client.get("/chat", headers={"Accept-Language": "x;q=nonsense,,"})).text()
    assert '<html lang="en"' in page


async def test_the_browsers_languages_sent_with_the_first_turn_open_the_conversation(
    client: Client,
) -> None:
    """Issue 13: `navigator.languages` is the first guess; the language question, in
    that language with its button first, asks the young person to confirm it."""
    token = await _open(client)
    data = await _turn(client, token, kind="start", lang="en", languages="fr-FR,it-IT,it")
    ask = _ask(data)
    assert ask["lang"] == "it"
    assert ask["text"] == "Che lingua vuoi?"
    assert ask["options"][0] == {"value": "it", "label": "Italiano"}
