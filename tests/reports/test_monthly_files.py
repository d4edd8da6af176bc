"""The review's files: the workbook written by a forked child is the one written in this process, and a
child that fails leaves the workbook to this process."""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

import pytest

from reports import monthly_files
from reports.monthly_model import MonthlyReport
from reports.render_xlsx import render_xlsx


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:  # docProps/core.xml carries the moment it was written
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def test_the_forked_workbook_is_the_one_written_here(report: MonthlyReport, tmp_path: Path) -> None:
    html, xlsx, docx = monthly_files.write_monthly(report, tmp_path / "forked")
    assert [p.suffix for p in (html, xlsx, docx)] == [".html", ".xlsx", ".docx"]
    here = render_xlsx(report, tmp_path / "here.xlsx")
    assert _parts(xlsx) == _parts(here)


@pytest.mark.parametrize("child", ["dies", "hangs"])
def test_a_failing_child_leaves_the_workbook_to_this_process(report: MonthlyReport, tmp_path: Path, child: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    parent = os.getpid()
    calls: list[int] = []

    def only_here(rep: MonthlyReport, path: Path) -> Path:
        if os.getpid() != parent:
            if child == "hangs":
                time.sleep(600)
            os._exit(3)  # the child dies before writing anything
        calls.append(os.getpid())
        return render_xlsx(rep, path)

    monkeypatch.setattr(monthly_files, "CHILD_TIMEOUT_S", 1.0)
    monkeypatch.setattr(monthly_files, "render_xlsx", only_here)
    paths = monthly_files.write_monthly(report, tmp_path / "out")
    assert calls == [parent]
    assert _parts(paths[1]) == _parts(render_xlsx(report, tmp_path / "here.xlsx"))
