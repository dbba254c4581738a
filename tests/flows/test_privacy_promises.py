"""Every privacy promise in the flows, next to the behaviour that keeps it (DESIGN: "privacy
texts promise only what the system does; each promise has a test").

`PROMISES` lists each sentence by band, flow and step with a key phrase of it, and the
test below that checks what the phrase says. The conversations run through the real
engine, conversation service and stores (`ScriptedChat`, the runtime's memory mode, as in
tests/golden). A promise added to a privacy text without a line here, or a line whose
phrase is no longer in its flow, fails `test_every_promise_is_in_its_flow`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po

from bot.app import App, load_app
from bot.i18n.system import SYSTEM_PLURALS, SYSTEM_TEXTS
from bot.services.report import build_report
from bot.staff.accounts import Account
from bot.storage.memory import MemorySessionStore
from bot.storage.records import Answer, FeedbackRecord
from bot.testing import CHANNEL, ScriptedChat

ROOT = Path(__file__).resolve().parents[2]
FLOWS = ROOT / "flows"
LOCALES = ROOT / "locales"
BANDS = ("8-12", "13-15", "16-17", "18-24")
OLDER = ("13-15", "16-17", "18-24")  # the bands whose free text is kept

# What a young person types into a free-text answer: their name and their phone number.
NAME, FAMILY, PHONE = "Maria", "Popescu", "+40 721 234 567"
TYPED = f"My name is {NAME} {FAMILY}, call me on {PHONE}. The rooms are cold."
LEFT = "The rooms are cold."  # what staff may read of it

# The behaviours, each a test below.
NO_NAME = "test_records_carry_no_name_or_contact"
NO_WORDS = "test_youngest_band_keeps_no_words"
READ = "test_staff_read_scrubbed_words_once_k_answered"
BELOW_K = "test_staff_see_nothing_below_k"
WORKER = "test_worker_reads_messages_under_a_label"
FORGET = "test_forget_deletes_the_conversation_and_the_case"
STAYS = "test_forget_leaves_sent_answers_unlinkable"
EXPIRES = "test_sessions_expire_after_inactivity"
RETENTION = "test_records_are_kept_for_a_limited_time"

UPDATES = "test_what_changed_shows_what_staff_published"
SUBSCRIPTION = "test_a_subscription_keeps_a_code_and_the_service_and_ends"
# (band, flow, step, key phrase, the test that keeps the promise).
PROMISES: tuple[tuple[str, str, str, str, str], ...] = (
    # 8-12
    ("8-12", "welcome", "secret", "do not see your name", NO_NAME),
    ("8-12", "privacy", "what", "with no name on them", NO_NAME),
    ("8-12", "privacy", "what", "We keep your answers for a while", RETENTION),
    ("8-12", "privacy", "who", "look at the whole pile", NO_WORDS),
    ("8-12", "privacy", "who", "they read what you write to them", WORKER),
    ("8-12", "privacy", "who", "We do not show them your name", WORKER),
    ("8-12", "privacy", "delete", "delete our chat at any time. Just type /forget", FORGET),
    ("8-12", "privacy", "delete", "Answers you already sent stay in the pile", STAYS),
    # 13-15
    ("13-15", "welcome", "secret", "added up with other young people's", BELOW_K),
    ("13-15", "welcome", "secret", "may read the words you write, without your name", READ),
    ("13-15", "privacy", "what", "for a limited time", RETENTION),
    ("13-15", "privacy", "what", "without your name, your number or your account", NO_NAME),
    ("13-15", "privacy", "what", "I also take out names, phone numbers and links", NO_NAME),
    ("13-15", "privacy", "who", "may read the words you write, without your name", READ),
    ("13-15", "privacy", "who", "If only a few people answered, they see nothing", BELOW_K),
    ("13-15", "privacy", "who", "they read what you write to them", WORKER),
    ("13-15", "privacy", "who", "not shown your name, your number or your account", WORKER),
    ("13-15", "privacy", "delete", "delete our conversation at any time with /forget", FORGET),
    ("13-15", "privacy", "delete", "we cannot tell which ones are yours", STAYS),
    ("13-15", "service_feedback", "thanks", "kept without your name", NO_NAME),
    ("13-15", "service_feedback", "thanks", 'To see what changed, choose "What changed?"', UPDATES),
    (
        "8-12",
        "service_feedback",
        "thanks",
        'To see what we changed, choose "What changed?"',
        UPDATES,
    ),
    # 16-17 and 18-24 (the same sentences)
    *(
        (band, flow, step, phrase, behaviour)
        for band in ("16-17", "18-24")
        for flow, step, phrase, behaviour in (
            ("welcome", "secret", "stored without your name, number or account", NO_NAME),
            ("welcome", "secret", "may read the words you write, without your name", READ),
            ("privacy", "what", "kept for a limited time", RETENTION),
            ("privacy", "what", "without your name, phone number, account", NO_NAME),
            ("privacy", "what", "or the exact time", NO_NAME),
            ("privacy", "what", "emails and links found in what you type are removed", NO_NAME),
            ("privacy", "who", "read the words you write, word for word, without your name", READ),
            ("privacy", "who", "Answers from small groups are hidden", BELOW_K),
            ("privacy", "who", "they read what you write to them under a random label", WORKER),
            ("privacy", "who", "not shown your name, your number or your account", WORKER),
            ("privacy", "delete", "deleted after a short time without messages", EXPIRES),
            ("privacy", "delete", "With /forget it is deleted at once", FORGET),
            ("privacy", "delete", "any request to talk to a person and what you", FORGET),
            ("privacy", "delete", "we cannot tell which is yours", STAYS),
            ("service_feedback", "thanks", "kept without your name", NO_NAME),
            ("service_feedback", "thanks", "what staff changed because of what young", UPDATES),
            ("service_feedback", "thanks", "or to hear when something changes", SUBSCRIPTION),
        )
    ),
    # every band
    ("common", "forget", "sure", "This also stops your request to talk to a person", FORGET),
    ("common", "forget", "delete_now", "deleted our conversation and any request", FORGET),
    ("common", "forget", "delete_now", "Answers you already sent stay", STAYS),
    ("common", "forget", "delete_now", "We cannot tell which ones were yours", STAYS),
    ("common", "updates", "subscribe_now", "I keep only a secret code for this chat", SUBSCRIPTION),
    ("common", "updates", "subscribe_now", "not your name or your answers", SUBSCRIPTION),
    ("common", "updates", "subscribe_now", "It stops by itself after a while", SUBSCRIPTION),
    ("common", "updates", "subscribe_now", "at once when you type /forget", SUBSCRIPTION),
)

# Promises found in review to be untrue (staff do read comments word for word), in every
# language they were written in. No text a young person can be shown may say them again.
FALSE_PROMISES = (
    "never who said what",
    "who said what",
    "only totals",
    "only see answers added up",
    "only see them all together",
    "link them back",
    "nobody can find them again",
    "cannot see who you are",
    # ro
    "cine ce a spus",
    "doar totaluri",
    "vede doar răspunsuri",
    "nu le poate lega de tine",
    "nimeni nu le mai poate găsi",
    "nu pot vedea cine ești",
    # ar
    "من قال ماذا",
    "إلا المجاميع",
    "إلا مجموع الإجابات",
    "يربطها بك",
    "لا أحد يستطيع",
    "لا يستطيعون معرفة من أنت",
)


def _step_text(band: str, flow: str, step: str) -> str:
    data = yaml.safe_load((FLOWS / band / f"{flow}.yaml").read_text(encoding="utf-8"))
    for found in data["steps"]:
        if found["id"] == step:
            return str(found["text"])
    pytest.fail(f"flows/{band}/{flow}.yaml has no step {step!r}")


def test_every_promise_is_in_its_flow() -> None:
    names = set(globals())
    for band, flow, step, phrase, behaviour in PROMISES:
        assert phrase in _step_text(band, flow, step), (band, flow, step, phrase)
        assert behaviour in names, behaviour


def test_every_privacy_step_is_listed() -> None:
    """A privacy text without a promise line here is a promise nobody checks."""
    listed = {(band, flow, step) for band, flow, step, _, _ in PROMISES}
    for band in BANDS:
        for flow, step in (("welcome", "secret"), ("privacy", "what"), ("privacy", "who")):
            assert (band, flow, step) in listed, (band, flow, step)
        assert (band, "privacy", "delete") in listed
    assert ("common", "forget", "delete_now") in listed


def _shown_texts() -> list[tuple[str, str]]:
    """Every text a young person may be shown: the flows' own words, the engine's, and
    every translation (obsolete catalog entries are never shown)."""
    texts: list[tuple[str, str]] = []
    for path in sorted(FLOWS.glob("*/*.yaml")):
        for step in yaml.safe_load(path.read_text(encoding="utf-8")).get("steps", []):
            if "text" in step:
                texts.append((str(path.relative_to(ROOT)), str(step["text"])))
    texts += [("bot/i18n/system.py", text) for text in SYSTEM_TEXTS]
    texts += [("bot/i18n/system.py", text) for pair in SYSTEM_PLURALS for text in pair]
    for path in sorted(LOCALES.glob("*/LC_MESSAGES/*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            where = f"{path.relative_to(ROOT)} [{message.context}]"
            texts += [(where, str(s)) for s in strings if s]
    return texts


def test_no_text_repeats_an_old_false_promise() -> None:
    texts = _shown_texts()
    assert len(texts) > 300
    found = [
        (where, phrase)
        for where, text in texts
        for phrase in FALSE_PROMISES
        if phrase.casefold() in text.casefold()
    ]
    assert found == []


# -- the behaviours ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def app() -> App:
    return load_app(ROOT / "config.toml")


async def _give_feedback(chat: ScriptedChat, typed: str = TYPED) -> None:
    """From the menu: the feedback flow, first option on every question, `typed` into every
    free-text one, until the record is sent and the menu is back."""
    before = len(chat.records)
    await chat.click("feedback")
    for _ in range(30):
        question = chat.question
        assert question is not None, "the feedback flow ended without a record"
        if len(chat.records) > before:
            return
        if not question.options:
            await chat.send(typed)
        elif question.done is not None:
            await chat.click("1")
            await chat.click(question.done.value)
        else:
            await chat.click("1")
    pytest.fail("the feedback flow did not end")


def _record_values(record: FeedbackRecord) -> str:
    return json.dumps(
        {f.name: getattr(record, f.name) for f in dataclasses.fields(record)},
        default=str,
        ensure_ascii=False,
    )


@pytest.mark.parametrize("band", BANDS)
async def test_records_carry_no_name_or_contact(app: App, band: str) -> None:
    """Promise: "Saved without your name, your number or your account (or the exact time)", and
    "names, phone numbers … are removed": the record built through the engine from a chat
    where the young person typed their name and number has neither, and nothing that
    leads back to the chat."""
    async with ScriptedChat(app, user_id="4242424242") as chat:
        await chat.start("en", band=band)
        await _give_feedback(chat)
        [record] = chat.records
        key = chat.conversation.key(CHANNEL, chat.user_id)
        stored = _record_values(record)
        for secret in (NAME, FAMILY, "721", "234 567", chat.user_id, key, CHANNEL):
            assert secret not in stored, secret
        # No field names a person, a chat or a moment: a random id, the ISO week only.
        assert {f.name for f in dataclasses.fields(record)} == {
            "flow_id", "flow_version", "age_band", "language", "service", "answers",
            "iso_week", "id",
        }  # fmt: skip
        assert re.fullmatch(r"\d{4}-W\d{2}", record.iso_week)
        texts = [a.value for a in record.answers if a.kind == "text"]
        if band in OLDER:
            assert texts, "the free-text answer was not kept at all"
            assert all(LEFT in str(text) for text in texts)
        else:
            assert texts == []


async def test_youngest_band_keeps_no_words(app: App) -> None:
    """8-12: "the grown-ups look at the whole pile": the youngest band's records hold
    chosen answers only, never words, so there is nothing of theirs to read one by one."""
    assert "text" not in app.config.band("8-12").keep
    async with ScriptedChat(app) as chat:
        await chat.start("en", band="8-12")
        await _give_feedback(chat)
        [record] = chat.records
        kinds = {answer.kind for answer in record.answers}
        assert kinds <= set(app.config.band("8-12").keep)
        assert "text" not in kinds


async def _many(app: App, count: int, band: str = "16-17") -> ScriptedChat:
    chat = ScriptedChat(app)
    await chat.start("en", band=band)
    for _ in range(count):
        await _give_feedback(chat)
    assert len(chat.records) == count
    return chat


async def test_staff_see_nothing_below_k(app: App) -> None:
    """Promise: "If only a few people answered, they see nothing" / "answers from small groups are
    hidden": with one answer fewer than k, the report staff get shows no count and no
    comment."""
    k = app.config.privacy.k_threshold
    chat = await _many(app, k - 1)
    try:
        report = build_report(chat.store, k=k, comments=None)
        # A hidden group is not even listed; whatever is listed shows no count, no comment.
        for question in report.questions:
            assert question.respondents is None, question
            assert question.suppressed, question
            assert question.texts == ()
            assert all(cell.count is None for cell in question.cells)
        assert all(week.records is None for week in report.weeks)
    finally:
        chat.close()


async def test_staff_read_scrubbed_words_once_k_answered(app: App) -> None:
    """Promise: "Staff may read the words you write, without your name": once k answered, the
    report carries the comments word for word, with the name and number taken out."""
    k = app.config.privacy.k_threshold
    chat = await _many(app, k)
    try:
        report = build_report(chat.store, k=k, comments=None)
        texts = [text for q in report.questions if q.kind == "text" for text in q.texts]
        assert texts, "staff see no comments although k young people wrote one"
        assert all(LEFT in text for text in texts)
        for text in texts:
            for secret in (NAME, FAMILY, "721", "234 567"):
                assert secret not in text
        counted = [q for q in report.questions if q.respondents is not None]
        assert counted
        assert all(q.respondents == k for q in counted)
    finally:
        chat.close()


async def test_worker_reads_messages_under_a_label(app: App) -> None:
    """Promise: "If you talk to someone from our team, they read what you write to them, but they
    are not shown your name, your number or your account" ("under a random label"). The
    worker sees the case and its messages; neither holds the chat id or session key."""
    async with ScriptedChat(app, user_id="4242424242") as chat:
        await chat.start("en", band="16-17")
        await chat.command("person")
        await chat.send("I want to talk about the shelter")
        [case] = await chat.handoffs()
        key = chat.conversation.key(CHANNEL, chat.user_id)
        messages = await chat.cases.store.read(case.label, "messages")
        assert any("I want to talk about the shelter" in m.get("text", "") for m in messages)
        shown = json.dumps([case.to_json(), messages], default=str, ensure_ascii=False)
        for secret in (chat.user_id, key, CHANNEL):
            assert secret not in shown, secret
        assert re.fullmatch(r"#?[A-Z0-9]{3,8}", case.label), case.label


async def test_forget_deletes_the_conversation_and_the_case(app: App) -> None:
    """/forget: "I have deleted our conversation and any request to talk to a person":
    afterwards the session store, the case store and the traces hold nothing for the
    chat, and the case's messages and mapping are gone."""
    async with ScriptedChat(app) as chat:
        await chat.start("en", band="13-15")
        await chat.command("person")
        await chat.send("please help me")
        [case] = await chat.handoffs()
        key = chat.conversation.key(CHANNEL, chat.user_id)
        assert await chat.cases.store.mapping(case.label) is not None
        await chat.command("forget")
        await chat.click("delete")
        turn = await chat.sessions.begin(key)
        try:
            assert turn.session is None
        finally:
            await chat.sessions.release(turn)
        assert await chat.cases.store.find(key) is None
        assert await chat.cases.store.mapping(case.label) is None
        assert await chat.cases.store.read(case.label, "messages") == []
        assert await chat.handoffs() == []
        traces = chat.conversation.traces
        assert traces is None or await traces.get(key) is None


