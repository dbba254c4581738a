"""`safevoice report`: the three formats, filters, and k from config.toml (10)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.runtime import open_database
from bot.storage import Answer, FeedbackRecord

ROOT = Path(__file__).resolve().parents[2]
CONFIG = str(ROOT / "config.toml")
W03 = dt.date(2026, 1, 14)
W05 = dt.date(2026, 1, 28)


def record(service: str, band: str, lang: str, day: dt.date, *answers: Answer) -> FeedbackRecord:
    return FeedbackRecord.build(
        flow_id="service_feedback",
        flow_version=1,
        age_band=band,
        language=lang,
        service=service,
        answers=answers,
        today=day,
    )


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "feedback.db"
    monkeypatch.setenv("SAFEVOICE_DATABASE_URL", f"sqlite:///{path}")
    with open_database(CONFIG, url=f"sqlite:///{path}") as opened:
        store = opened.store
        # 12 at the shelter: 9 safe, 3 not (3 is small, and 9 would give it away).
        for n in range(12):
            answer = Answer("felt_safe", "yes_no", "yes" if n < 9 else "no")
            text = Answer("improve", "text", "More time outside")
            store.add(record("shelter", "13-15", "en", W03, answer, text))
        # 2 in legal aid, another week, in Romanian: too few to show anything.
        for _ in range(2):
            store.add(record("legal_aid", "16-17", "ro", W05, Answer("overall", "scale", "4")))
    return path


def report(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["--config", CONFIG, "report", *args])
    return code, capsys.readouterr().out


def test_table_hides_small_cells(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = report(capsys)
    assert code == 0
    assert "counts under 10" in out
    lines = out.splitlines()
    # 9 and 3 are both hidden, and neither is listed: only that answers are held back.
    assert not [line for line in lines if line.startswith("value") and "felt_safe" in line]
    held = [line.split() for line in lines if line.startswith("held-back")]
    assert held == [["held-back", "shelter", "felt_safe", "yes_no", "*"]]
    assert "legal_aid" not in out  # 2 answers in all: not even listed


def test_csv_with_filters(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = report(capsys, "--format", "csv", "--service", "shelter", "--lang", "en")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {row["service"] for row in rows} == {"shelter"}
    answered = [r for r in rows if r["section"] == "answered" and r["question"] == "improve"]
    assert answered[0]["count"] == "12"
    texts = [r["value"] for r in rows if r["section"] == "text"]
    assert texts == ["More time outside"] * 12


def test_json_by_week_and_age_band(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = report(capsys, "--format", "json", "--from", "2026-W04", "--to", "2026-W06")
    assert code == 0
    data = json.loads(out)
    assert data["k"] == 10
    # Weeks 4 to 6 hold only legal aid's 2: nothing is shown, and legal aid is not listed.
    assert "legal_aid" not in out
    assert all(q["respondents"] is None for q in data["questions"])
    assert data["weeks"] == []
    code, out = report(capsys, "--format", "json", "--age-band", "13-15")
    assert {q["service"] for q in json.loads(out)["questions"]} == {"shelter"}


def test_an_empty_database_gives_an_empty_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SAFEVOICE_DATABASE_URL", f"sqlite:///{tmp_path / 'new' / 'f.db'}")
    code, out = report(capsys)
    assert code == 0
    assert "no feedback matches" in out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--from", "January"], "ISO week"),
        (["--service", "zoo"], "unknown service"),
        (["--age-band", "1-2"], "unknown age band"),
        (["--format", "xml"], "invalid choice"),
    ],
)
def test_bad_options_are_explained(
    database: Path, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    try:
        code = main(["--config", CONFIG, "report", *args])
    except SystemExit as exc:  # argparse refuses unknown choices itself
        code = int(exc.code or 0)
    assert code in (1, 2)
    assert says in capsys.readouterr().err
