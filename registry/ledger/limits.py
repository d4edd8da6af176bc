"""Bounds on what a spreadsheet may make govmedia read: file size, uncompressed size, rows, cells, cell length.

An .xlsx is a zip: 212 KB on disk once held one 200 MB shared string, which openpyxl loads whole
(1.47 GB of memory, then a 200 MB error line). The zip's own directory says how large each part is
once inflated, so an oversized workbook is refused before a byte of it is inflated. A real county
ledger is a few thousand rows; the bounds leave room for a hundred times that.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, TypeVar

from registry.config.i18n import tr

MAX_FILE_BYTES = 100 * 1024 * 1024  # on disk, .csv or .xlsx
MAX_XLSX_UNCOMPRESSED = 400 * 1024 * 1024  # every part of the workbook, inflated
MAX_SHARED_STRINGS = 64 * 1024 * 1024  # the part openpyxl holds in memory whole
MAX_TEXT_BYTES = 1024 * 1024  # one text node of a part, inflated (openpyxl holds each one whole)
MAX_ROWS = 250_000
# Cells read in all (each row up to its last cell): 200k rows of 120 numbers passed every other bound and
# took 3.7 GB. A county ledger is a few thousand rows of ~25 columns; this leaves room for 20 times that.
MAX_CELLS = 2_500_000
MAX_CELL_CHARS = 32_767  # Excel's own limit; longer cells are cut here (validation still refuses them)

T = TypeVar("T")


class LimitError(Exception):
    """The file is larger than govmedia reads."""


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def check_file_size(path: Path) -> None:
    """Refuse a file larger than `MAX_FILE_BYTES` on disk."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise LimitError(tr(f"文件过大（{_mb(size)}，上限 {_mb(MAX_FILE_BYTES)}）", f"file too large ({_mb(size)}, limit {_mb(MAX_FILE_BYTES)})"))


def check_xlsx(path: Path) -> None:
    """Refuse a workbook whose parts would inflate past the bounds (a zip bomb), from the zip directory alone."""
    check_file_size(path)
    check_zip(path, MAX_XLSX_UNCOMPRESSED)


def check_zip(source: Path | IO[bytes], max_inflated: int, max_xml: int | None = None) -> None:
    """Refuse a zip (an .xlsx, a .docx) whose parts would inflate past ``max_inflated`` bytes in all, whose XML
    parts would pass ``max_xml``, or one of whose text nodes passes `MAX_TEXT_BYTES`: what its directory says,
    then one streamed pass over the XML parts. An unreadable zip passes: its reader says so in its own words."""
    try:
        with zipfile.ZipFile(source) as archive:
            infos = archive.infolist()
            _check_sizes(infos, max_inflated)
            xml = [i for i in infos if i.filename.lower().endswith((".xml", ".rels"))]
            if max_xml is not None and sum(i.file_size for i in xml) > max_xml:
                total = sum(i.file_size for i in xml)
                raise LimitError(tr(f"文档正文解压后过大（{_mb(total)}，上限 {_mb(max_xml)}），可能是压缩炸弹",
                                    f"document text too large when unpacked ({_mb(total)}, limit {_mb(max_xml)})"))
            cells = 0
            for info in xml:
                sheet = info.filename.lower().startswith("xl/worksheets/")
                with archive.open(info) as part:
                    longest, cells = scan_xml(part, cells if sheet else None)
                if longest > MAX_TEXT_BYTES:
                    raise LimitError(tr(f"文件中有一段文字过大（{_mb(longest)}），可能是压缩炸弹",
                                        f"a piece of text in the file is too large ({_mb(longest)})"))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
        return


def _too_many_cells() -> LimitError:
    return LimitError(tr(f"单元格数超过上限 {MAX_CELLS:,}（行数×列数过大）：请只保留台账所需的行和列",
                         f"more than {MAX_CELLS:,} cells (rows × columns): keep only the ledger's rows and columns"))


def scan_xml(stream: IO[bytes], cells: int | None = None, chunk: int = 1 << 20) -> tuple[int, int]:
    """One streamed pass over an XML part: the longest run of bytes between two '<' (bounds every text
    node) and, given the cells counted so far (a worksheet), that count plus this part's ``<c>`` elements,
    refusing as soon as it passes `MAX_CELLS` (counting bytes is far cheaper than openpyxl parsing cells)."""
    run = best = 0
    counted = cells or 0
    tail = b""
    while block := stream.read(chunk):
        if cells is not None:  # the 2-byte tail catches a "<c " split between two blocks, never counted twice
            joined = tail + block
            counted += joined.count(b"<c ") + joined.count(b"<c>")
            if counted > MAX_CELLS:
                raise _too_many_cells()
            tail = block[-2:]
        pieces = block.split(b"<")
        run += len(pieces[0])
        if len(pieces) > 1:
            best = max(best, run, max(map(len, pieces[1:-1]), default=0))
            run = len(pieces[-1])
        best = max(best, run)
    return best, counted


def longest_text(stream: IO[bytes], chunk: int = 1 << 20) -> int:
    """The longest run of bytes between two '<' of an XML stream (bounds every text node), read in chunks."""
    return scan_xml(stream, None, chunk)[0]


def _check_sizes(infos: list[zipfile.ZipInfo], limit: int) -> None:
    total = sum(i.file_size for i in infos)
    if total > limit:
        raise LimitError(tr(f"文件解压后过大（{_mb(total)}，上限 {_mb(limit)}），可能是压缩炸弹",
                            f"file too large when unpacked ({_mb(total)}, limit {_mb(limit)})"))
    for info in infos:
        if info.filename.lower().endswith("sharedstrings.xml") and info.file_size > MAX_SHARED_STRINGS:
            raise LimitError(tr(f"工作簿中的文本过大（{_mb(info.file_size)}，上限 {_mb(MAX_SHARED_STRINGS)}）",
                                f"workbook text too large ({_mb(info.file_size)}, limit {_mb(MAX_SHARED_STRINGS)})"))


def bounded_rows(rows: Iterable[T]) -> Iterator[T]:
    """The rows, refusing the file once it passes `MAX_ROWS` (header included)."""
    for number, row in enumerate(rows, start=1):
        if number > MAX_ROWS + 1:
            raise LimitError(tr(f"行数超过上限 {MAX_ROWS}", f"more than {MAX_ROWS} rows"))
        yield row


def bounded_grid(rows: Iterable[Sequence[T]]) -> Iterator[Sequence[T]]:
    """The rows, refusing the file once it passes `MAX_ROWS` rows or `MAX_CELLS` cells (read as they stream)."""
    cells = 0
    for row in bounded_rows(rows):
        cells += len(row)
        if cells > MAX_CELLS:
            raise _too_many_cells()
        yield row


def check_cells(rows: int, columns: int) -> None:
    """Refuse a sheet whose known size (rows × columns) passes `MAX_CELLS` before reading it."""
    if rows > MAX_ROWS + 1:
        raise LimitError(tr(f"行数超过上限 {MAX_ROWS}", f"more than {MAX_ROWS} rows"))
    if rows * columns > MAX_CELLS:
        raise LimitError(tr(f"单元格数超过上限 {MAX_CELLS:,}（{rows} 行 × {columns} 列）",
                            f"more than {MAX_CELLS:,} cells ({rows} rows × {columns} columns)"))


def cut_cell(text: str) -> str:
    """A cell cut to `MAX_CELL_CHARS` (one character more, so a length check downstream still fires)."""
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS + 1]
