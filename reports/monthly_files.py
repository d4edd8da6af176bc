"""Write a built monthly review to its files (HTML, xlsx, docx 通报 draft).

The HTML and xlsx review follow the output language (``--lang``), file names included. The docx is
the draft of an official Chinese government notice (通报), so it stays Chinese, and keeps its Chinese
file name, in both languages.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable
from pathlib import Path

from registry.config.i18n import tr
from registry.db.batch import paused_gc
from reports.monthly_model import MonthlyReport
from reports.render_docx import render_docx
from reports.render_html import render_html
from reports.render_xlsx import render_xlsx

FORMATS = ("html", "xlsx", "docx")
#: How long the workbook's child may take after the other files are written (20,000 accounts: ~2 s).
CHILD_TIMEOUT_S = 300.0


def write_monthly(report: MonthlyReport, out: Path, formats: Iterable[str] = FORMATS) -> list[Path]:
    """Render the review in each format into ``out``; return the paths written."""
    with paused_gc():  # the renderers build hundreds of thousands of cells and run no cycle worth collecting
        return _write(report, out, set(formats))


def _write(report: MonthlyReport, out: Path, wanted: set[str]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    stem = tr(f"{report.county}政务新媒体月度健康度报告-{report.month}",
              f"{report.county}-matrix-health-review-{report.month}")
    xlsx_path = out / f"{stem}.xlsx"
    # The workbook (the largest of the three: ~1.5 s at 20,000 accounts) is written by a forked copy of this
    # process while this one writes the others, so a review takes the longest file's time, not the sum.
    # Forking copies the built review for free (no pickling); the child writes one file and leaves with
    # os._exit (multiprocessing's fork start), touching neither the database nor this process's sockets.
    # Where fork is missing, or the child fails or is still at work `CHILD_TIMEOUT_S` later (stopped then),
    # the workbook is written here as before (and a real error is raised here, as before).
    child = _fork(render_xlsx, report, xlsx_path) if "xlsx" in wanted and len(wanted) > 1 else None
    written = []
    if "html" in wanted:
        path = out / f"{stem}.html"
        path.write_text(render_html(report), encoding="utf-8")
        written.append(path)
    if "docx" in wanted:
        # Chinese in both languages: see the module docstring.
        docx = render_docx(report, out / f"{report.county}{report.month}政务新媒体检查情况通报（草稿）.docx")
    if "xlsx" in wanted:
        if child is not None:
            child.join(CHILD_TIMEOUT_S)
            if child.exitcode is None:  # stuck (say on a lock another thread held when forked): stop it
                child.kill()
                child.join()
        if child is None or child.exitcode != 0:
            render_xlsx(report, xlsx_path)
        written.append(xlsx_path)
    if "docx" in wanted:
        written.append(docx)
    return written


def _fork(render: Callable[[MonthlyReport, Path], Path], report: MonthlyReport, path: Path) -> multiprocessing.process.BaseProcess | None:
    """Start ``render(report, path)`` in a forked child; None where this platform cannot fork."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    child = multiprocessing.get_context("fork").Process(target=render, args=(report, path), daemon=True)
    child.start()
    return child


def headline(report: MonthlyReport) -> tuple[int, int, tuple[tuple[str, int], ...]]:
    """(checked, failed, the three largest problem groups) for the WeCom summary."""
    total = report.overview.total
    top = sorted(report.problems, key=lambda g: (-g.veto, -g.count))[:3]
    return total.checked, total.failed, tuple((g.label_zh, g.count) for g in top)
