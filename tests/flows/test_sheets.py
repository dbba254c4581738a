"""`safevoice flows export|import`: the flow texts as a spreadsheet, both ways."""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import main
from bot.config import load_config
from bot.i18n import catalogs

ROOT = Path(__file__).resolve().parents[2]
STEP = ("13-15", "service_feedback", "felt_safe", "")


def _run(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["--config", str(project / "config.toml"), "flows", *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _fingerprints(project: Path) -> dict[str, str]:
    files = sorted(p for p in (project / "flows").rglob("*") if p.is_file())
    files += sorted(p for p in (project / "locales").rglob("*") if p.is_file())
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def _write_csv(path: Path, table: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(table)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_unchanged_round_trip_changes_no_file(
    project: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    sheet = project / f"texts.{fmt}"
    code, out = _run(project, capsys, "export", "--format", fmt, "-o", str(sheet))
    assert code == 0, out
    before = _fingerprints(project)
    code, out = _run(project, capsys, "import", str(sheet))
    assert code == 0, out
    assert "0 text(s) and 0 translation(s) changed." in out
    assert _fingerprints(project) == before


def test_the_export_has_a_row_per_text_with_every_language_notes_and_limit(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = project / "texts.xlsx"
    assert _run(project, capsys, "export", "-o", str(sheet))[0] == 0
    rows = list(load_workbook(sheet).worksheets[0].iter_rows(values_only=True))
    config, _ = load_config(project / "config.toml")
    others = tuple(lang for lang in config.languages.shipped if lang != "en")
    assert rows[0] == (
        "band", "flow", "step", "part", "en", *others, "notes for translators",
        "max characters",
    )  # fmt: skip
    row = next(r for r in rows if r[:4] == ("13-15", "service_feedback", "felt_safe", None))
    assert row[4] == "Do you feel safe there?"
    assert all(row[5 : 5 + len(others)])  # every shipped language translated
    assert "ages 13-15" in str(row[-2])
    assert row[-1] == 300


def test_edited_texts_and_translations_go_back_to_flows_and_catalogs(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = project / "texts.csv"
    _run(project, capsys, "export", "--format", "csv", "-o", str(sheet))
    table = _csv_rows(sheet)
    header = table[0]
    row = next(r for r in table if tuple(r[:4]) == STEP)
    row[header.index("en")] = "Do you feel safe there: most of the time?"
    row[header.index("ro")] = "Te simți în siguranță acolo, de cele mai multe ori?"
    _write_csv(sheet, table)
    flow_file = project / "flows" / "13-15" / "service_feedback.yaml"
    before = flow_file.read_text(encoding="utf-8")
    code, out = _run(project, capsys, "import", str(sheet))
    assert code == 0, out
    assert "1 text(s) and 1 translation(s) changed" in out
    after = flow_file.read_text(encoding="utf-8")
    assert 'text: "Do you feel safe there: most of the time?"' in after
    # Only that text changed in the flow file.
    assert [a for a, b in zip(after.splitlines(), before.splitlines(), strict=True) if a != b] == [
        '    text: "Do you feel safe there: most of the time?"'
    ]
    context = "13-15/service_feedback/felt_safe"
    ro = catalogs.read(catalogs.po_path(project / "locales", "ro"), "ro")
    message = ro.get("Do you feel safe there: most of the time?", context=context)
    assert message is not None
    assert message.string == "Te simți în siguranță acolo, de cele mai multe ori?"
    assert not message.fuzzy
    ar = catalogs.read(catalogs.po_path(project / "locales", "ar"), "ar")
    stale = ar.get("Do you feel safe there: most of the time?", context=context)
    assert stale is not None
    assert stale.fuzzy  # the Arabic was made for the old text: a translator must look
    code, out = _run(project, capsys, "validate")
    assert code == 0, out


def test_structural_changes_are_refused_row_by_row_and_nothing_is_written(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = project / "texts.csv"
    _run(project, capsys, "export", "--format", "csv", "-o", str(sheet))
    table = _csv_rows(sheet)
    header = table[0]
    extra = list(table[1])
    extra[2] = "a_new_step"
    table.append(extra)
    row = next(r for r in table if tuple(r[:4]) == STEP)
    row[header.index("en")] = "Changed, but refused with the rest"
    broken = next(r for r in table if re.search(r"(?<![\w/])/[a-z]+", r[header.index("en")]))
    broken[header.index("ro")] = "Un text fără comanda de la sfârșit."
    _write_csv(sheet, table)
    before = _fingerprints(project)
    code, out = _run(project, capsys, "import", str(sheet))
    assert code == 1
    assert f"row {len(table)}: there is no text" in out
    assert "can change words, not steps or buttons" in out
    assert "the ro text: a /command of the source text is missing" in out
    assert "nothing was changed" in out
    assert _fingerprints(project) == before


def test_a_file_that_is_not_a_spreadsheet_gets_a_plain_answer(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = project / "texts.xlsx"
    bad.write_bytes(b"not a zip file")
    code, out = _run(project, capsys, "import", str(bad))
    assert code == 1
    assert "not a spreadsheet SafeVoice can read" in out
    assert "Traceback" not in out
    headless = project / "texts.csv"
    headless.write_text("a,b\n1,2\n", encoding="utf-8")
    code, out = _run(project, capsys, "import", str(headless))
    assert code == 1
    assert "band, flow, step, part is missing" in out
