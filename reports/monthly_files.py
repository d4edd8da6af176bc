"""Write a built monthly review to its files (HTML, xlsx, docx 通报 draft).

The HTML and xlsx review follow the output language (``--lang``), file names included. The docx is
the draft of an official Chinese government notice (通报), so it stays Chinese, and keeps its Chinese
file name, in both languages.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from registry.config.i18n import tr
from registry.db.batch import paused_gc
from reports.monthly_model import MonthlyReport
from reports.render_docx import render_docx
from reports.render_html import render_html
from reports.render_xlsx import render_xlsx

FORMATS = ("html", "xlsx", "docx")


def write_monthly(report: MonthlyReport, out: Path, formats: Iterable[str] = FORMATS) -> list[Path]:
    """Render the review in each format into ``out``; return the paths written."""
    with paused_gc():  # the renderers build hundreds of thousands of cells and run no cycle worth collecting
        return _write(report, out, set(formats))


def _write(report: MonthlyReport, out: Path, wanted: set[str]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    stem = tr(f"{report.county}政务新媒体月度健康度报告-{report.month}",
              f"{report.county}-matrix-health-review-{report.month}")
    written = []
    if "html" in wanted:
        path = out / f"{stem}.html"
        path.write_text(render_html(report), encoding="utf-8")
        written.append(path)
    if "xlsx" in wanted:
        written.append(render_xlsx(report, out / f"{stem}.xlsx"))
    if "docx" in wanted:
        # Chinese in both languages: see the module docstring.
        written.append(render_docx(report, out / f"{report.county}{report.month}政务新媒体检查情况通报（草稿）.docx"))
    return written


def headline(report: MonthlyReport) -> tuple[int, int, tuple[tuple[str, int], ...]]:
    """(checked, failed, the three largest problem groups) for the WeCom summary."""
    total = report.overview.total
    top = sorted(report.problems, key=lambda g: (-g.veto, -g.count))[:3]
    return total.checked, total.failed, tuple((g.label_zh, g.count) for g in top)
