"""The shipped catalogs are complete, safe to show, and the i18n commands keep them so."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from bot.config import load_config
from bot.flows.loader import load_flows
from bot.i18n import catalogs
from bot.i18n.extract import build_template
from bot.i18n.translator import read_catalog
from tests.i18n.conftest import CATALOGS, ROOT, SHIPPED, run_i18n

PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
COMMAND = re.compile(r"(?<![\w/])/[a-z]+\b")
EMOJI = re.compile(r"[\U0001F300-\U0001FAFF\u2600-\u27BF]")


def _template():  # type: ignore[no-untyped-def]
    config, base = load_config(ROOT / "config.toml")
    flows, _ = load_flows(base / config.flows_dir)
    return build_template(flows)


def _catalog(lang: str):  # type: ignore[no-untyped-def]
    return catalogs.read(catalogs.po_path(ROOT / "locales", lang), lang)


def test_every_shipped_language_is_shipped_in_config() -> None:
    config, _ = load_config(ROOT / "config.toml")
    assert set(SHIPPED) == set(config.languages.shipped) - {config.languages.source}


def test_every_shipped_language_has_a_catalog() -> None:
    assert set(SHIPPED) <= set(CATALOGS)


@pytest.mark.parametrize("lang", CATALOGS)
def test_every_template_message_has_a_translation(lang: str) -> None:
    catalog = _catalog(lang)
    untranslated = []
    for wanted in _template():
        if not wanted.id:
            continue
        found = catalog.get(wanted.id, context=wanted.context)
        strings = found.string if found and isinstance(found.string, tuple) else (found.string,)
        if found is None or found.fuzzy or not all(s and s.strip() for s in strings):
            untranslated.append(wanted.context)
    assert not untranslated


@pytest.mark.parametrize("lang", CATALOGS)
def test_placeholders_commands_and_emoji_survive(lang: str) -> None:
    catalog = _catalog(lang)
    assert catalogs.problems(catalog) == []
    for message in catalog:
        if not message.id:
            continue
        source = " ".join(message.id) if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) <= set(PLACEHOLDER.findall(source))
            assert sorted(COMMAND.findall(string)) == sorted(
                COMMAND.findall(message.id[0] if isinstance(message.id, tuple) else message.id)
            )
            assert EMOJI.findall(string) == EMOJI.findall(source)
        if not isinstance(message.id, tuple):
            assert set(PLACEHOLDER.findall(message.string)) == set(PLACEHOLDER.findall(source))


# CLDR's plural rules (through Babel): how many forms, and which form some counts take.
PLURALS = {
    "ro": (3, {1: 0, 2: 1, 20: 2}),
    "ar": (6, {0: 0, 1: 1, 2: 2, 5: 3, 11: 4, 100: 5}),
    "de": (2, {1: 0, 2: 1}),
    "nl": (2, {1: 0, 2: 1}),
    "sv": (2, {1: 0, 2: 1}),
    "nb": (2, {1: 0, 2: 1}),
    "it": (2, {1: 0, 2: 1}),
    "sq": (2, {1: 0, 2: 1}),
    "lv": (3, {1: 0, 21: 0, 11: 1, 2: 1, 0: 2}),
    "sr": (3, {1: 0, 21: 0, 2: 1, 24: 1, 5: 2, 11: 2, 12: 2}),
    "bs": (3, {1: 0, 21: 0, 2: 1, 24: 1, 5: 2, 11: 2, 12: 2}),
    "uk": (3, {1: 0, 21: 0, 2: 1, 24: 1, 5: 2, 11: 2, 12: 2}),
    "sw": (2, {1: 0, 2: 1}),
    "so": (2, {1: 0, 2: 1}),
    "ti": (2, {1: 0, 2: 1}),
    "fa": (2, {0: 0, 1: 0, 2: 1}),  # CLDR: one is i = 0 or n = 1 (Babel's table says 1 form)
    "pcm": (2, {1: 0, 2: 1}),
}


def test_every_catalog_has_its_plural_rule_listed() -> None:
    assert set(CATALOGS) <= set(PLURALS)


@pytest.mark.parametrize("lang", CATALOGS)
def test_plural_forms_have_the_right_count(lang: str) -> None:
    forms, examples = PLURALS[lang]
    catalog = _catalog(lang)
    assert catalog.num_plurals == forms
    plural = [m for m in catalog if m.id and m.pluralizable]
    assert plural
    for message in plural:
        assert len(message.string) == forms
    translator = read_catalog(catalogs.po_path(ROOT / "locales", lang), lang)
    assert {n: translator.plural(n) for n in examples} == examples


@pytest.mark.parametrize("lang", CATALOGS)
def test_catalogs_say_they_need_native_review(lang: str) -> None:
    path = catalogs.po_path(ROOT / "locales", lang)
    assert catalogs.headers(path)[catalogs.REVIEW_HEADER] == catalogs.DRAFTED
    assert "NEEDS NATIVE-SPEAKER REVIEW" in path.read_text(encoding="utf-8")


def test_status_strict_passes_on_the_shipped_catalogs(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_i18n(project / "config.toml", "status", "--strict") == 0
    out = capsys.readouterr().out
    assert re.search(r"^ar\s+\d+\s+0\s+0\s+machine-drafted", out, re.MULTILINE)


def test_update_keeps_translations_and_flags_changed_texts(project: Path) -> None:
    flow = project / "flows" / "common" / "stop.yaml"
    text = flow.read_text(encoding="utf-8")
    flow.write_text(text.replace("Thank you for your time.", "Thanks for your time."), "utf-8")
    language = project / "flows" / "common" / "language.yaml"
    language.write_text(
        language.read_text(encoding="utf-8").replace(
            "Okay, let's go on in this language.", "A brand new sentence nobody translated."
        ),
        encoding="utf-8",
    )
    assert run_i18n(project / "config.toml", "update") == 0
    po = catalogs.po_path(project / "locales", "ro")
    catalog = catalogs.read(po, "ro")
    changed = catalog.get(
        next(m.id for m in catalog if m.context == "common/stop/bye"), context="common/stop/bye"
    )
    assert changed.fuzzy  # close to the old text: a translator must look again
    assert catalog.get("Which language would you like?", context="common/start/pick_language")
    assert catalogs.headers(po)[catalogs.REVIEW_HEADER] == catalogs.DRAFTED
    assert (project / "locales" / "safevoice.pot").exists()
    assert run_i18n(project / "config.toml", "status", "--strict") == 1
    assert run_i18n(project / "config.toml", "status") == 0


def test_compile_writes_mo_files(project: Path) -> None:
    assert run_i18n(project / "config.toml", "compile") == 0
    for lang in SHIPPED:
        assert catalogs.po_path(project / "locales", lang).with_suffix(".mo").stat().st_size > 0


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('msgstr "Sari peste"', "msgstr Sari peste"),  # quotes lost in an editor
        ('msgstr "Sari peste"', 'msgstr "Sari peste'),  # a quote lost
        ("{low} și {high}", "{low} și {max}"),  # an unknown placeholder
        ("scrie /start", "scrie start"),  # a lost command
    ],
)
def test_compile_refuses_a_broken_catalog(
    project: Path, before: str, after: str, capsys: pytest.CaptureFixture[str]
) -> None:
    po = catalogs.po_path(project / "locales", "ro")
    text = po.read_text(encoding="utf-8")
    assert before in text
    po.write_text(text.replace(before, after, 1), encoding="utf-8")
    with pytest.raises(catalogs.CatalogError, match=r"safevoice\.po"):
        catalogs.compile_catalogs(project / "locales", SHIPPED)
    assert run_i18n(project / "config.toml", "compile") == 1
    assert not po.with_suffix(".mo").exists()


def _reword_stop_text(project: Path) -> None:
    flow = project / "flows" / "common" / "stop.yaml"
    text = flow.read_text(encoding="utf-8")
    flow.write_text(text.replace("Thank you for your time.", "Thanks for your time."), "utf-8")


def test_second_update_keeps_previous_msgid_lines(project: Path) -> None:
    """Regression: a second `i18n update` on an entry that still needed review turned
    GNU's `#| msgid "..."` lines (the text the translation was made for) into translator
    comments `# | msgid`, which translators' tools then show as notes."""
    _reword_stop_text(project)
    po = catalogs.po_path(project / "locales", "ro")
    assert run_i18n(project / "config.toml", "update") == 0
    first = po.read_text(encoding="utf-8")
    assert run_i18n(project / "config.toml", "update") == 0
    second = po.read_text(encoding="utf-8")
    assert second == first
    assert "\n# |" not in second
    entry = second[: second.index('msgctxt "common/stop/bye"')].rsplit("\n\n", 1)[1]
    assert "#, fuzzy" in entry
    assert "#| msgid" in entry
    assert "Thank you for your time." in entry


