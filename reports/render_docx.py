"""The monthly review as a 通报 draft (.docx) in the form the county office already writes.

Layout follows the usual 党政机关公文 conventions (A4, 方正小标宋 title, 仿宋 body at 三号, 黑体 /
楷体 headings); every sentence that needs the office's judgement is marked 【请编辑】 and highlighted.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from reports.monthly_model import (
    MonthlyReport,
    ProblemGroup,
    Tally,
    date_zh,
    fmt_index,
    fmt_int,
    fmt_pct,
    xml_safe,
)
from reports.monthly_response import summary_line

EDIT = "【请编辑】"
#: Headings of the 通报 body, in order.
DOCX_HEADINGS = ("一、总体情况", "二、主要问题", "三、复核情况", "四、关停整合情况", "五、表扬", "六、工作要求")
TITLE_FONT, BODY_FONT, H1_FONT, H2_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"


def _fonts(rpr_owner: Any, east_asia: str, size: float | None = None) -> None:
    """Set the Chinese (eastAsia) and Latin fonts of a style or run, dropping theme fonts that override them."""
    element = rpr_owner._r if hasattr(rpr_owner, "_r") else rpr_owner.element  # a run, else a style
    rpr = element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:ascii"), "Times New Roman")
    fonts.set(qn("w:hAnsi"), "Times New Roman")
    if size is not None:
        rpr_owner.font.size = Pt(size)


def _setup(document: Any) -> None:
    sec = document.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    # GB/T 9704 margins: 天头 37 mm, 订口 28 mm.
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    normal = document.styles["Normal"]
    _fonts(normal, BODY_FONT, 16)
    normal.paragraph_format.line_spacing = Pt(28)
    normal.paragraph_format.space_after = Pt(0)
    for name, font in (("Heading 1", H1_FONT), ("Heading 2", H2_FONT)):
        style = document.styles[name]
        _fonts(style, font, 16)
        style.font.bold = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.space_before = Pt(0)
        style.paragraph_format.space_after = Pt(0)
        style.paragraph_format.first_line_indent = Pt(32)
        style.paragraph_format.line_spacing = Pt(28)


def _para(document: Any, text: str = "", *, indent: bool = True, align: Any = None) -> Any:
    """A body paragraph; text inside 【请编辑…】 markers is highlighted for the office to replace."""
    p = document.add_paragraph()
    if indent:
        p.paragraph_format.first_line_indent = Pt(32)  # two characters at 三号
    if align is not None:
        p.alignment = align
    rest = xml_safe(text)
    while "【请编辑" in rest:
        before, _, tail = rest.partition("【请编辑")
        marked, _, rest = tail.partition("】")
        if before:
            _run(p, before)
        run = _run(p, f"【请编辑{marked}】")
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    if rest:
        _run(p, rest)
    return p


def _run(p: Any, text: str) -> Any:
    """``p.add_run(text)``: text without tabs or line breaks goes into its one ``<w:t>`` at once (python-docx
    appends a run's text character by character; the 通报's account lists run to tens of thousands)."""
    if "\t" in text or "\n" in text or "\r" in text:
        return p.add_run(text)
    run = p.add_run()
    run._r.add_t(text)  # what add_run(text) ends with for such text
    return run


def _change(cur: float | None, prev: float | None) -> str:
    if cur is None or prev is None:
        return ""
    diff = round((cur - prev) * 100, 1)
    if diff == 0:
        return f"，与上月（{fmt_pct(prev)}）持平"
    return f"，较上月（{fmt_pct(prev)}）{'上升' if diff > 0 else '下降'}{abs(diff):.1f}个百分点"


def _rates(tallies: Sequence[Tally]) -> str:
    return "、".join(f"{t.label}{fmt_pct(t.pass_rate)}" for t in tallies if t.pass_rate is not None)


def _overview(d: Any, r: MonthlyReport) -> None:
    t, o = r.overview.total, r.overview
    platforms = "、".join(f"{p.label}{p.accounts}个" for p in o.by_platform)
    levels = "、".join(f"{u.label}{u.accounts}个" for u in o.by_unit_kind)
    split = (f"，其中{platforms}" if platforms else "") + (f"；按层级分，{levels}" if levels else "")
    _para(d, f"{r.as_of_text or r.month_zh}，全县在运营政务新媒体账号{t.accounts}个{split}。"
             f"本月共检查账号{t.checked}个，发现不合格账号{t.failed}个，合格率{fmt_pct(t.pass_rate)}"
             f"{_change(t.pass_rate, t.prev_pass_rate)}。")
    by = [f"{what}看，{_rates(ts)}" for what, ts in (("分平台", o.by_platform), ("分层级", o.by_unit_kind)) if _rates(ts)]
    if by:
        _para(d, "；".join(by) + "。")


def _groups(d: Any, heading: str, groups: Sequence[ProblemGroup], empty: str) -> None:
    d.add_heading(heading, level=2)
    if not groups:
        _para(d, empty)
    for i, g in enumerate(groups, 1):
        share = f"，占问题账号的{fmt_pct(g.share)}" if g.share is not None else ""
        _para(d, f"{i}. {g.label_zh}（{g.count}个{share}）：{'、'.join(g.accounts)}。")


def _problems(d: Any, r: MonthlyReport) -> None:
    _groups(d, "（一）单项否决情形", [g for g in r.problems if g.veto], "本月未发现单项否决情形。")
    _groups(d, "（二）其他问题", [g for g in r.problems if not g.veto], "本月未发现其他问题。")


def _recheck(d: Any, r: MonthlyReport) -> None:
    if not r.recheck:
        _para(d, "上月无不合格账号，本月无需复核。")
        return
    counts = {s: [x for x in r.recheck if x.now_state == s] for s in ("已整改", "仍未整改", "已关停")}
    _para(d, f"对上月通报的{len(r.recheck)}个不合格账号进行了复核：已整改{len(counts['已整改'])}个，"
             f"仍未整改{len(counts['仍未整改'])}个，已关停{len(counts['已关停'])}个。")
    if counts["仍未整改"]:
        names = "、".join(f"{x.account}（{x.platform}）" for x in counts["仍未整改"])
        _para(d, f"仍未整改的账号：{names}，本月继续认定为不合格。")


def _closures(d: Any, r: MonthlyReport) -> None:
    c = r.closures
    _para(d, f"本月新启动关停整合审核{c.reviews_opened}件，办结{c.reviews_decided}件。"
             f"关停账号{len(c.closed)}个{'：' + '、'.join(c.closed) if c.closed else ''}；"
             f"整合账号{len(c.merged)}个{'：' + '、'.join(c.merged) if c.merged else ''}。")
    for x in c.decisions:
        _para(d, f"{x.account}：{x.decided_by}于{date_zh(x.date)}决定{x.decision}。")


def _praise(d: Any, r: MonthlyReport) -> None:
    k = r.rankings
    if k.praised:
        _para(d, f"以下账号更新及时、互动积极、传播力较强，予以通报表扬：{'、'.join(k.praised)}。")
    else:
        _para(d, f"{EDIT}本月无表扬账号。")
    for label, rows in (("微信公众号传播指数（WCI）", k.wechat), ("新浪微博传播指数（BCI）", k.weibo)):
        if rows:
            top = "、".join(f"{x.account}（{fmt_index(x.index)}）" for x in rows[:3])
            _para(d, f"本月{label}前列：{top}。")
    if k.insufficient:
        _para(d, f"以下账号传播数据不足，未参与排名：{'、'.join(k.insufficient)}。")


def _requirements(d: Any) -> None:
    for text in (
        f"（一）{EDIT}被认定为不合格的账号主办单位要立即整改，对确无力维护的账号按程序关停注销。",
        f"（二）{EDIT}各单位要落实政务新媒体日常监测和内容更新责任，确保更新及时、互动有效。",
        f"（三）{EDIT}严格执行开设、变更、关停、注销备案程序，及时更新账号台账。",
        "请相关单位于【请编辑：整改期限】前将整改情况书面报送【请编辑：报送单位】。",
    ):
        _para(d, text)


def _table(d: Any, headers: Sequence[str], rows: Sequence[Sequence[str]], widths_mm: Sequence[int],
           numeric: Sequence[int] = ()) -> Any:
    table = d.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    # Repeat the header row on every page of a long annex.
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for cell, h in zip(table.rows[0].cells, headers, strict=True):
        cell.text = h
        cell.paragraphs[0].runs[0].font.bold = True
    _format_row(table.rows[0], True, widths_mm, numeric)
    # Every data row is formatted alike: the first plain one is built through python-docx, the next
    # plain ones are copies of it with their own texts (python-docx costs ~2 ms a row, a copy ~20 µs;
    # the XML written is the same).
    template = None
    for row in rows:
        values = [xml_safe(v) for v in row]
        plain = all(_plain(v) for v in values)
        if template is not None and plain:
            tr = copy.deepcopy(template)
            for t, v in zip(tr.iter(qn("w:t")), values, strict=True):
                t.text = v
            table._tbl.append(tr)
            continue
        added = table.add_row()
        for cell, v in zip(added.cells, values, strict=True):
            cell.text = v
        _format_row(added, False, widths_mm, numeric)
        if plain:
            template = added._tr
    for col, width in zip(table.columns, widths_mm, strict=True):
        col.width = Mm(width)
    return table


def _plain(text: str) -> bool:
    """Whether python-docx writes ``text`` as one bare ``<w:t>`` (no tab, break, or preserved space)."""
    return bool(text) and text.strip() == text and not any(c in text for c in "\t\r\n")


def _format_row(row: Any, header: bool, widths_mm: Sequence[int], numeric: Sequence[int]) -> None:
    for c, (cell, width) in enumerate(zip(row.cells, widths_mm, strict=True)):
        cell.width = Mm(width)  # Word reads cell widths, LibreOffice the grid: set both
        for p in cell.paragraphs:
            if header or c == 0:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif c in numeric:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            p.paragraph_format.first_line_indent = Pt(0)
            p.paragraph_format.line_spacing = 1.0
            p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(2)
            for run in p.runs:
                _fonts(run, BODY_FONT, 12)


def _annex(d: Any, number: int, title: str) -> None:
    d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    label = _para(d, f"附件{number}", indent=False)
    _fonts(label.runs[0], H1_FONT)
    heading = _para(d, title, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _fonts(heading.runs[0], TITLE_FONT, 18)


def _overview_and_responses(d: Any, r: MonthlyReport) -> None:
    _overview(d, r)
    if line := summary_line(r.responses):
        _para(d, line)


def render_docx(report: MonthlyReport, path: Path | str) -> Path:
    """Write the 通报 draft to ``path`` and return the path."""
    r = report
    d = docx.Document()
    _setup(d)
    year, month = (int(x) for x in r.month.split("-"))
    title = _para(d, f"关于{year}年{month}月全县政务新媒体检查情况的通报", indent=False,
                  align=WD_ALIGN_PARAGRAPH.CENTER)
    _fonts(title.runs[0], TITLE_FONT, 22)
    if r.partial:
        _para(d, f"（{r.as_of_text}）", indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(d, "")
    _para(d, "各乡镇人民政府，县政府各部门：", indent=False)
    _para(d, f"根据《国务院办公厅关于推进政务新媒体健康有序发展的意见》（国办发〔2018〕123号）和"
             f"《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）要求，对全县政务新媒体{r.month_zh}"
             "运行情况进行了检查。现将有关情况通报如下：")
    body: list[Callable[[Any, MonthlyReport], None]] = [
        _overview_and_responses, _problems, _recheck, _closures, _praise, lambda doc, _r: _requirements(doc)]
    for heading, write in zip(DOCX_HEADINGS, body, strict=True):
        d.add_heading(heading, level=1)
        write(d, r)
    _para(d, "")
    _para(d, "附件：1. 不合格政务新媒体账号名单")
    second = _para(d, "2. 近12个月检查情况", indent=False)
    second.paragraph_format.left_indent = Pt(80)  # under "1.", past the two-character indent and "附件："
    _para(d, "")
    _para(d, "【请编辑：发文单位】", indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(d, date_zh(r.generated_at.date()), indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)

    _annex(d, 1, "不合格政务新媒体账号名单")
    failing = [[str(i), a.name, a.platform, a.unit, a.problems or "—"] for i, a in enumerate(r.failing, 1)]
    _table(d, ["序号", "账号名称", "平台", "主办单位", "存在问题"], failing or [["—", "无", "", "", ""]],
           (14, 36, 26, 40, 40))
    _annex(d, 2, "近12个月检查情况")
    trend = [[p.month, fmt_int(p.accounts), fmt_pct(p.pass_rate), fmt_int(p.posts), fmt_int(p.reads)] for p in r.trends]
    _table(d, ["月份", "在运营账号", "合格率", "发文量", "阅读量"], trend or [["—", "", "", "", ""]],
           (28, 30, 28, 32, 38), numeric=(1, 2, 3, 4))
    out = Path(path)
    d.save(str(out))
    return out

