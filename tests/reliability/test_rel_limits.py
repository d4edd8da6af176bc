"""Issue 17, item 5: a spreadsheet cannot make govmedia read without bound (zip bomb, rows, cell
length), and no error line quotes more than a short piece of a cell."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from relkit import ledger_rows

from cli import main
from registry.ledger import limits
from registry.ledger.tabular import write_table


def _bomb(tmp_path: Path, chars: int) -> Path:
    """A small .xlsx whose one shared string inflates to ``chars`` characters."""
    from openpyxl import Workbook

    plain = tmp_path / "plain.xlsx"
    header, rows = ledger_rows()
    wb = Workbook()  # a normal workbook keeps its text in xl/sharedStrings.xml, as Excel does
    for row in [header, *rows[:2]]:
        wb.active.append(row)
    wb.save(plain)
    bomb = tmp_path / "bomb.xlsx"
    found: list[str] = []
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            marker = ">" + rows[0][header.index("账号ID")] + "<"  # ASCII: openpyxl writes others as &#NNNNN;
            if info.filename.startswith("xl/") and marker.encode() in data:  # sharedStrings.xml or an inline cell
                data = data.decode().replace(marker, ">" + "A" * chars + "<", 1).encode()
                found.append(info.filename)
            dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    assert found
    return bomb


def gm(db: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--db", db, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_an_xlsx_zip_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    bomb = _bomb(tmp_path, 50 * 1024 * 1024)
    assert bomb.stat().st_size < 1024 * 1024  # small on disk
    db = f"sqlite://{tmp_path}/g.db"
    for args in (["accounts", "import", str(bomb)], ["collect", "import", str(bomb)]):
        code, out = gm(db, *args)
        assert code == 2, out
        assert "过大" in out and len(out) < 2000


def test_a_long_cell_is_cut_in_every_error_line(tmp_path: Path) -> None:
    bomb = _bomb(tmp_path, 200_000)  # under the bounds: read, refused by validation, quoted in short
    code, out = gm(f"sqlite://{tmp_path}/g.db", "accounts", "import", str(bomb))
    assert code == 2 and max(len(line) for line in out.splitlines()) < 400, out[:1000]


def test_rows_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_ROWS", 5)
    header, rows = ledger_rows()
    for suffix in (".csv", ".xlsx"):
        path = tmp_path / f"many{suffix}"
        write_table(path, header, (rows * 3)[:8])
        code, out = gm(f"sqlite://{tmp_path}/g.db", "accounts", "import", str(path))
        assert code == 2 and "行数超过上限" in out, out
