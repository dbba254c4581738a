"""The image-abuse route: calm steps in the band's words, the report-and-remove service of
the deployment's country (config.toml), and a sextortion signal that brings it after the
danger message, before the desk's words."""

from __future__ import annotations

from bot.app import App
from bot.engine.events import HandoffRequested, Say
from bot.engine.image_abuse import report_remove_for, route
from bot.engine.inputs import Input
from bot.engine.runner import Engine
from bot.safety.detector import DangerMatch
from bot.safety.respond import CHECK_IN_STEP

STEPS = ("do not pay", "not your fault", "Keep")


def test_every_band_gets_the_steps_and_the_international_service(app: App) -> None:
    # The shipped deployment is in RO, which has no service of its own: the fallback.
    assert [s.url for s in report_remove_for(app.config)] == ["https://takeitdown.ncmec.org"]
    assert [s.url for s in report_remove_for(app.config, "GB")] == [
        "https://www.childline.org.uk/remove"
    ]
    for band in app.config.band_ids:
        says = route(app.config, app.translator, "en", band, not_opened=True)
        text = says[0].text
        assert text.startswith("I did not open that")
        assert "Take It Down" in text
        assert "https://takeitdown.ncmec.org" in text
        assert all(step.lower() in text.lower() for step in STEPS), (band, text)
        assert "worker" not in text
        question = says[1]
        assert question.step == CHECK_IN_STEP
        assert [o.value for o in question.options] == ["person", "not_now"]
    young = route(app.config, app.translator, "en", "8-12")
    assert "grown-up from our team" in young[1].text
    assert "grown-up you trust" in young[0].text


def test_the_route_is_translated_and_the_address_kept_whole(app: App) -> None:
    for lang in ("ro", "ar"):
        says = route(app.config, app.translator, lang, "13-15", not_opened=True)
        english = route(app.config, app.translator, "en", "13-15", not_opened=True)
        assert says[0].text != english[0].text
        assert says[1].text != english[1].text
        # Whole, so Telegram shows it as a link, also in right-to-left text.
        assert says[0].text.endswith(": https://takeitdown.ncmec.org")
    assert route(app.config, app.translator, "ar", "13-15")[0].rtl


def test_a_clear_sextortion_signal_brings_the_route_before_the_request(app: App) -> None:
    def detector(text: str, prefer: str | None = None) -> DangerMatch:
        return DangerMatch("sextortion", "en", "clear", "en.sextortion:3")

    engine = Engine(app.flows, app.config, app.translator, danger=detector)
    session, _ = engine.start("en")
    session, _ = engine.resume(session, Input.button("en", "pick_language"))
    session, _ = engine.resume(session, Input.button("16-17", "pick_age"))
    _, events = engine.resume(session, Input.text("he says he will post my pics"))
    kinds = [type(e).__name__ for e in events]
    request = kinds.index("HandoffRequested")
    texts = [e.text for e in events[:request] if isinstance(e, Say)]
    assert texts[0].startswith("Thank you for telling me.")  # the danger message first
    assert any("Do not pay them" in t and "Take It Down" in t for t in texts)
    found = events[request]
    assert isinstance(found, HandoffRequested)
    assert found.urgent


def test_other_danger_brings_no_picture_route(engine: Engine, app: App) -> None:
    def detector(text: str, prefer: str | None = None) -> DangerMatch:
        return DangerMatch("abuse_now", "en", "clear", "en.abuse_now:1")

    engine = Engine(app.flows, app.config, app.translator, danger=detector)
    session, _ = engine.start("en")
    _, events = engine.resume(session, Input.text("he hits me"))
    assert not any(isinstance(e, Say) and "Take It Down" in e.text for e in events)
