"""The first guess from a device's languages: only ever a shipped one."""

from __future__ import annotations

import pytest

from bot.i18n.negotiate import browser_guess, first_guess, from_accept_language

SHIPPED = ("en", "ro", "ar", "sr", "nb", "fa")


def test_accept_language_is_read_by_quality_then_order() -> None:
    header = "de;q=0.5, ro-RO, en;q=0.8, *;q=0.1, it;q=0"
    assert from_accept_language(header) == ["ro-RO", "en", "de"]
    assert from_accept_language(None) == []
    assert from_accept_language("en;q=x, ,;") == []


@pytest.mark.parametrize(
    ("preferred", "lang"),
    [
        (["ro-RO"], "ro"),
        (["de", "sr-Latn-RS"], "sr"),
        (["no"], "nb"),  # Telegram and browsers say "no" for Norwegian
        (["fa-IR"], "fa"),
        ([None, "ar_EG"], "ar"),
        (["sw", "so"], "en"),  # none shipped: the source language
        ([], "en"),
    ],
)
def test_the_first_shipped_language_or_the_source(preferred: list[str | None], lang: str) -> None:
    assert first_guess(preferred, SHIPPED, "en") == lang


@pytest.mark.parametrize(
    ("browser", "page", "lang"),
    [
        ("it-IT,it,en-US", "en", "en"),  # Italian not shipped here: the page's guess
        ("sr-Latn,en", "en", "sr"),  # navigator.languages first
        ("", "ro", "ro"),  # not sent (a link's own language): the page's
        (None, "xx", None),  # nothing shipped named: the engine's source language
        ("de,fr", "ar", "ar"),
        (["it"], "ro", "ro"),  # not a text: ignored
    ],
)
def test_the_web_chat_guesses_from_the_browsers_languages_then_the_page(
    browser: object, page: object, lang: str | None
) -> None:
    assert browser_guess(browser, page, SHIPPED, "en") == lang
