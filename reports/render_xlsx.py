"""The monthly review as an Excel workbook: summary, detail (filters, frozen header), findings, ranks, trends.

Numbers are written as numbers (rates as 0..1 with a percent format) so the office can keep
computing with them; trends get native Excel charts, which Excel, WPS and LibreOffice all draw.
Sheet names, headers and notes follow ``--lang`` (``tr``); the model's Chinese labels go through
``term``; registry names (accounts, units, county) are written as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from registry.config.i18n import get_lang, tr
from registry.ledger.tabular import escape_cell
from reports.monthly_model import (
    INSUFFICIENT,
    MonthlyReport,
    RankRow,
    Tally,
    account_text,
    date_text,
    fmt_followers,
    join_names,
    term,
    terms,
    xml_safe,
)
from reports.monthly_response import TITLE as RESPONSE_TITLE
from reports.monthly_response import write_sheet
from reports.xlsx_rows import SheetRows, save, widths

SHEETS = ("汇总", "明细", "问题", "复核", "关停整合", "排行", "趋势", "说明")
#: SHEETS with ``--lang en`` (Excel sheet names: at most 31 characters).
SHEETS_EN = ("Summary", "Details", "Problems", "Recheck", "Closures", "Rankings", "Trends", "Notes")


def sheet_names() -> tuple[str, ...]:
    """Sheet names in the current language."""
    return SHEETS_EN if get_lang() == "en" else SHEETS

Cell = str | int | float | None
_HEAD_FONT = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="F2F4F7")
_TITLE_FONT = Font(bold=True, size=14)
PCT, INT, IDX = "0.0%", "#,##0", "0.00"


def _value(v: Cell) -> Cell:
    # Account and unit names are user data: never let a spreadsheet run one as a formula.
    # None is unknown: "—", never an empty cell a SUM would read as 0.
    if v is None:
        return "—"
    return escape_cell(xml_safe(v)) if isinstance(v, str) else v


def _rows(ws: SheetRows, start: int, headers: Sequence[str], rows: Sequence[Sequence[Cell]],
          formats: dict[int, str] | None = None, styles: dict[int, int] | None = None) -> int:
    """Write a header and rows from row ``start`` (``styles``: style ids of data columns, over ``formats``);
    return the next free row."""
    head = ws.style(font=_HEAD_FONT, fill=_HEAD_FILL)
    ws.put_row(start, headers, [head] * len(headers))
    width = max([len(headers), *(len(row) for row in rows)])
    column = [ws.style(number_format=formats[c]) if formats and c in formats else 0 for c in range(1, width + 1)]
    for c, sid in (styles or {}).items():
        column[c - 1] = sid
    shown: dict[str, Cell] = {}  # texts repeat (platforms, units, verdicts): each is made safe once
    for r, row in enumerate(rows, start + 1):
        ws.put_row(r, [(shown.get(v) or shown.setdefault(v, _value(v))) if isinstance(v, str) else _value(v)
                       for v in row], column[:len(row)])
    return start + len(rows) + 1


def _note(ws: SheetRows, row: int, text: str, *, font: Font | None = None) -> int:
    ws.put(row, 1, _value(text), ws.style(font=font) if font is not None else 0)
    return row + 1


def _autosize(ws: SheetRows, max_width: int = 60, skip_rows: int = 0) -> None:
    """Column widths from the widest cell (CJK counts double), ignoring the first ``skip_rows`` title rows."""
    ws.touch(skip_rows + 1)
    for col, w in widths(ws, skip_rows + 1, cap=max_width).items():
        ws.ws.column_dimensions[get_column_letter(col)].width = min(max_width, max(8, w + 2))


def _tally_row(t: Tally) -> list[Cell]:
    return [term(t.label), t.accounts, t.checked, t.failed, t.pass_rate, t.prev_accounts, t.prev_checked,
            t.prev_failed, t.prev_pass_rate]


def _summary(ws: SheetRows, r: MonthlyReport) -> None:
    row = _note(ws, 1, r.title, font=_TITLE_FONT)
    start, end, generated = date_text(r.period_start), date_text(r.period_end), f"{r.generated_at:%Y-%m-%d %H:%M}"
    row = _note(ws, row, tr(f"统计周期：{start}至{end}；生成时间：{generated}",
                            f"Period: {start} to {end}; generated: {generated}"))
    if r.partial:
        row = _note(ws, row, r.as_of_label + tr("：本月尚未结束，以下为月初至今的数据。",
                                                ": the month is not over; these are the figures to date."),
                    font=Font(bold=True, color="9C5700"))
    heads = [tr("类别", "Category"), tr("在运营", "In operation"), tr("检查", "Checked"), tr("不合格", "Failed"),
             tr("合格率", "Pass rate"), tr("上月在运营", "In operation last month"), tr("上月检查", "Checked last month"),
             tr("上月不合格", "Failed last month"), tr("上月合格率", "Pass rate last month")]
    fmt = {5: PCT, 9: PCT}
    o = r.overview
    row = _note(ws, row + 1, tr("按平台", "By platform"), font=_HEAD_FONT)
    row = _rows(ws, row, heads, [_tally_row(t) for t in [*o.by_platform, o.total]], fmt)
    row = _note(ws, row + 1, tr("按层级", "By unit level"), font=_HEAD_FONT)
    _rows(ws, row, heads, [_tally_row(t) for t in [*o.by_unit_kind, o.total]], fmt)
    _autosize(ws, skip_rows=3)


def _details(ws: SheetRows, r: MonthlyReport) -> None:
    heads = [tr("账号名称", "Account"), tr("平台", "Platform"), tr("主办单位", "Unit"), tr("层级", "Level"),
             tr("状态", "Status"), tr("发文数", "Posts"), tr("距上次更新(天)", "Days since update"),
             tr("粉丝数", "Followers"), tr("粉丝变化", "Follower change"), tr("阅读数", "Reads"),
             tr("互动数", "Interactions"), tr("传播指数", "Reach index"), tr("留言数", "Comments"),
             tr("回复率", "Answer rate"), tr("问题", "Problems"), tr("结论", "Verdict")]
    rows: list[list[Cell]] = [[a.name, term(a.platform), a.unit, term(a.unit_kind), term(a.status), a.posts,
                               a.days_since_last_post,
                               fmt_followers(a.followers, True) if a.followers_approx else a.followers,
                               a.followers_change, a.reads, a.interactions,
                               a.index, a.comments, a.answer_rate, terms(a.problems), term(a.verdict)] for a in r.details]
    _rows(ws, 1, heads, rows, {6: INT, 8: INT, 9: "+#,##0;-#,##0;0", 10: INT, 11: INT, 12: IDX, 13: INT, 14: PCT})
    # Header row and the account name stay visible while scrolling; filters on every column.
    ws.ws.freeze_panes = "B2"
    ws.ws.auto_filter.ref = f"A1:{get_column_letter(len(heads))}{len(rows) + 1}"
    _autosize(ws)


def _problems(ws: SheetRows, r: MonthlyReport) -> None:
    heads = [tr("类型", "Type"), tr("问题类别", "Problem"), tr("规则", "Rule"), tr("账号数", "Accounts"),
             tr("占问题账号比例", "Share of problem accounts"), tr("涉及账号", "Accounts concerned")]
    veto, other = tr("单项否决", "Veto"), tr("其他问题", "Other problem")
    rows: list[list[Cell]] = [[veto if g.veto else other, term(g.label_zh), g.rule, g.count, g.share,
                               join_names(g.accounts)] for g in sorted(r.problems, key=lambda g: not g.veto)]
    end = _rows(ws, 1, heads, rows, {5: PCT}, {6: ws.style(alignment=Alignment(wrap_text=True, vertical="top"))})
    ws.ws.auto_filter.ref = f"A1:F{end - 1}"
    ws.ws.freeze_panes = "A2"
    _autosize(ws, max_width=80)
    ws.ws.column_dimensions["F"].width = 80


def _recheck(ws: SheetRows, r: MonthlyReport) -> None:
    rows: list[list[Cell]] = [[x.account, term(x.platform), x.unit, terms(x.last_month_problem), term(x.now_state)]
                              for x in r.recheck]
    _rows(ws, 1, [tr("账号名称", "Account"), tr("平台", "Platform"), tr("主办单位", "Unit"),
                  tr("上月问题", "Last month's problems"), tr("复核结果", "Recheck result")], rows)
    ws.ws.freeze_panes = "A2"
    _autosize(ws)


def _closures(ws: SheetRows, r: MonthlyReport) -> None:
    c = r.closures
    closed, merged, none = tr("关停账号", "Accounts closed"), tr("整合账号", "Accounts merged"), tr("无", "none")
    row = _rows(ws, 1, [tr("指标", "Item"), tr("数量", "Number")],
                [[tr("新启动关停整合审核", "Closure / merger reviews opened"), c.reviews_opened],
                 [tr("办结审核", "Reviews decided"), c.reviews_decided], [closed, len(c.closed)],
                 [merged, len(c.merged)]])
    row = _rows(ws, row + 1, [closed], [[account_text(n)] for n in c.closed] or [[none]])
    row = _rows(ws, row + 1, [merged], [[account_text(n)] for n in c.merged] or [[none]])
    _rows(ws, row + 1, [tr("账号", "Account"), tr("决定", "Decision"), tr("决定单位", "Decided by"), tr("日期", "Date")],
          [[account_text(d.account), term(d.decision), d.decided_by, d.date.isoformat()] for d in c.decisions])
    _autosize(ws)


def _rank_rows(rows: Sequence[RankRow], weibo: bool) -> list[list[Cell]]:
    if weibo:
        return [[i, x.account, x.unit, x.index, x.posts, x.shares, x.comments, x.likes] for i, x in enumerate(rows, 1)]
    return [[i, x.account, x.unit, x.index, x.posts, x.reads, x.zaikan, x.likes, x.shares] for i, x in enumerate(rows, 1)]


def _rankings(ws: SheetRows, r: MonthlyReport) -> None:
    k = r.rankings
    fmt = {4: IDX, 5: INT, 6: INT, 7: INT, 8: INT, 9: INT}
    first = [tr("名次", "Rank"), tr("账号名称", "Account"), tr("主办单位", "Unit")]
    likes = tr("点赞", "Likes")
    row = _note(ws, 1, tr("微信公众号传播指数（WCI）", "WeChat reach index (WCI)"), font=_HEAD_FONT)
    row = _rows(ws, row, [*first, "WCI", tr("发文数", "Articles"), tr("阅读", "Reads"), tr("在看", "Wow"), likes,
                          tr("转发", "Shares")], _rank_rows(k.wechat, False), fmt)
    row = _note(ws, row + 1, tr("新浪微博传播指数（BCI）", "Weibo reach index (BCI)"), font=_HEAD_FONT)
    row = _rows(ws, row, [*first, "BCI", tr("发博数", "Posts"), tr("转发", "Reposts"), tr("评论", "Comments"), likes],
                _rank_rows(k.weibo, True), fmt)
    if k.insufficient:
        row = _note(ws, row + 1, f"{term(INSUFFICIENT)}：{join_names(k.insufficient)}")
    row = _note(ws, row + 1, tr("表扬账号", "Accounts praised"), font=_HEAD_FONT)
    for name in k.praised or [tr("无", "none")]:
        row = _note(ws, row, account_text(name))
    _autosize(ws)


def _trends(ws: SheetRows, r: MonthlyReport) -> None:
    rows: list[list[Cell]] = [[p.month, p.accounts, p.pass_rate, p.posts, p.reads] for p in r.trends]
    _rows(ws, 1, [tr("月份", "Month"), tr("在运营账号", "Accounts in operation"), tr("合格率", "Pass rate"),
                  tr("发文量", "Posts"), tr("阅读量", "Reads")], rows, {2: INT, 3: PCT, 4: INT, 5: INT})
    _autosize(ws)
    if not rows:
        return
    n = len(rows) + 1
    months = Reference(ws.ws, min_col=1, min_row=2, max_row=n)
    specs: list[tuple[LineChart | BarChart, int, str, str, str]] = [
        (LineChart(), 2, tr("在运营账号数", "Accounts in operation"), "G2", "#,##0"),
        (LineChart(), 3, tr("合格率", "Pass rate"), "P2", "0%"),
        (BarChart(), 4, tr("发文量", "Posts"), "G20", "#,##0"),
        (BarChart(), 5, tr("阅读量", "Reads"), "P20", "#,##0"),
    ]
    for chart, col, title, anchor, num_fmt in specs:
        chart.title = title
        chart.add_data(Reference(ws.ws, min_col=col, min_row=1, max_row=n), titles_from_data=True)
        chart.set_categories(months)
        chart.legend = None
        chart.y_axis.numFmt = num_fmt
        # openpyxl ≥3.1 hides axes unless told otherwise; the office needs the scales.
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.height, chart.width = 7.5, 15
        for series in chart.series:
            series.smooth = False  # a smoothed line invents values between months
        ws.ws.add_chart(chart, anchor)


def _notes(ws: SheetRows, r: MonthlyReport) -> None:
    none = tr("无", "none")
    row = _note(ws, 1, tr("口径说明", "Definitions"), font=_HEAD_FONT)
    for d in r.definition_lines() or [none]:
        row = _note(ws, row, d)
    row = _note(ws, row + 1, tr("指数公式", "Index formulas"), font=_HEAD_FONT)
    for f in r.formula_lines() or [none]:
        row = _note(ws, row, f)
    ws.ws.column_dimensions["A"].width = 120


def render_xlsx(report: MonthlyReport, path: Path | str) -> Path:
    """Write the review workbook, in the current language, to ``path`` and return the path."""
    wb = Workbook()
    first = wb.active
    assert first is not None  # a new Workbook always has one sheet
    wb.remove(first)
    writers = (_summary, _details, _problems, _recheck, _closures, _rankings, _trends, _notes)
    names = sheet_names()
    sheets = []
    for name, write in zip(names, writers, strict=True):
        ws = wb.create_sheet(name)
        sheets.append(SheetRows(ws))
        write(sheets[-1], report)
        # Printed from Excel, each sheet fits the width of a landscape A4 page.
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape"
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    wb[names[1]].print_title_rows = "1:1"  # the detail sheet repeats its header on every printed page
    sheets.append(SheetRows(wb.create_sheet(tr(*RESPONSE_TITLE))))
    write_sheet(sheets[-1], report.responses)
    out = Path(path)
    save(wb, out, sheets)
    return out
