"""Worksheet cells kept as plain values and written as SpreadsheetML at save, byte for byte as openpyxl
writes the same cells, without an openpyxl ``Cell`` per value.

openpyxl makes an object per cell, sets its style through descriptors and writes it through lxml, which
costs ~30 µs a cell: the review's detail sheets hold hundreds of thousands at province scale. Here a sheet's
cells are ``(column, value, style id)`` tuples; styles are registered in the workbook through one openpyxl
cell per distinct style (so the stylesheet openpyxl writes holds them), and after ``Workbook.save`` the
sheets' empty ``<sheetData>`` are replaced by the rows. Everything else (column widths, frozen panes,
filters, page setup, charts) stays openpyxl's.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet.worksheet import Worksheet

from reports.table import cell_width

Value = str | int | float | None
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_MAX_TEXT = 32767  # Excel's (and openpyxl's) longest cell text


class SheetRows:
    """The cells of one worksheet, row by row, as values and style ids (0: no style)."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.rows: dict[int, list[tuple[int, Value, int]]] = {}
        self._styles: dict[tuple[object, ...], int] = {}

    def style(self, *, font: Font | None = None, fill: PatternFill | None = None, number_format: str | None = None,
              alignment: Alignment | None = None) -> int:
        """The workbook's id of a cell style (registered on first use, as openpyxl registers a cell's)."""
        key = (font, fill, number_format, alignment)
        sid = self._styles.get(key)
        if sid is None:
            cell = Cell(self.ws, row=1, column=1)  # not placed in the sheet: only its style is kept
            if font is not None:
                cell.font = font
            if fill is not None:
                cell.fill = fill
            if number_format is not None:
                cell.number_format = number_format
            if alignment is not None:
                cell.alignment = alignment
            sid = self._styles[key] = cell.style_id if cell.has_style else 0
        return sid

    def put(self, row: int, column: int, value: Value, style: int = 0) -> None:
        """Set one cell (cells of a row are kept in the order put: put them left to right)."""
        self.rows.setdefault(row, []).append((column, value, style))

    def put_row(self, row: int, values: Sequence[Value], styles: Sequence[int]) -> None:
        """Set a row's cells from column 1, each with the style of its column."""
        self.rows[row] = list(zip(range(1, len(values) + 1), values, styles, strict=True))

    def touch(self, min_row: int) -> None:
        """Leave the rows from ``min_row`` to the last as openpyxl's ``iter_rows`` leaves them: present (empty
        rows are written as ``<row>`` elements without cells)."""
        for r in range(min_row, max(self.rows, default=0) + 1):
            self.rows.setdefault(r, [])

    def cells(self, min_row: int = 1) -> Iterable[tuple[int, Value]]:
        """(column, value) of every cell from ``min_row`` on."""
        for r, cells in self.rows.items():
            if r >= min_row:
                for c, v, _ in cells:
                    yield c, v

    def dimension(self) -> str:
        """The used range as openpyxl computes it ("A1:A1" for an empty sheet)."""
        if not self.rows:
            return "A1:A1"
        cols = [c for cells in self.rows.values() for c, _, _ in cells]
        return f"{get_column_letter(min(cols))}{min(self.rows)}:{get_column_letter(max(cols))}{max(self.rows)}"

    def xml(self) -> str:
        """The ``<sheetData>`` element."""
        letters: dict[int, str] = {}
        texts: dict[tuple[str, int], str] = {}  # a text cell's element after its reference, by (text, style)
        out = ["<sheetData>"]
        for r in sorted(self.rows):
            out.append(f'<row r="{r}">')
            for c, v, s in sorted(self.rows[r], key=_first):
                col = letters.get(c) or letters.setdefault(c, get_column_letter(c))
                if type(v) is str:
                    tail = texts.get((v, s))
                    if tail is None:
                        tail = texts[(v, s)] = _cell("", v, s)[len('<c r=""'):]
                    out.append(f'<c r="{col}{r}"{tail}')
                elif type(v) is int or type(v) is float:
                    out.append(f'<c r="{col}{r}" s="{s}" t="n"><v>{v:.16g}</v></c>' if s else
                               f'<c r="{col}{r}" t="n"><v>{v:.16g}</v></c>')
                else:
                    out.append(_cell(f"{col}{r}", v, s))
            out.append("</row>")
        out.append("</sheetData>")
        return "".join(out)


