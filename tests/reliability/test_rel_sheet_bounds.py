"""Issue 25, item 7: an .xlsx inside every other limit (200k rows × 120 numbers, under 1 MB zipped) cannot
exhaust memory or time: rows stream (openpyxl read-only) and the cells read are bounded (`MAX_CELLS`), for
`accounts import` and `collect import` alike; and an import prints a bounded number of problem lines.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from relkit import ledger_rows

from cli import main
from cli_commands.app import MAX_PROBLEM_LINES
from registry.ledger import limits

ROOT = Path(__file__).resolve().parents[2]
_CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                  'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                  'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
                  '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
                  'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
                  'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
         'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
             '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
             '<sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                  'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                  'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def number_bomb(path: Path, rows: int, columns: int) -> Path:
    """A minimal valid .xlsx of ``rows`` × ``columns`` numbers, its sheet written as a stream (as small as zip makes it)."""
    row = "<row>" + "<c><v>7</v></c>" * columns + "</row>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, text in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _RELS),
                           ("xl/workbook.xml", _WORKBOOK), ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)):
            z.writestr(name, text)
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                        b'spreadsheetml/2006/main"><sheetData>')
            block = (row * 1000).encode()
            for _ in range(rows // 1000):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return path


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024 * 1024, 1536 * 1024 * 1024))


def test_the_200k_by_120_bomb_is_refused_within_bounded_memory(tmp_path: Path) -> None:
    """The attack's own file (200k rows × 120 numbers), real bounds, a process held to 1.5 GB."""
    bomb = number_bomb(tmp_path / "bomb.xlsx", 200_000, 120)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    try:
        done = subprocess.run([sys.executable, "-m", "cli", "--db", f"sqlite://{tmp_path}/g.db", "accounts", "import",
                               str(bomb)], cwd=ROOT, capture_output=True, text=True, timeout=240,
                              preexec_fn=_limit_memory)
    except subprocess.TimeoutExpired:
        pytest.fail("accounts import of the bomb did not end")
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "单元格数超过上限" in done.stderr, done.stderr[-2000:]


@pytest.mark.parametrize("command", [["accounts", "import"], ["collect", "import"]])
def test_cells_read_are_bounded_for_both_imports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 command: list[str]) -> None:
    monkeypatch.setattr(limits, "MAX_CELLS", 50_000)  # the bound, made small: 2,000 × 120 passes it
    bomb = number_bomb(tmp_path / "bomb.xlsx", 2_000, 120)
    result = CliRunner().invoke(main, ["--db", f"sqlite://{tmp_path}/g.db", *command, str(bomb)])
    assert result.exit_code == 2, result.output
    assert "单元格数超过上限" in result.output and "Traceback" not in result.output, result.output[-2000:]


def test_a_sheet_within_the_bounds_still_reads_its_merged_cells(tmp_path: Path) -> None:
    """Streaming rows must not lose what only a full load used to give: merged cells filled down."""
    from openpyxl import Workbook

    header, rows = ledger_rows()
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    unit = header.index("主办单位")
    for row in rows[:3]:
        ws.append([*row[:unit], rows[0][unit], *row[unit + 1:]])
    ws.merge_cells(start_row=2, end_row=4, start_column=unit + 1, end_column=unit + 1)  # one unit cell for three
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    from registry.ledger.tabular import read_sheets

    grid = read_sheets(path)[0].grid
    assert [r[unit] for r in grid[1:4]] == [rows[0][unit]] * 3


def test_an_import_prints_a_bounded_number_of_problem_lines(tmp_path: Path) -> None:
    header, rows = ledger_rows()
    junk: list[list[str]] = []
    # An unreadable date is a row error (an unknown platform word became a warning with issue 21).
    opened = header.index("开设日期")
    for i in range(3 * MAX_PROBLEM_LINES):
        row = list(rows[i % len(rows)])
        row[opened] = f"不是日期{i}"
        junk.append(row)
    path = tmp_path / "junk.csv"
    path.write_text("\n".join(",".join(r) for r in [header, *junk]), encoding="utf-8")
    result = CliRunner().invoke(main, ["--db", f"sqlite://{tmp_path}/g.db", "accounts", "import", str(path)])
    assert result.exit_code == 2, result.output[-2000:]
    lines = result.output.splitlines()
    # The column mapping (a title and one line per column) is printed before the problems.
    assert len(lines) <= MAX_PROBLEM_LINES + len(header) + 1 + 5, len(lines)
    assert "未列出" in result.output, result.output[-500:]


def test_rows_padded_past_the_cell_bound_are_refused_as_they_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    """The backstop behind the byte count: cells as rows arrive (rows padded to a far column, say)."""
    monkeypatch.setattr(limits, "MAX_CELLS", 1000)
    taken = []
    with pytest.raises(limits.LimitError):
        for row in limits.bounded_grid([None] * 16_384 for _ in range(10**9)):
            taken.append(row)
    assert taken == []  # refused on the first row, not after a billion
