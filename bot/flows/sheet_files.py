"""Reading and writing the flow-text spreadsheet as .xlsx (openpyxl) or .csv."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font

from bot.errors import FlowError
from bot.flows.sheets import LIMIT, NOTES, Row

FORMATS = ("xlsx", "csv")
MAX_ROWS = 20_000


def _values(row: Row, names: Sequence[str], source: str) -> list[object]:
    fixed = {"band": row.band, "flow": row.flow, "step": row.step, "part": row.part}
    out: list[object] = []
    for name in names:
        if name in fixed:
            out.append(fixed[name])
        elif name == source:
            out.append(row.source)
        elif name == NOTES:
            out.append(row.notes)
        elif name == LIMIT:
            out.append(row.limit or "")
        else:
            out.append(row.translations.get(name, ""))
    return out


def write_sheet(path: Path, names: Sequence[str], rows: Sequence[Row], source: str) -> None:
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:  # Excel reads the BOM
            writer = csv.writer(handle)
            writer.writerow(names)
            writer.writerows(_values(row, names, source) for row in rows)
        return
    book = Workbook()
    sheet = book.active
    sheet.title = "texts"
    sheet.append(list(names))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(_values(row, names, source))
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "E2"
    book.save(path)


def read_sheet(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(row number as the spreadsheet shows it, column -> text) for each row."""
    if not path.exists():
        msg = f"{path}: no such file."
        raise FlowError(msg)
    try:
        table = _csv(path) if path.suffix == ".csv" else _xlsx(path)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, UnicodeDecodeError) as exc:
        msg = (
            f"{path}: this is not a spreadsheet SafeVoice can read ({type(exc).__name__}). "
            "Save it as .xlsx or as .csv (UTF-8) and try again."
        )
        raise FlowError(msg) from None
    if not table:
        msg = f"{path}: the spreadsheet is empty."
        raise FlowError(msg)
    if len(table) > MAX_ROWS:
        msg = f"{path}: {len(table)} rows is more than a flow export has ({MAX_ROWS} at most)."
        raise FlowError(msg)
    header = [str(name or "").strip() for name in table[0]]
    missing = [name for name in ("band", "flow", "step", "part") if name not in header]
    if missing:
        msg = (
            f"{path}: the first row must name the columns; {', '.join(missing)} is missing. "
            "Start from a sheet made by `safevoice flows export`."
        )
        raise FlowError(msg)
    out = []
    for number, cells in enumerate(table[1:], start=2):
        values = {
            name: "" if value is None else str(value)
            for name, value in zip(header, list(cells), strict=False)
            if name
        }
        out.append((number, values))
    return out


def _csv(path: Path) -> list[list[object]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [list(row) for row in csv.reader(handle)]


def _xlsx(path: Path) -> list[list[object]]:
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