def _first(cell: tuple[int, Value, int]) -> int:
    return cell[0]


def _cell(ref: str, value: Value, style: int) -> str:
    """One ``<c>`` element as openpyxl's lxml writer writes it ("" for an empty cell openpyxl leaves out)."""
    attrs = f'r="{ref}" s="{style}"' if style else f'r="{ref}"'
    if value is None:  # openpyxl skips an empty cell without a style
        return f'<c {attrs} t="n"></c>' if style else ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TypeError(f"unsupported cell value {value!r}")
    if not isinstance(value, str):
        return f'<c {attrs} t="n"><v>{value:.16g}</v></c>'
    text = value[:_MAX_TEXT]
    if ILLEGAL_CHARACTERS_RE.search(text):
        raise IllegalCharacterError(f"{text} cannot be used in worksheets.")
    if len(text) > 1 and text.startswith("="):
        return f"<c {attrs}><f>{text[1:].translate(_ESCAPES)}</f><v></v></c>"
    if text in ERROR_CODES:
        return f'<c {attrs} t="e"><v>{text.translate(_ESCAPES)}</v></c>'
    if not text:
        return f'<c {attrs} t="inlineStr"></c>'
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c {attrs} t="inlineStr"><is><t{space}>{text.translate(_ESCAPES)}</t></is></c>'


def widths(sheet: SheetRows, min_row: int = 1, cap: int = 1000) -> dict[int, int]:
    """Each column's widest cell from ``min_row`` on, as ``reports.table.cell_width`` measures it (CJK counts
    double), floats as "1,234.50"; a width above ``cap`` counts as ``cap`` + 1 (long texts are not measured
    to their end)."""
    # Each column's distinct values, floats apart (1.0 is shown "1.00" but equals the int 1 in a set).
    values: dict[tuple[int, bool], set[Value]] = {}
    for r, cells in sheet.rows.items():
        if r >= min_row:
            for c, v, _ in cells:
                key = (c, type(v) is float)
                (values.get(key) or values.setdefault(key, set())).add(v)
    chars: dict[str, int] = {}
    out: dict[int, int] = {}
    for (col, _), distinct in values.items():
        for value in distinct:
            if value is None:
                continue
            text = f"{value:,.2f}" if isinstance(value, float) else str(value)
            if text.isascii():
                w = min(len(text), cap + 1)
            else:
                w = 0
                for ch in text:
                    w += chars.get(ch) or chars.setdefault(ch, cell_width(ch))
                    if w > cap:
                        break
            if w > out.get(col, 0):
                out[col] = w
    return out


_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')
_EMPTY_DATA = (b"<sheetData></sheetData>", b"<sheetData/>")


def save(wb: Workbook, path: Path, sheets: Sequence[SheetRows]) -> None:
    """Save the workbook with each sheet's rows in place of its (empty) openpyxl sheet data."""
    for s in sheets:
        if s.ws._cells:  # a sheet is written by openpyxl or here, never both
            raise ValueError(f"sheet {s.ws.title!r} also has openpyxl cells")
    buf = io.BytesIO()
    wb.save(buf)
    by_path = {s.ws.path.lstrip("/"): s for s in sheets}  # set by the save: xl/worksheets/sheetN.xml
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            sheet = by_path.get(info.filename)
            if sheet is not None:
                empty = next((e for e in _EMPTY_DATA if data.count(e) == 1), None)
                if empty is None:
                    raise ValueError(f"unexpected sheet data in {info.filename}")
                data = data.replace(empty, sheet.xml().encode("ascii", "xmlcharrefreplace"))  # as lxml writes it
                data = _DIMENSION.sub(f'<dimension ref="{sheet.dimension()}"/>'.encode(), data, count=1)
            zout.writestr(info, data)
