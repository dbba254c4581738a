"""Right-to-left helpers: isolating numbers, commands and Latin words inside Arabic."""

from __future__ import annotations

import pytest

from bot.config import load_config
from bot.i18n import catalogs
from bot.i18n.rtl import FSI, PDI, is_rtl, isolate, strip_isolates
from tests.i18n.conftest import ROOT


@pytest.mark.parametrize(
    ("lang", "rtl"), [("ar", True), ("ar-EG", True), ("ar_SY", True), ("fa", True), ("fa-AF", True)]
)
def test_is_rtl(lang: str, rtl: bool) -> None:
    assert is_rtl(lang) is rtl


@pytest.mark.parametrize("lang", ["en", "ro", "", "arn"])
def test_is_not_rtl(lang: str) -> None:
    assert not is_rtl(lang)


def test_isolate_wraps_numbers_commands_and_latin_words() -> None:
    text = "اتصل بالرقم 116 111 أو اكتب /stop. هذا SafeVoice."
    done = isolate(text, rtl=True)
    assert f"{FSI}116 111{PDI}" in done
    assert f"{FSI}/stop{PDI}." in done
    assert f"{FSI}SafeVoice{PDI}" in done
    assert strip_isolates(done) == text


def test_isolate_leaves_left_to_right_text_and_is_idempotent() -> None:
    assert isolate("Call 116 111 or type /stop.", rtl=False) == "Call 116 111 or type /stop."
    once = isolate("الرقم 112", rtl=True)
    assert isolate(once, rtl=True) == once
    assert once.count(FSI) == once.count(PDI) == 1


def test_isolate_keeps_a_phone_number_with_plus_in_one_piece() -> None:
    assert isolate("رقم +40 21 300", rtl=True) == f"رقم {FSI}+40 21 300{PDI}"


def test_persian_is_right_to_left_and_its_numbers_and_commands_stay_readable() -> None:
    config, _ = load_config(ROOT / "config.toml")
    assert config.is_rtl("fa")
    catalog = catalogs.read(catalogs.po_path(ROOT / "locales", "fa"), "fa")
    # Persian sentences holding a /command and a number, as the catalog has them.
    stop = next(m.string for m in catalog if m.id and "To stop, type /stop." in str(m.id))
    done = isolate(stop, rtl=config.is_rtl("fa"))
    assert f"{FSI}/stop{PDI}" in done
    hours = next(m.string for m in catalog if m.id and "48 hours" in str(m.id))
    assert f"{FSI}48{PDI}" in isolate(hours, rtl=True)
    assert strip_isolates(done) == stop
