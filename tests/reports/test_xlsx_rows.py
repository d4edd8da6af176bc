"""Sheets written through `reports.xlsx_rows` are the bytes openpyxl writes for the same cells."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import IllegalCharacterError

from reports.xlsx_rows import SheetRows, save, widths

FONT, FILL, WRAP = Font(bold=True), PatternFill("solid", fgColor="F2F4F7"), Alignment(wrap_text=True, vertical="top")
ROWS: list[list[str | int | float | None]] = [
    ["滹沱发布", "a & <b> 'c'", " padded ", "", None, 12, 0.1, -3, 1234567.891, "=SUM(A1)", "#N/A", "line\r\nnext"],
    ["'=1+1", "—", "x", "y", 3, None, 2.5, 0, 10**17, "=", "ok", "z"],
]
FORMATS = {6: "#,##0", 7: "0.0%", 9: "0.00"}


def _sheet_xml(path: Path, name: str = "xl/worksheets/sheet1.xml") -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(name)


def test_rows_are_the_bytes_openpyxl_writes(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "明细"
    for c, h in enumerate(["账号", "平台"], 1):
        cell = ws.cell(row=1, column=c, value=h)
        cell.font, cell.fill = FONT, FILL
    for r, row in enumerate(ROWS, 3):  # row 2 left empty
        for c, v in enumerate(row, 1):
            cell = ws.cell(row=r, column=c, value=v)
            if c in FORMATS:
                cell.number_format = FORMATS[c]
            if c == 4:
                cell.alignment = WRAP
    ws.cell(row=6, column=1, value="note").font = Font(bold=True, color="9C5700")
    wb.save(tmp_path / "openpyxl.xlsx")

    wb2 = Workbook()
    ws2 = wb2.active
    assert ws2 is not None
    ws2.title = "明细"
    sheet = SheetRows(ws2)
    head = sheet.style(font=FONT, fill=FILL)
    sheet.put_row(1, ["账号", "平台"], [head, head])
    # Style ids in the order openpyxl meets the cells (so the stylesheet is the same bytes too).
    wrap = sheet.style(alignment=WRAP)
    styles = [sheet.style(number_format=FORMATS[c]) if c in FORMATS else 0 for c in range(1, 13)]
    styles[3] = wrap
    for r, row in enumerate(ROWS, 3):
        sheet.put_row(r, row, styles)
    sheet.put(6, 1, "note", sheet.style(font=Font(bold=True, color="9C5700")))
    save(wb2, tmp_path / "rows.xlsx", [sheet])

    assert _sheet_xml(tmp_path / "rows.xlsx") == _sheet_xml(tmp_path / "openpyxl.xlsx")
    assert _sheet_xml(tmp_path / "rows.xlsx", "xl/styles.xml") == _sheet_xml(tmp_path / "openpyxl.xlsx", "xl/styles.xml")
    back = openpyxl.load_workbook(tmp_path / "rows.xlsx")["明细"]
    assert back["B3"].value == "a & <b> 'c'" and back["I3"].number_format == "0.00" and back["A1"].font.b
    assert back.max_row == 6


def test_empty_sheet_and_widths(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    sheet = SheetRows(ws)
    assert sheet.dimension() == "A1:A1"
    save(wb, tmp_path / "e.xlsx", [sheet])
    assert openpyxl.load_workbook(tmp_path / "e.xlsx").active.max_row == 1  # type: ignore[union-attr]
    sheet.put_row(1, ["滹沱", "ab", 1234.5, None], [0, 0, 0, 0])
    sheet.put_row(2, ["x", "abc", 1, None], [0, 0, 0, 0])
    sheet.put_row(3, ["y", "a" * 90, 1.0, None], [0, 0, 0, 0])
    # CJK counts double; floats as "1,234.50" (1.0 as "1.00" beside the int 1); long texts measured to the cap
    assert widths(sheet, 2) == {1: 1, 2: 90, 3: 4}
    assert widths(sheet, 1, cap=60) == {1: 4, 2: 61, 3: 8}


def test_a_character_xml_cannot_hold_is_refused_as_openpyxl_refuses_it(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    sheet = SheetRows(ws)
    sheet.put(1, 1, "bad\x07")
    with pytest.raises(IllegalCharacterError):
        save(wb, tmp_path / "bad.xlsx", [sheet])
    with pytest.raises(IllegalCharacterError):
        ws.cell(row=1, column=1, value="bad\x07")


def test_a_sheet_is_written_by_one_side_only(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = "openpyxl"
    with pytest.raises(ValueError, match="openpyxl cells"):
        save(wb, tmp_path / "both.xlsx", [SheetRows(ws)])
