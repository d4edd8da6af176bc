"""The HTML and xlsx review in English (``--lang en``): no Chinese left but registry names; zh unchanged."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from cli import main
from registry.config.i18n import set_lang
from reports.monthly_files import write_monthly
from reports.monthly_model import MonthlyReport
from reports.render_html import SECTION_TITLES, SECTION_TITLES_EN, render_html
from reports.render_xlsx import SHEETS, SHEETS_EN, render_xlsx

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def english() -> Iterator[None]:
    """English output for the test, Chinese again afterwards."""
    set_lang("en")
    try:
        yield
    finally:
        set_lang("zh")


def registry_names(r: MonthlyReport) -> list[str]:
    """Every name from the registry (county, accounts, units, deciding offices) the fixture report holds."""
    names = {r.county, *(a.name for a in r.details), *(a.unit for a in r.details)}
    names |= {x.account for x in r.recheck} | {x.unit for x in r.recheck}
    names |= {x.account for x in r.rankings.wechat + r.rankings.weibo}
    names |= {x.unit for x in r.rankings.wechat + r.rankings.weibo}
    names |= {d.decided_by for d in r.closures.decisions}
    # Lists hold "名称（平台）": the name is the part before the last "（".
    labelled = [*(a for g in r.problems for a in g.accounts), *r.closures.closed, *r.closures.merged,
                *r.rankings.praised, *(d.account for d in r.closures.decisions)]
    names |= {n.rpartition("（")[0] for n in labelled}
    # Longest first, so that a name is not half-removed by a shorter one it contains.
    return sorted((n for n in names if n), key=len, reverse=True)


def strip_names(text: str, names: list[str]) -> str:
    """``text`` without the registry names (raw and HTML-escaped)."""
    for name in names:
        text = text.replace(name, "").replace(name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), "")
    return text


def assert_no_cjk(text: str, names: list[str], where: str) -> None:
    left = strip_names(text, names)
    found = [left[max(0, m.start() - 20):m.end() + 20] for m in CJK.finditer(left)]
    assert not found, f"Chinese left in {where}: {found[:5]}"


def xlsx_text(path: Path) -> str:
    """All cell values, sheet names and chart XML of a workbook, as one string."""
    wb = openpyxl.load_workbook(path)
    parts = list(wb.sheetnames)
    for ws in wb:
        parts += [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    with zipfile.ZipFile(path) as z:
        parts += [z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/charts/")]
    return "\n".join(parts)


@pytest.mark.parametrize("kind", ["full", "partial", "empty"])
def test_html_english_has_no_chinese_but_names(kind: str, report: MonthlyReport, partial_report: MonthlyReport,
                                               empty_report: MonthlyReport, english: None) -> None:
    r = {"full": report, "partial": partial_report, "empty": empty_report}[kind]
    html = render_html(r)
    assert_no_cjk(html, registry_names(report), f"{kind} HTML")
    assert '<html lang="en">' in html
    for title in SECTION_TITLES_EN:
        assert f"<h2>{title}</h2>" in html
    assert "government new-media matrix health review (March 2025)" in html
    assert ("As of March 18, 2025" in html) == (kind == "partial")


def test_html_english_content(report: MonthlyReport, english: None) -> None:
    html = render_html(report)
    for text in ("Accounts in operation", "Pass rate", "(1) By platform", "(2) By unit level", "WeChat OA",
                 "County department", "No updates", "Below the required update frequency",
                 "城关&lt;发布&gt; (WeChat OA)", "Not rectified", "Fail", "Period: March 1, 2025 to March 31, 2025",
                 "Fail: an account with a single-item veto finding", "Overall reach O = 0.70×ln(R/d+1)",
                 ">Apr</tspan>", ">Jan</tspan>", "Apr 2024: 44; ", "The .docx notice draft stays in Chinese"):
        assert text in html, text


def test_xlsx_english_has_no_chinese_but_names(report: MonthlyReport, partial_report: MonthlyReport,
                                               tmp_path: Path, english: None) -> None:
    for i, r in enumerate((report, partial_report)):
        path = render_xlsx(r, tmp_path / f"review{i}.xlsx")
        assert_no_cjk(xlsx_text(path), registry_names(report), path.name)
    wb = openpyxl.load_workbook(tmp_path / "review0.xlsx")
    assert tuple(wb.sheetnames) == (*SHEETS_EN, "Responsiveness")
    assert wb["Details"].print_title_rows == "$1:$1"
    header = [c.value for c in wb["Details"][1]]
    assert header[0] == "Account" and header[-1] == "Verdict"
    total = next(list(r) for r in wb["Summary"].iter_rows(values_only=True) if r[0] == "Total")
    assert total[1:5] == [40, 40, 5, 0.875]
    problems = [list(r) for r in wb["Problems"].iter_rows(min_row=2, values_only=True)]
    assert problems[0][:4] == ["Veto", "No updates", "stale", 3]
    assert "城关<发布> (WeChat OA)" in problems[0][5]


def test_file_names_follow_the_language_but_docx(report: MonthlyReport, tmp_path: Path) -> None:
    zh = [p.name for p in write_monthly(report, tmp_path / "zh")]
    set_lang("en")
    try:
        en = [p.name for p in write_monthly(report, tmp_path / "en")]
    finally:
        set_lang("zh")
    assert zh == ["滹沱县政务新媒体月度健康度报告-2025-03.html", "滹沱县政务新媒体月度健康度报告-2025-03.xlsx",
                  "滹沱县2025-03政务新媒体检查情况通报（草稿）.docx"]
    assert en == ["滹沱县-matrix-health-review-2025-03.html", "滹沱县-matrix-health-review-2025-03.xlsx", zh[2]]


def test_chinese_unchanged_after_english(report: MonthlyReport, tmp_path: Path) -> None:
    before_html = render_html(report)
    before_xlsx = xlsx_text(render_xlsx(report, tmp_path / "a.xlsx"))
    set_lang("en")
    try:
        render_html(report)
        render_xlsx(report, tmp_path / "b.xlsx")
    finally:
        set_lang("zh")
    assert render_html(report) == before_html
    assert xlsx_text(render_xlsx(report, tmp_path / "c.xlsx")) == before_xlsx
    assert '<html lang="zh-CN">' in before_html and all(f"<h2>{t}</h2>" in before_html for t in SECTION_TITLES)
    assert tuple(openpyxl.load_workbook(tmp_path / "c.xlsx").sheetnames) == (*SHEETS, "回应情况")


def test_cli_monthly_in_english(db_url: str, sample_ledger: Path, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOVMEDIA_CONFIG", raising=False)
    (tmp_path / "govmedia.toml").write_text(f'[database]\nurl = "{db_url}"\n\n[county]\nname = "滹沱县"\n',
                                            encoding="utf-8")
    runner = CliRunner()

    def gm(*args: str) -> str:
        result = runner.invoke(main, ["--config", "govmedia.toml", "--actor", "t", *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    gm("accounts", "import", str(sample_ledger))
    out = gm("--lang", "en", "report", "monthly", "--month", "2026-10", "--out", "reports")
    assert "wrote" in out
    files = sorted(p.name for p in (tmp_path / "reports").iterdir())
    assert files == ["滹沱县-matrix-health-review-2026-10.html", "滹沱县-matrix-health-review-2026-10.xlsx",
                     "滹沱县2026-10政务新媒体检查情况通报（草稿）.docx"]
    accounts = json.loads(gm("accounts", "list", "--format", "json"))
    names = sorted({"滹沱县", *(a["name"] for a in accounts), *(a["unit"] for a in accounts)}, key=len, reverse=True)
    html = (tmp_path / "reports" / files[0]).read_text(encoding="utf-8")
    assert_no_cjk(html, names, "CLI HTML")
    assert "<h2>1. Overview</h2>" in html and "(October 2026)" in html
    assert_no_cjk(xlsx_text(tmp_path / "reports" / files[1]), names, "CLI xlsx")