async def test_forget_leaves_sent_answers_unlinkable(app: App) -> None:
    """Promise: "Answers you already sent stay … we cannot tell which ones are yours, so we cannot
    delete them": /forget removes no record, and no record holds anything of the chat."""
    async with ScriptedChat(app, user_id="4242424242") as chat:
        await chat.start("en", band="18-24")
        await _give_feedback(chat)
        before = chat.records
        key = chat.conversation.key(CHANNEL, chat.user_id)
        await chat.command("forget")
        await chat.click("delete")
        assert chat.records == before
        for record in before:
            stored = _record_values(record)
            assert chat.user_id not in stored
            assert key not in stored


async def test_sessions_expire_after_inactivity(app: App) -> None:
    """Promise: "Our conversation is deleted after a short time without messages": the runtime's
    session store uses `[privacy] session_ttl_seconds`, and a session past it is gone."""
    ttl = app.config.privacy.session_ttl_seconds
    assert 0 < ttl <= 24 * 3600
    async with ScriptedChat(app) as chat:
        assert isinstance(chat.sessions, MemorySessionStore)
        assert chat.sessions.session_ttl == ttl
    now = [0.0]
    store = MemorySessionStore(session_ttl=ttl, clock=lambda: now[0])
    async with ScriptedChat(app) as chat:
        await chat.start("en", band="16-17")
        key = chat.conversation.key(CHANNEL, chat.user_id)
        saved = await chat.sessions.begin(key)
        await chat.sessions.release(saved)
        assert saved.session is not None
    turn = await store.begin(key)
    await store.commit(turn, saved.session)
    now[0] = ttl + 1
    turn = await store.begin(key)
    assert turn.session is None
    await store.release(turn)


