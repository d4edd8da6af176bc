"""Reading and writing the spreadsheets offices keep: .xlsx, .xls and text saves (.csv in UTF-8, UTF-8 BOM,
GBK/GB18030; Excel's "Unicode 文本", tab-separated UTF-16).

Everything comes back as text cells with their spreadsheet row numbers, so the validators downstream can
name the row and column of every problem. `read_sheets` gives every sheet as a grid (a merged cell's value
copied down its rows); `read_table` is the simple form whose first row is the header. Cells that a
spreadsheet would run as a formula (starting with = + - @) are written with a leading apostrophe and read
back without it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from registry.config.i18n import tr
from registry.ledger import limits

MAX_CELL = 2000
_TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class TableError(Exception):
    """The file cannot be read as a table at all."""


@dataclass(frozen=True)
class Table:
    """Header and data rows, each data row with its spreadsheet row number."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]
    encoding: str


@dataclass(frozen=True)
class Sheet:
    """One sheet as a grid of stripped text cells; grid[0] is spreadsheet row 1."""

    name: str
    grid: list[list[str]]
    encoding: str


def escape_cell(value: str) -> str:
    """Neutralise a cell that a spreadsheet would run as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def unescape_cell(value: str) -> str:
    """Undo `escape_cell`."""
    if value.startswith("'") and value[1:].startswith(_FORMULA_START):
        return value[1:]
    return value


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _decode(raw: bytes) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode 文本" save
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise TableError(tr(f"文件以 UTF-16 标记开头，但第{exc.start}字节无法解码：请重新另存为 .xlsx 或 .csv",
                                f"the file starts as UTF-16 but byte {exc.start} cannot be decoded")) from None
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise TableError(tr(f"无法按 UTF-8 或 GBK/GB18030 解码（第{exc.start}字节）：请在 Excel/WPS 中另存为 .xlsx",
                            f"cannot decode the file as UTF-8 or GBK/GB18030 (byte {exc.start})")) from None


def _finish(cells: list[list[str]], encoding: str) -> Table:
    if not cells or not any(c.strip() for c in cells[0]):
        raise TableError(tr("文件为空或没有表头行", "the file is empty or has no header row"))
    headers = [h.strip().lstrip("\ufeff") for h in cells[0]]
    rows: list[tuple[int, list[str]]] = []
    for number, row in enumerate(cells[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        padded = [unescape_cell(c.strip()) for c in row] + [""] * (len(headers) - len(row))
        rows.append((number, padded))
    return Table(headers=headers, rows=rows, encoding=encoding)


def _text_grid(raw: bytes) -> tuple[list[list[str]], str]:
    text, encoding = _decode(raw)
    try:
        # Tab-separated (Excel's text saves) when tabs outnumber commas: a title line may have neither.
        sample = text[:4096]
        dialect: type[csv.Dialect] = csv.excel_tab if sample.count("\t") > sample.count(",") else csv.excel
        cells = [[limits.cut_cell(c) for c in r]
                 for r in limits.bounded_grid(csv.reader(io.StringIO(text, newline=""), dialect))]
        return cells, encoding
    except limits.LimitError as exc:
        raise TableError(str(exc)) from None
    except csv.Error as exc:
        raise TableError(tr(f"CSV 格式有误：{str(exc)[:200]}", f"malformed CSV: {str(exc)[:200]}")) from None


def read_csv_bytes(raw: bytes) -> Table:
    """Parse CSV bytes in any of the encodings Excel writes."""
    cells, encoding = _text_grid(raw)
    return _finish(cells, encoding)


def _fill_merged(grid: list[list[str]], ranges: list[tuple[int, int, int, int]]) -> None:
    """Copy each merged cell's value down the rows it spans (0-based first row, last row, first column)."""
    for top, bottom, left, _right in ranges:
        if top >= len(grid) or left >= len(grid[top]):
            continue
        value = grid[top][left]
        for r in range(top + 1, min(bottom, len(grid) - 1) + 1):
            row = grid[r]
            row.extend([""] * (left + 1 - len(row)))
            row[left] = value