def test_update_writes_catalogs_as_gnu_msgcat_lays_them_out(project: Path) -> None:
    """Regression: lines wrapped at 100 characters where GNU tools wrap at 79, so one
    save in Poedit or Weblate (which lay catalogs out as msgcat does) churned hundreds of
    lines and the next update churned them back. Our layout is msgcat's own."""
    _reword_stop_text(project)
    assert run_i18n(project / "config.toml", "update") == 0
    for path in [catalogs.template_path(project / "locales")] + [
        catalogs.po_path(project / "locales", lang) for lang in SHIPPED
    ]:
        text = path.read_text(encoding="utf-8")
        saved = subprocess.run(
            ["msgcat", "-"], input=text.encode(), capture_output=True, check=True
        ).stdout.decode("utf-8")
        assert saved == text, path


def test_a_translators_tool_save_then_update_changes_nothing(project: Path) -> None:
    assert run_i18n(project / "config.toml", "update") == 0
    po = catalogs.po_path(project / "locales", "ro")
    subprocess.run(["msgcat", "-o", str(po), str(po)], check=True)  # as a tool saves it
    saved = po.read_text(encoding="utf-8")
    assert run_i18n(project / "config.toml", "update") == 0
    assert po.read_text(encoding="utf-8") == saved


OLD_DATE = "2020-01-01 00:00+0000"


def test_an_update_that_changes_nothing_keeps_every_file_as_it_was(project: Path) -> None:
    """Regression: every update wrote a new POT-Creation-Date into every catalog, so two
    updates a minute apart differed, and every review showed churn."""
    assert run_i18n(project / "config.toml", "update") == 0
    paths = [catalogs.template_path(project / "locales")] + [
        catalogs.po_path(project / "locales", lang) for lang in SHIPPED
    ]
    before = {path: path.read_text(encoding="utf-8") for path in paths}
    for path, text in before.items():  # as if written an hour earlier
        path.write_text(
            re.sub(
                r"POT-Creation-Date: [^\\\\]*", "POT-Creation-Date: 2020-01-01 00:00+0000", text
            ),
            encoding="utf-8",
        )
    assert run_i18n(project / "config.toml", "update") == 0
    for path in paths:
        assert f"POT-Creation-Date: {OLD_DATE}" in path.read_text(encoding="utf-8")
