"""Whole conversations in Romanian and Arabic: every band, every menu entry, no English.

A simple driver answers whatever is asked (first option, "no" for yes/no, a few words
for free text, two options then Done for multiple choice), so the test follows the
flows as they change instead of a script that goes stale.
"""

from __future__ import annotations

import re

import pytest

from bot.app import App, load_app
from bot.engine.events import Event, Say
from bot.engine.inputs import Input
from bot.engine.session import Session
from bot.i18n import catalogs
from bot.i18n.system import SYSTEM_PLURALS, SYSTEM_TEXTS
from tests.i18n.conftest import ROOT, SHIPPED

ARABIC = re.compile(r"[\u0600-\u06ff]")
MENU = ("feedback", "privacy", "person", "stop", "forget")
# "More quiet in the evening", as a young person might type it.
TYPED = {
    "ro": "Mai multă liniște seara.",
    "ar": "هدوء أكثر في المساء.",
    "bs": "Više mira uveče.",
    "de": "Mehr Ruhe am Abend.",
    "it": "Più silenzio la sera.",
    "sw": "Utulivu zaidi jioni.",
    "lv": "Vairāk klusuma vakarā.",
    "pcm": "Make e quiet small for evening.",
    "nl": "Meer rust in de avond.",
    "nb": "Mer ro om kvelden.",
    "sq": "Më shumë qetësi në mbrëmje.",
    "so": "Aamus badan fiidkii.",
    "sr": "Više mira uveče.",
    "sv": "Mer lugn på kvällen.",
    "uk": "Більше тиші ввечері.",
    "fa": "آرامش بیشتر در شب.",
    "ti": "ምሸት ዝያዳ ህድኣት።",
}


@pytest.fixture(scope="module")
def app() -> App:
    return load_app(ROOT / "config.toml")


def english(app: App) -> set[str]:
    texts = {text for flow in app.flows for step in flow.steps for _, text in step.texts()}
    texts |= set(SYSTEM_TEXTS) | {form for pair in SYSTEM_PLURALS for form in pair}
    texts |= {band.label["en"] for band in app.config.age_bands}
    texts |= {service.label["en"] for service in app.config.services.values()}
    return texts


def own_words(app: App, lang: str) -> set[str]:
    """The texts `lang`'s catalog and labels give, whatever they look like."""
    catalog = catalogs.read(catalogs.po_path(ROOT / "locales", lang), lang)
    found = {text for m in catalog if m.id for text in _strings(m.string)}
    found |= {band.label.get(lang, "") for band in app.config.age_bands}
    return found | {service.label.get(lang, "") for service in app.config.services.values()}


def _strings(string: str | tuple[str, ...]) -> tuple[str, ...]:
    return string if isinstance(string, tuple) else (string,)


def says(events: list[Event]) -> list[Say]:
    return [event for event in events if isinstance(event, Say)]


def answer(say: Say, lang: str) -> Input:
    values = [option.value for option in say.options]
    if say.input == "yes_no":
        return Input.button("no", say.step)
    if say.input == "text":
        return Input.text(TYPED[lang])
    if say.input == "multi":
        chosen = [v for v in values[:2] if v not in say.selected]
        return Input.button(chosen[0] if chosen else "done", say.step)
    return Input.button(values[0], say.step)


def talk(app: App, lang: str, band: str) -> list[Say]:
    """Start, pick the language and band, then try every menu entry in turn."""
    engine = app.engine
    session, events = engine.start(lang)
    shown = says(events)
    session, shown = step(app, session, shown, Input.button(lang, shown[-1].step))
    session, shown = step(app, session, shown, Input.button(band, shown[-1].step))
    for entry in MENU:
        session, shown = step(app, session, shown, Input.command("menu"))
        session, shown = step(app, session, shown, Input.button(entry, shown[-1].step))
        for _ in range(40):  # answer until the menu (or nothing) waits again
            last = shown[-1]
            if last.input == "none" or {o.value for o in last.options} >= set(MENU):
                break
            session, shown = step(app, session, shown, answer(last, lang))
    return shown


def step(app: App, session: Session, shown: list[Say], inp: Input) -> tuple[Session, list[Say]]:
    session, events = app.engine.resume(session, inp)
    new = says(events)
    assert new, f"no answer to {inp}"
    return session, shown + new


@pytest.mark.parametrize("band", ["8-12", "13-15", "16-17", "18-24"])
@pytest.mark.parametrize("lang", SHIPPED)
def test_conversation_has_no_english_flow_text(app: App, lang: str, band: str) -> None:
    shown = talk(app, lang, band)
    # A word the language writes as English does ("No" in Italian, much of Pidgin) is its own.
    source = english(app) - own_words(app, lang)
    leaked = [s.text for s in shown[1:] if s.text in source]
    leaked += [o.label for s in shown for o in s.options if o.label in source]
    leaked += [s.skip.label for s in shown if s.skip and s.skip.label in source]
    leaked += [s.done.label for s in shown if s.done and s.done.label in source]
    assert not leaked
    # The first message comes before the language is chosen: already in the guessed one.
    assert shown[0].text not in source
    assert len(shown) > 30  # the whole feedback flow and every menu entry ran


@pytest.mark.parametrize("band", ["8-12", "18-24"])
def test_arabic_conversation_is_right_to_left(app: App, band: str) -> None:
    shown = talk(app, "ar", band)
    assert all(s.rtl and s.lang == "ar" for s in shown)
    assert all(ARABIC.search(s.text) for s in shown)
    picked = [s.text for s in shown if s.text.startswith("اخترت")]
    assert "اخترت إجابتين." in picked  # two options, then Done: the Arabic dual form


def test_romanian_conversation_is_left_to_right(app: App) -> None:
    shown = talk(app, "ro", "13-15")
    assert not any(s.rtl for s in shown)
    assert "Ai ales 2 răspunsuri." in [s.text for s in shown]
    assert any(s.text.startswith("Bine. Îi cer cuiva din echipa noastră") for s in shown)


def test_loaded_app_reports_no_missing_translation(app: App) -> None:
    # Only missing ones: a long or hard translated sentence is a warning of its own kind.
    missing = [str(p) for p in app.warnings if p.kind in ("untranslated", "no catalog")]
    assert not missing
