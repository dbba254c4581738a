"""The lexicon is read at start-up; a gap in a shipped language stops the start."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.app import load_lexicon
from bot.config import load_config
from bot.errors import ConfigError
from bot.safety.lexicon import DEFAULT_DIR
from tests.engine.test_purity import FORBIDDEN, _imports

ROOT = Path(__file__).resolve().parents[2]
CONFIG, BASE = load_config(ROOT / "config.toml")


def _with_dir(tmp_path: Path) -> Path:
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = text.replace("[safety]\n", '[safety]\nlexicon_dir = "lexicons"\n', 1)
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    return tmp_path / "config.toml"


def test_the_shipped_lexicon_loads() -> None:
    lexicon = load_lexicon(CONFIG, BASE)
    assert set(lexicon.languages) >= set(CONFIG.languages.shipped)


def test_a_staff_folder_replaces_the_shipped_one(tmp_path: Path) -> None:
    shutil.copytree(DEFAULT_DIR, tmp_path / "lexicons")
    (tmp_path / "lexicons" / "en.suicide.txt").write_text("blue whale\n", encoding="utf-8")
    config, base = load_config(_with_dir(tmp_path))
    lexicon = load_lexicon(config, base)
    assert lexicon.match("the blue whale game") is not None
    found = lexicon.match("they took my passport")
    assert found is not None
    assert found.category == "documents_taken"


def test_a_missing_category_stops_the_start(tmp_path: Path) -> None:
    shutil.copytree(DEFAULT_DIR, tmp_path / "lexicons")
    (tmp_path / "lexicons" / "ro.self_harm.txt").unlink()
    config, base = load_config(_with_dir(tmp_path))
    with pytest.raises(ConfigError, match="ro/self_harm"):
        load_lexicon(config, base)


@pytest.mark.parametrize(
    "path", sorted((ROOT / "bot" / "safety").glob("*.py")), ids=lambda p: p.name
)
def test_safety_code_is_pure(path: Path) -> None:
    imported = _imports(path)
    assert not {name for name in imported if name.split(".")[0] in FORBIDDEN}
    # Nothing here logs: a log line could carry what a young person wrote.
    assert "logging" not in imported


def test_staff_can_try_phrases(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.safety.__main__ import main

    assert main(["check", "they", "took", "my", "passport"]) == 0
    assert re.fullmatch(
        r"documents_taken \(clear, en\.documents_taken:\d+\)", capsys.readouterr().out.strip()
    )
    assert main(["check", "the food was good"]) == 1
    assert main(["coverage"]) == 0
    assert "documents_taken" in capsys.readouterr().out
    assert main([]) == 2
