"""Helplines for the deployment's country, in the young person's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bot.config import Config, load_config
from bot.i18n.numbers import LRI
from bot.i18n.rtl import PDI, strip_isolates
from bot.safety.helplines import HelplineText, format_helplines, helplines_for

ROOT = Path(__file__).resolve().parents[2]
SHIPPED, _ = load_config(ROOT / "config.toml")


def config(helplines: list[dict[str, Any]], country: str | None = "RO") -> Config:
    data = SHIPPED.model_dump()
    data["helplines"] = helplines
    data["safety"] = {"country": country}
    return Config.model_validate(data)


def test_shipped_helplines_in_every_language() -> None:
    for lang in SHIPPED.languages.shipped:
        numbers = [h.number for h in helplines_for(SHIPPED, lang)]
        assert numbers == ["116 111", "112", "0800 800 678"], lang
    assert helplines_for(SHIPPED, "ro")[0].name == "Telefonul copilului (gratuit, oricând)"


def test_only_the_country_and_helplines_without_one() -> None:
    cfg = config(
        [
            {"number": "116 111", "name": {"en": "Child helpline"}},
            {"number": "0800 800 000", "name": {"en": "Romania line"}, "country": "RO"},
            {"number": "0800 111 222", "name": {"en": "Moldova line"}, "country": "MD"},
        ]
    )
    assert [h.number for h in helplines_for(cfg, "en")] == ["116 111", "0800 800 000"]
    assert [h.number for h in helplines_for(cfg, "en", country="MD")] == [
        "116 111",
        "0800 111 222",
    ]
    # No country set: every helpline is shown rather than none.
    assert len(helplines_for(config(list(cfg.model_dump()["helplines"]), None), "en")) == 3


def test_language_limited_helplines() -> None:
    cfg = config(
        [
            {"number": "111", "name": {"en": "Arabic line"}, "languages": ["ar"]},
            {"number": "222", "name": {"en": "General"}},
        ]
    )
    assert [h.number for h in helplines_for(cfg, "ar")] == ["111", "222"]
    assert [h.number for h in helplines_for(cfg, "ar-EG")] == ["111", "222"]
    assert [h.number for h in helplines_for(cfg, "ro")] == ["222"]
    # When only language-limited lines exist, a number in another language beats none.
    only = config([{"number": "111", "name": {"en": "Arabic line"}, "languages": ["ar"]}])
    assert [h.number for h in helplines_for(only, "ro")] == ["111"]


def test_names_fall_back_to_the_source_language() -> None:
    cfg = config([{"number": "1", "name": {"en": "Line", "ro": "Linia"}, "note": {"en": "free"}}])
    assert helplines_for(cfg, "ro") == [HelplineText("Linia", "1", "free")]
    assert helplines_for(cfg, "ar") == [HelplineText("Line", "1", "free")]


def test_format_ltr_and_rtl() -> None:
    assert format_helplines(SHIPPED, "en") == (
        "• Child helpline (free, any time): 116 111\n• Emergency: police, ambulance: 112\n"
        "• Help against human trafficking: 0800 800 678"
    )
    arabic = format_helplines(SHIPPED, "ar")
    assert f"{LRI}116 111{PDI}" in arabic
    assert f"{LRI}112{PDI}" in arabic
    assert "خط نجدة الطفل" in strip_isolates(arabic)


def test_format_with_a_note_and_without_helplines() -> None:
    cfg = config([{"number": "1", "name": {"en": "Line"}, "note": {"en": "9 to 5"}}])
    assert format_helplines(cfg, "en") == "• Line: 1 (9 to 5)"
    assert format_helplines(config([]), "en") == ""


@pytest.mark.parametrize("country", ["ro", "ROU", "R0"])
def test_country_codes_are_checked(country: str) -> None:
    with pytest.raises(ValidationError):
        config([{"number": "1", "name": {"en": "x"}, "country": country}])
    with pytest.raises(ValidationError):
        config([], country=country)


SEED_COUNTRIES = ("RS", "RO", "IT", "NG", "SE", "NL", "KE", "TZ", "UG", "DE", "AT", "NO", "BA",
                  "LV", "AL")  # fmt: skip


def test_every_seed_country_has_helplines_and_each_names_its_source() -> None:
    text = (Path(__file__).resolve().parents[2] / "config.toml").read_text(encoding="utf-8")
    blocks = text.split("[[helplines]]")[1:]
    assert blocks
    for block in blocks:
        source = next((line for line in block.splitlines() if line.startswith("# Source:")), "")
        assert "https://" in source, block
    config, _ = load_config(Path(__file__).resolve().parents[2] / "config.toml")
    for country in SEED_COUNTRIES:
        numbers = [h.number for h in config.helplines if h.country == country]
        assert numbers, country
