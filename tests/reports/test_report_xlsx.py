"""The xlsx review reads back with openpyxl: sheets, filters, frozen header, numbers and native charts."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from reports.monthly_model import MonthlyReport
from reports.render_xlsx import render_xlsx


def test_xlsx_reads_back(report: MonthlyReport, tmp_path: Path) -> None:
    path = render_xlsx(report, tmp_path / "review.xlsx")
    wb = openpyxl.load_workbook(path)
    assert {"汇总", "明细", "问题", "排行", "趋势"} <= set(wb.sheetnames)
    assert wb.sheetnames[0] == "汇总"

    detail = wb["明细"]
    assert detail.freeze_panes == "B2"
    assert detail.auto_filter.ref == f"A1:P{len(report.details) + 1}"  # 16 columns with 留言数, 回复率
    header = [c.value for c in detail[1]]
    assert header[0] == "账号名称" and header[-1] == "结论"
    names = [detail.cell(row=i, column=1).value for i in range(2, len(report.details) + 2)]
    assert "城关<发布>" in names and "文旅&乡情" in names
    assert detail.cell(row=2, column=12).value == 612.34

    summary = [list(r) for r in wb["汇总"].iter_rows(values_only=True)]
    total = next(r for r in summary if r[0] == "合计")
    assert total[1:5] == [40, 40, 5, 0.875]

    problems = [list(r) for r in wb["问题"].iter_rows(min_row=2, values_only=True)]
    assert problems[0][:4] == ["单项否决", "内容不更新", "stale", 3]
    assert "城关<发布>（微信公众号）" in problems[0][5]
    assert [p[0] for p in problems].index("其他问题") == 2  # vetoes first

    ranks = [r[1] for r in wb["排行"].iter_rows(values_only=True)]
    assert "滹沱发布" in ranks

    trends = wb["趋势"]
    assert trends.max_row == 13
    assert len(trends._charts) >= 1  # openpyxl keeps charts it reads back here
    assert trends.cell(row=13, column=3).value == 0.875


def test_xlsx_has_native_charts(report: MonthlyReport, tmp_path: Path) -> None:
    import zipfile

    path = render_xlsx(report, tmp_path / "review.xlsx")
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        xml = "".join(z.read(n).decode() for n in charts)
    assert len(charts) == 4
    assert "<lineChart>" in xml and "<barChart>" in xml


def test_formula_like_names_are_not_run(report: MonthlyReport, tmp_path: Path) -> None:
    import dataclasses

    row = dataclasses.replace(report.details[0], name="=HYPERLINK(\"http://x\")")
    path = render_xlsx(dataclasses.replace(report, details=[row]), tmp_path / "r.xlsx")
    cell = openpyxl.load_workbook(path)["明细"]["A2"]
    assert cell.data_type == "s" and str(cell.value).startswith("'=")


def test_empty_month_xlsx(empty_report: MonthlyReport, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(render_xlsx(empty_report, tmp_path / "e.xlsx"))
    assert wb["明细"].freeze_panes == "B2"
    assert wb["趋势"].max_row == 1


def test_control_characters_are_dropped(report: MonthlyReport, tmp_path: Path) -> None:
    import dataclasses

    row = dataclasses.replace(report.details[0], name="滹沱\x0b发布\x1f")
    path = render_xlsx(dataclasses.replace(report, details=[row]), tmp_path / "c.xlsx")
    assert openpyxl.load_workbook(path)["明细"]["A2"].value == "滹沱发布"
