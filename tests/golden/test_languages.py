"""Golden conversations for every age band in every shipped language.

The same inputs as `cases/feedback_<band>.yaml` (buttons by value, so they work in any
language), then the privacy question, are played in each shipped language that has a
catalog (and in the source language); each transcript is `languages/<band>/<lang>.txt`.
Adding a language's catalog and shipping it makes this test ask for new goldens:
`pytest tests/golden --update-goldens` writes them, and reviewers (native speakers and
the survivor advisory group among them) read them as a diff. Removing a language leaves
its files, which `test_no_golden_for_a_language_not_shipped` then names.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.app import App, load_app
from tests.golden.test_golden import CASES, ROOT, play

LANGUAGES = Path(__file__).parent / "languages"
_CONFIG = ROOT / "config.toml"


def _app() -> App:
    return load_app(_CONFIG)


def languages_with_catalogs(app: App) -> list[str]:
    """The shipped languages whose catalogs are present, and the source language."""
    locales = app.base / app.config.locales_dir
    langs = app.config.languages
    present = {p.parents[1].name for p in locales.glob("*/LC_MESSAGES/safevoice.po")}
    return [lang for lang in langs.shipped if lang == langs.source or lang in present]


_APP = _app()
BANDS = [band.id for band in _APP.config.age_bands]
PAIRS = [(band, lang) for band in BANDS for lang in languages_with_catalogs(_APP)]


@pytest.fixture(scope="module")
def app() -> App:
    return _APP


@pytest.mark.parametrize(("band", "lang"), PAIRS, ids=[f"{b}-{lang}" for b, lang in PAIRS])
async def test_every_band_in_every_language(
    band: str, lang: str, app: App, request: pytest.FixtureRequest
) -> None:
    case = yaml.safe_load((CASES / f"feedback_{band}.yaml").read_text(encoding="utf-8"))
    case = case | {"language": lang, "inputs": [*case["inputs"], {"command": "privacy"}]}
    chat = await play(app, case)
    try:
        got = chat.text()
    finally:
        chat.close()
    expected = LANGUAGES / band / f"{lang}.txt"
    if request.config.getoption("--update-goldens", default=False):
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_text(got, encoding="utf-8", newline="\n")
        return
    assert expected.exists(), f"no golden for {band}/{lang}: pytest tests/golden --update-goldens"
    assert got == expected.read_text(encoding="utf-8")


def test_no_golden_for_a_language_not_shipped() -> None:
    wanted = {LANGUAGES / band / f"{lang}.txt" for band, lang in PAIRS}
    stale = sorted(str(p.relative_to(LANGUAGES)) for p in LANGUAGES.glob("*/*.txt"))
    assert stale == sorted(str(p.relative_to(LANGUAGES)) for p in wanted)