def _xlsx_sheets(path: Path) -> list[Sheet]:
    from openpyxl import load_workbook

    try:
        # Read-only: rows stream from the zip instead of a whole workbook of cell objects (200k rows of 120
        # numbers once took 3.7 GB). A file object, so that an .xlsx named .xls opens too (openpyxl refuses
        # a path by its extension).
        with path.open("rb") as f:
            wb = load_workbook(f, read_only=True, data_only=True)
            sheets = []
            try:
                for ws in wb.worksheets:
                    grid = [[unescape_cell(limits.cut_cell(_cell_text(v)).strip()) for v in row] for row in _rows(ws)]
                    _fill_merged(grid, _merged_ranges(wb, ws))
                    sheets.append(Sheet(ws.title, grid, "xlsx"))
            finally:
                wb.close()
    except (BadZipFile, KeyError, ValueError, OSError, SyntaxError) as exc:
        raise TableError(tr(f"不是可读取的 .xlsx 工作簿（{str(exc)[:200]}）：请在 Excel/WPS 中打开后重新另存为 .xlsx",
                            f"not a readable .xlsx workbook: {str(exc)[:200]}")) from None
    return sheets


def _rows(ws: Any) -> Iterator[Sequence[object]]:
    """A read-only sheet's rows, each up to its last cell (not the width its header claims), within the bounds."""
    ws.reset_dimensions()  # a claimed A1:XFD1048576 would pad every row to 16,384 cells
    return limits.bounded_grid(ws.iter_rows(values_only=True))


def _merged_ranges(wb: Any, ws: Any) -> list[tuple[int, int, int, int]]:
    """The merged ranges of a read-only sheet (0-based top, bottom, left, right), from one streamed pass over
    its XML: read-only openpyxl does not keep them."""
    from defusedxml.ElementTree import iterparse
    from openpyxl.utils.cell import range_boundaries

    ranges = []
    with wb._archive.open(ws._worksheet_path) as source:
        for _event, element in iterparse(source):
            if element.tag.endswith("}mergeCell") and element.get("ref"):
                left, top, right, bottom = range_boundaries(element.get("ref"))
                if left and top and right and bottom:  # whole rows or columns ("A:A") are not merged cells
                    ranges.append((top - 1, bottom - 1, left - 1, right - 1))
            if element.tag.endswith(("}row", "}mergeCell")):
                element.clear()
    return ranges


def _xls_cell(book: object, cell: object) -> str:
    import xlrd

    kind, value = cell.ctype, cell.value  # type: ignore[attr-defined]
    if kind == xlrd.XL_CELL_DATE:
        try:
            return _cell_text(xlrd.xldate_as_datetime(value, book.datemode))  # type: ignore[attr-defined]
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return str(value)
    if kind == xlrd.XL_CELL_BOOLEAN:
        return _cell_text(bool(value))
    if kind in (xlrd.XL_CELL_ERROR, xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    return _cell_text(value)


def _xls_sheets(path: Path) -> list[Sheet]:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except Exception as exc:  # xlrd parses a binary format and fails in many ways (struct, compdoc, index…)
        raise TableError(tr(f"不是可读取的 .xls 工作簿（{exc}）：请在 Excel/WPS 中打开后另存为 .xlsx",
                            f"not a readable .xls workbook: {exc}")) from None
    sheets = []
    try:
        for index in range(book.nsheets):
            try:
                ws = book.sheet_by_index(index)
                limits.check_cells(ws.nrows, ws.ncols)
                grid = [[unescape_cell(limits.cut_cell(_xls_cell(book, c)).strip()) for c in ws.row(r)]
                        for r in limits.bounded_rows(range(ws.nrows))]
            except limits.LimitError:
                raise
            except Exception as exc:  # a damaged sheet, as above
                raise TableError(tr(f"工作表{index + 1}无法读取（{exc}）：请在 Excel/WPS 中打开后另存为 .xlsx",
                                    f"sheet {index + 1} cannot be read: {exc}")) from None
            _fill_merged(grid, [(r0, r1 - 1, c0, c1 - 1) for r0, r1, c0, c1 in ws.merged_cells])
            sheets.append(Sheet(ws.name, grid, "xls"))
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return sheets


def read_sheets(path: Path) -> list[Sheet]:
    """Every sheet of a .xlsx/.xls workbook, or the one sheet of a text save (.csv, .txt, .tsv)."""
    if not path.exists():
        raise TableError(tr(f"找不到文件：{path}（请检查路径和文件名）", f"file not found: {path}"))
    if not path.is_file():
        raise TableError(tr(f"不是文件：{path}", f"not a file: {path}"))
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".xls", *_TEXT_SUFFIXES):
        raise _unsupported(suffix)
    try:
        # Bounded before anything is inflated or parsed: a small zip can hold a huge workbook.
        limits.check_file_size(path)
        if suffix in _TEXT_SUFFIXES:
            grid, encoding = _text_grid(path.read_bytes())
            return [Sheet(path.stem, [[unescape_cell(c.strip()) for c in row] for row in grid], encoding)]
        # By content, not name: offices rename an .xls to .xlsx and back.
        with path.open("rb") as f:
            magic = f.read(4)
        workbook = {b"PK\x03\x04": ".xlsx", b"\xd0\xcf\x11\xe0": ".xls"}.get(magic, suffix)
        if workbook == ".xls":
            return _xls_sheets(path)
        limits.check_xlsx(path)
        return _xlsx_sheets(path)
    except limits.LimitError as exc:
        raise TableError(str(exc)) from None


