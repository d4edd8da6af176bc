"""Reading and writing the spreadsheets offices keep: .xlsx and .csv (UTF-8, UTF-8 BOM, GBK/GB18030).

Everything comes back as text cells with their spreadsheet row numbers (the header is row 1), so the
validators downstream can name the row and column of every problem. Cells that a spreadsheet would
run as a formula (starting with = + - @) are written with a leading apostrophe and read back without it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from zipfile import BadZipFile

from registry.ledger import limits

MAX_CELL = 2000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class TableError(Exception):
    """The file cannot be read as a table at all."""


@dataclass(frozen=True)
class Table:
    """Header and data rows, each data row with its spreadsheet row number."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]
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
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise TableError(f"cannot decode the file as UTF-8 or GBK/GB18030 (byte {exc.start})") from None


def _finish(cells: list[list[str]], encoding: str) -> Table:
    if not cells or not any(c.strip() for c in cells[0]):
        raise TableError("the file is empty or has no header row")
    headers = [h.strip().lstrip("\ufeff") for h in cells[0]]
    rows: list[tuple[int, list[str]]] = []
    for number, row in enumerate(cells[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        padded = [unescape_cell(c.strip()) for c in row] + [""] * (len(headers) - len(row))
        rows.append((number, padded))
    return Table(headers=headers, rows=rows, encoding=encoding)


def read_csv_bytes(raw: bytes) -> Table:
    """Parse CSV bytes in any of the encodings Excel writes."""
    text, encoding = _decode(raw)
    try:
        sample = text[:4096]
        dialect: type[csv.Dialect] | csv.Dialect = csv.excel
        if "\t" in sample.splitlines()[0] if sample else False:
            dialect = csv.excel_tab
        cells = [[limits.cut_cell(c) for c in r] for r in limits.bounded_rows(csv.reader(io.StringIO(text, newline=""), dialect))]
    except limits.LimitError as exc:
        raise TableError(str(exc)) from None
    except csv.Error as exc:
        raise TableError(f"malformed CSV: {str(exc)[:200]}") from None
    return _finish(cells, encoding)


def read_xlsx(path: Path) -> Table:
    """Read the first sheet of an .xlsx workbook."""
    from openpyxl import load_workbook

    try:
        limits.check_xlsx(path)
        wb = load_workbook(path, read_only=True, data_only=True)
    except limits.LimitError as exc:
        raise TableError(str(exc)) from None
    except (BadZipFile, KeyError, ValueError, OSError) as exc:
        raise TableError(f"not a readable .xlsx workbook: {str(exc)[:200]}") from None
    try:
        ws = wb.worksheets[0]
        cells = [[limits.cut_cell(_cell_text(v)) for v in row]
                 for row in limits.bounded_rows(ws.iter_rows(values_only=True))]
    except limits.LimitError as exc:
        raise TableError(str(exc)) from None
    finally:
        wb.close()
    return _finish(cells, "xlsx")


def read_table(path: Path) -> Table:
    """Read a .xlsx or .csv file by its extension."""
    if not path.exists():
        raise TableError(f"file not found: {path}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    if suffix in (".csv", ".txt", ".tsv"):
        try:
            limits.check_file_size(path)
        except limits.LimitError as exc:
            raise TableError(str(exc)) from None
        return read_csv_bytes(path.read_bytes())
    raise TableError(f"unsupported file type {suffix!r}: use .xlsx or .csv")


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
        raise TableError(f"unsupported file type {suffix!r}: use .xlsx or .csv")
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