def test_records_are_kept_for_a_limited_time(app: App, tmp_path: Path) -> None:
    """Promise: "Kept for a limited time": the retention purge removes words older than
    `[privacy] text_retention_days` and whole records older than `record_retention_days`."""
    from bot.runtime import open_database
    from bot.staff.retention import purge

    privacy = app.config.privacy
    assert 0 < privacy.text_retention_days <= privacy.record_retention_days
    today = dt.date(2026, 1, 14)
    ages = {
        "new": 0,
        "middle": privacy.text_retention_days + 14,
        "old": privacy.record_retention_days + 14,
    }
    with open_database(ROOT / "config.toml", url=f"sqlite:///{tmp_path / 'f.db'}") as database:
        store = database.store
        for name, days in ages.items():
            store.add(
                FeedbackRecord.build(
                    flow_id="service_feedback", flow_version=1, age_band="16-17",
                    language="en", service="shelter",
                    answers=[
                        Answer("overall", "scale", "3"),
                        Answer("improve", "text", f"words {name}"),
                    ],
                    today=today - dt.timedelta(days=days),
                )
            )  # fmt: skip
        purge(store, privacy, today, "test")
        kept = {record.iso_week: record for record in store.iter_records()}
        texts = sorted(a.value for r in kept.values() for a in r.answers if a.kind == "text")
        assert len(kept) == 2  # the old record is gone
        assert texts == ["words new"]  # the middle one's words are gone, its counts stay


