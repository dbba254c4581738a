"""Right-to-left helpers: isolating numbers, commands and Latin words inside Arabic."""

from __future__ import annotations

import pytest

from bot.i18n.rtl import FSI, PDI, is_rtl, isolate, strip_isolates


@pytest.mark.parametrize(("lang", "rtl"), [("ar", True), ("ar-EG", True), ("ar_SY", True)])
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