def _unsupported(suffix: str) -> TableError:
    return TableError(tr(f"不支持的文件类型「{suffix or '无扩展名'}」：请在 Excel/WPS 中另存为 .xlsx、.xls 或 .csv",
                         f"unsupported file type {suffix!r}: use .xlsx, .xls or .csv"))


def read_xlsx(path: Path) -> Table:
    """Read the first sheet of an .xlsx workbook."""
    from openpyxl import load_workbook

    try:
        limits.check_xlsx(path)
        wb = load_workbook(path, read_only=True, data_only=True)
    except limits.LimitError as exc:
        raise TableError(str(exc)) from None
    except (BadZipFile, KeyError, ValueError, OSError) as exc:
        raise TableError(tr(f"不是可读取的 .xlsx 工作簿（{str(exc)[:200]}）",
                            f"not a readable .xlsx workbook: {str(exc)[:200]}")) from None
    try:
        cells = [[limits.cut_cell(_cell_text(v)) for v in row] for row in _rows(wb.worksheets[0])]
    except limits.LimitError as exc:
        raise TableError(str(exc)) from None
    finally:
        wb.close()
    return _finish(cells, "xlsx")


def read_table(path: Path) -> Table:
    """Read a table whose first row is the header (.xlsx, .xls or a text save)."""
    if not path.exists():
        raise TableError(tr(f"找不到文件：{path}（请检查路径和文件名）", f"file not found: {path}"))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    if suffix in _TEXT_SUFFIXES:
        try:
            limits.check_file_size(path)
        except limits.LimitError as exc:
            raise TableError(str(exc)) from None
        return read_csv_bytes(path.read_bytes())
    if suffix == ".xls":
        sheet = read_sheets(path)[0]
        return _finish(sheet.grid, sheet.encoding)
    raise _unsupported(suffix)


def write_table(path: Path, headers: Sequence[str], rows: Sequence[Sequence[object]], *, sheet: str = "Sheet1") -> None:
    """Write a .xlsx (frozen, filtered header) or a .csv in UTF-8 with BOM, escaping formulas."""
    suffix = path.suffix.lower()
    text_rows = [[escape_cell(_cell_text(v)) for v in row] for row in rows]
    if suffix == ".csv":
        buf = io.StringIO(newline="")
        writer = csv.writer(buf)
        writer.writerow(headers)
        writer.writerows(text_rows)
        # BOM so that Excel on Chinese Windows opens it as UTF-8 rather than GBK.
        path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
        return
    if suffix != ".xlsx":
        raise TableError(tr(f"不支持的文件类型「{suffix}」：请用 .xlsx 或 .csv", f"unsupported file type {suffix!r}: use .xlsx or .csv"))
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    ws.append(list(headers))
    for row in text_rows:
        ws.append(row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    for i, h in enumerate(headers, start=1):
        width = max([len(h) * 2] + [len(r[i - 1]) * 2 for r in text_rows[:200] if len(r) >= i] + [8])
        ws.column_dimensions[get_column_letter(i)].width = min(width, 50)
    wb.save(path)