async def _published_update(chat: ScriptedChat) -> None:
    """k young people gave feedback; one worker writes an update, another approves it."""
    updates = chat.runtime.updates
    assert updates is not None
    author, second = Account("ana", "worker", ("*",)), Account("bogdan", "worker", ("*",))
    answerable = updates.answerable(author)
    assert answerable, "k records, yet nothing the dashboard shows"
    first = answerable[0]
    row = updates.draft(author, first.service, first.question_key, "en",
                        "The rooms are cold.", "New heaters are in every room.")  # fmt: skip
    await updates.approve(second, row.id)


async def test_what_changed_shows_what_staff_published(app: App) -> None:
    """Promise: 'To see what changed, choose "What changed?"': the menu's "What changed?"
    shows the service's published update, and so does the end of the next feedback."""
    chat = await _many(app, app.config.privacy.k_threshold)
    try:
        await _published_update(chat)
        await chat.click("updates")
        shown = await chat.click("1")  # the first service, the one the feedback was about
        said = " ".join(m.text for m in shown)
        assert "You said: The rooms are cold." in said
        assert "We did: New heaters are in every room." in said
        await chat.click("no_thanks")
        before = len(chat.records)
        await _give_feedback(chat, "It is warmer now")
        assert len(chat.records) == before + 1
        assert "We did: New heaters are in every room." in chat.text().rsplit("Thank you", 1)[-1]
    finally:
        chat.close()


async def test_a_subscription_keeps_a_code_and_the_service_and_ends(app: App) -> None:
    """Promise: "I keep only a secret code for this chat, not your name or your answers. It
    stops by itself after a while, or at once when you type /forget"."""
    async with ScriptedChat(app, user_id="4242424242") as chat:
        updates = chat.runtime.updates
        assert updates is not None
        await chat.start("en", band="16-17")
        await _give_feedback(chat)
        await chat.click("updates")
        await chat.click("1")
        await chat.click("yes_tell")
        key = chat.conversation.key(CHANNEL, chat.user_id)
        now = updates.clock()  # the chat's pinned clock
        [sub] = updates.store.subscriptions_of(key, now)
        stored = json.dumps(dataclasses.asdict(sub), default=str)
        assert chat.user_id not in stored
        for record in chat.records:
            assert record.id not in stored
            assert key not in _record_values(record)
        days = app.config.updates.subscription_days
        assert sub.expires_at <= now + dt.timedelta(days=days, minutes=1)
        await chat.command("forget")
        await chat.click("delete")
        assert updates.store.subscriptions_of(key, now) == []
