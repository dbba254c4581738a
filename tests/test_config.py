"""config.toml: the shipped file loads; bad values get a message naming the problem."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import Settings, load_config
from bot.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = (ROOT / "config.toml").read_text(encoding="utf-8")
EIGHTEEN = ("en", "ro", "it", "sr", "bs", "sq", "lv", "sv", "nb", "nl", "de", "sw", "uk", "ar",
            "fa", "ti", "so", "pcm")  # fmt: skip


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_loads_every_band_and_language() -> None:
    config, base = load_config(ROOT / "config.toml")
    assert config.band_ids == ("8-12", "13-15", "16-17", "18-24")
    assert sorted(config.languages.shipped) == sorted(EIGHTEEN)
    assert all(lang in config.languages.names for lang in EIGHTEEN)
    assert [lang for lang in EIGHTEEN if config.is_rtl(lang)] == ["ar", "fa"]
    assert "text" not in config.band("8-12").keep
    assert base == ROOT


def test_serbian_is_listed_before_bosnian() -> None:
    """A Latin text with neither Serbian nor Bosnian forms is taken for the one listed
    first (bot/i18n/detect.py); the keyboard sorts by name whatever the order here."""
    config, _ = load_config(ROOT / "config.toml")
    assert config.languages.shipped.index("sr") < config.languages.shipped.index("bs")


def test_a_shipped_list_without_the_source_language_is_refused(tmp_path: Path) -> None:
    config, _ = load_config(ROOT / "config.toml")
    shipped = ", ".join(f'"{lang}"' for lang in config.languages.shipped if lang != "en")
    text = re.sub(r"(?m)^shipped = \[.*\]$", f"shipped = [{shipped}]", SHIPPED, count=1)
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert "source language" in str(caught.value)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("k_threshold = 10", "k_threshold = 1"), "privacy.k_threshold"),
        (('id = "8-12"', 'id = "eight"'), "age_bands.0.id"),
        (("min_age = 8", "min_age = 13"), "min_age 13 is above max_age 12"),
        (('library = "aiogram"', 'library = "other"'), "telegram.library"),
        (('sh1 = "shelter"', 'sh1 = "nowhere"'), "unknown service 'nowhere'"),
        (("[privacy]", "[privacy]\nsurprise = 1"), "privacy.surprise"),
    ],
)
def test_bad_values_are_named(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    old, new = change
    assert old in SHIPPED
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, SHIPPED.replace(old, new, 1)))
    assert expected in str(caught.value)
    assert "Traceback" not in str(caught.value)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ('url = "https://takeitdown.ncmec.org"', 'url = "takeitdown.ncmec.org"'),
            ["report_remove.0.url", "with https://", 'url = "https://takeitdown.ncmec.org"'],
        ),
        (('country = "GB"', 'country = "uk"'), ["report_remove.1.country"]),
        (
            (
                'name = { en = "Take It Down", ro = "Take It Down", ar = "Take It Down" }',
                'name = { en = " " }',
            ),
            ["report_remove.0.name", "give the service a name"],
        ),
        (
            ('url = "https://www.childline.org.uk/remove"\n', ""),
            ["report_remove.1.url", "required"],
        ),
    ],
)
def test_a_bad_report_remove_entry_names_the_key_and_the_fix(
    tmp_path: Path, change: tuple[str, str], expected: list[str]
) -> None:
    old, new = change
    assert old in SHIPPED
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, SHIPPED.replace(old, new, 1)))
    for part in expected:
        assert part in str(caught.value)


def test_not_toml_and_not_utf8_and_missing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[languages\nsource = 'en'"))
    bad = tmp_path / "latin1.toml"
    bad.write_bytes('flows_dir = "fl\xf6ws"'.encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(bad)
    with pytest.raises(ConfigError, match="no config file here"):
        load_config(tmp_path / "nothing.toml")


def test_secrets_and_urls_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, base = load_config(ROOT / "config.toml")
    monkeypatch.delenv("SAFEVOICE_SECRET_KEY", raising=False)
    monkeypatch.delenv("SAFEVOICE_DATABASE_URL", raising=False)
    settings = Settings.from_env(config, base)
    assert settings.secret_key is None
    assert settings.database_url == f"sqlite:///{ROOT / 'data' / 'feedback.db'}"
    monkeypatch.setenv("SAFEVOICE_SECRET_KEY", "s3cret")
    monkeypatch.setenv("SAFEVOICE_DATABASE_URL", "postgresql://127.0.0.1/x")
    monkeypatch.setenv("SAFEVOICE_REDIS_URL", "redis://127.0.0.1:6390/2")
    settings = Settings.from_env(config, base)
    assert settings.secret_key == b"s3cret"
    assert settings.database_url == "postgresql://127.0.0.1/x"
    assert settings.redis_url == "redis://127.0.0.1:6390/2"
