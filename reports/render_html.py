"""The monthly review as one self-contained HTML file (inline CSS and SVG) that also prints on A4.

Every fixed string goes through ``tr`` and the model's Chinese labels through ``term``, so the page
follows ``--lang``; names from the registry (accounts, units, county) are printed as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from registry.config.i18n import get_lang, tr
from reports.charts_svg import bar_chart, line_chart
from reports.content_safety import content_section_html
from reports.monthly_model import (
    INSUFFICIENT,
    MonthlyReport,
    ProblemGroup,
    RankRow,
    Tally,
    account_text,
    change_int,
    change_pct_points,
    date_text,
    fmt_count,
    fmt_followers,
    fmt_index,
    fmt_int,
    fmt_pct,
    fmt_signed,
    join_names,
    term,
    terms,
    xml_safe,
)
from reports.monthly_response import html_section

#: Section headings, in order; tests and the browser check look for these.
SECTION_TITLES = ("一、总体情况", "二、主要问题", "三、复核", "四、关停整合", "五、排行", "六、明细", "七、趋势",
                  "附录：口径与公式")
#: SECTION_TITLES with ``--lang en``.
SECTION_TITLES_EN = ("1. Overview", "2. Main problems", "3. Recheck", "4. Closures and mergers", "5. Rankings",
                     "6. Account details", "7. Trends", "Appendix: definitions and formulas")


def section_titles() -> tuple[str, ...]:
    """Section headings in the current language."""
    return SECTION_TITLES_EN if get_lang() == "en" else SECTION_TITLES

_CSS = """
:root { --ink:#1f2630; --muted:#5b6370; --line:#d5dae1; --head:#f2f4f7; --red:#b3261e; --amber:#a15c00;
  --green:#1e6b3a; --accent:#b3261e; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin:0; background:#e9edf2; color:var(--ink); font-size:14px; line-height:1.65;
  font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC","Hiragino Sans GB",
  "WenQuanYi Micro Hei",sans-serif; }
.sheet { max-width: 1000px; margin: 24px auto; background:#fff; padding: 40px 48px 48px;
  box-shadow: 0 1px 4px rgba(0,0,0,.12); border-top: 6px solid var(--accent); }
header h1 { font-size: 26px; margin: 4px 0 6px; letter-spacing: .04em; }
.kicker { color: var(--accent); font-weight: bold; margin: 0; letter-spacing: .2em; font-size: 13px; }
.meta { color: var(--muted); margin: 0 0 16px; font-size: 13px; }
.banner { border: 1px solid #e0b252; background: #fff6e0; color: #6b4500; padding: 10px 14px; border-radius: 4px;
  font-weight: bold; margin: 12px 0 16px; }
.kpis { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; margin: 16px 0 8px; }
.kpi { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; background: #fafbfc; }
.kpi .k { color: var(--muted); font-size: 13px; } .kpi .v { font-size: 26px; font-weight: bold; line-height: 1.3; }
.kpi .d { font-size: 12px; color: var(--muted); }
h2 { font-size: 20px; border-bottom: 2px solid var(--ink); padding-bottom: 4px; margin: 36px 0 12px; }
h3 { font-size: 16px; margin: 20px 0 8px; }
h2, h3 { break-after: avoid; page-break-after: avoid; }
p { margin: 6px 0 10px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 14px; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 5px 7px; vertical-align: top; text-align: left; }
th { background: var(--head); font-weight: bold; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { font-weight: bold; background: #fafbfc; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
.tag { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 12px; font-weight: bold; white-space: nowrap; }
.veto, .fail { color: #fff; background: var(--red); } .unknown { color: #fff; background: #777; } .warn { color: #fff; background: var(--amber); }
.ok { color: #fff; background: var(--green); } .closed { color: #fff; background: #6b7280; }
.names { color: var(--ink); }
.none { color: var(--muted); font-style: italic; }
table.tally th:first-child { width: 22%; } table.problems th:first-child { width: 30%; }
table.problems th:nth-child(2) { width: 9%; } table.problems th:nth-child(3) { width: 14%; }
table.detail { font-size: 11.5px; } table.detail td, table.detail th { padding: 3px 4px; }
table.detail td:nth-child(3), table.detail td:nth-child(5), table.detail td:nth-child(6) { white-space: nowrap; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 6px; break-inside: avoid; }
svg.chart { width: 100%; height: auto; display: block; }
.formula { font-size: 13px; background: #f7f8fa; border-left: 3px solid var(--line); padding: 4px 10px; margin: 4px 0; }
footer { margin-top: 28px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
@page { size: A4; margin: 16mm 14mm 18mm 14mm;
  @bottom-center { content: counter(page) " / " counter(pages); font-size: 9pt; color: #5b6370; } }
@page wide { size: A4 landscape; margin: 12mm 12mm 16mm;
  @bottom-center { content: counter(page) " / " counter(pages); font-size: 9pt; color: #5b6370; } }
@media print {
  body { background: #fff; font-size: 10.5pt; }
  .sheet { max-width: none; margin: 0; padding: 0; box-shadow: none; border-top: 0; }
  section { break-before: page; page-break-before: always; }
  section.first { break-before: auto; page-break-before: auto; }
  section.detail-section { page: wide; }
  h2 { margin-top: 0; }
  .charts { gap: 8px; }
}
"""



def e(text: str) -> str:
    """Escape text for HTML; control characters are dropped as in the docx and xlsx outputs."""
    return escape(xml_safe(text))


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, numeric: Sequence[int] = (),
           cls: str = "", total_last: bool = False) -> str:
    """A table from already-escaped cell HTML; ``numeric`` columns are right-aligned."""
    num, num_cls = set(numeric), ' class="num"'
    head = "".join(f'<th scope="col"{num_cls if i in num else ""}>{e(h)}</th>' for i, h in enumerate(headers))
    body = []
    for r, row in enumerate(rows):
        tr_cls = ' class="total"' if total_last and r == len(rows) - 1 else ""
        cells = "".join(f"<td{num_cls if i in num else ''}>{c}</td>" for i, c in enumerate(row))
        body.append(f"<tr{tr_cls}>{cells}</tr>")
    cls_attr = f' class="{cls}"' if cls else ""
    return f"<table{cls_attr}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _none(text: str) -> str:
    return f'<p class="none">{e(text)}</p>'


def _kpis(r: MonthlyReport) -> str:
    t = r.overview.total
    vs_last = tr("较上月 ", "vs last month ")
    cards = [
        (tr("在运营账号", "Accounts in operation"), fmt_int(t.accounts),
         f"{vs_last}{change_int(t.accounts, t.prev_accounts)}"),
        (tr("检查账号", "Checked"), fmt_int(t.checked), f"{tr('上月', 'Last month')} {fmt_int(t.prev_checked)}"),
        (tr("不合格", "Failed"), fmt_int(t.failed), f"{vs_last}{change_int(t.failed, t.prev_failed)}"),
        (tr("合格率", "Pass rate"), fmt_pct(t.pass_rate), f"{vs_last}{change_pct_points(t.pass_rate, t.prev_pass_rate)}"),
    ]
    return '<div class="kpis">' + "".join(
        f'<div class="kpi"><div class="k">{e(k)}</div><div class="v">{e(v)}</div><div class="d">{e(d)}</div></div>'
        for k, v, d in cards) + "</div>"


def _tally_rows(tallies: Sequence[Tally], total: Tally) -> list[list[str]]:
    return [[e(term(t.label)), fmt_int(t.accounts), fmt_int(t.checked), fmt_int(t.failed), fmt_pct(t.pass_rate),
             fmt_pct(t.prev_pass_rate), e(change_pct_points(t.pass_rate, t.prev_pass_rate))]
            for t in [*tallies, total]]


def _overview(r: MonthlyReport) -> str:
    t = r.overview.total
    change = change_pct_points(t.pass_rate, t.prev_pass_rate)
    if get_lang() == "en":
        parts = ", ".join(f"{term(p.label)} {p.accounts}" for p in r.overview.by_platform)
        parts = f" ({parts})" if parts else ""
        text = (f"{r.as_of_label or r.month_text}: the county has {t.accounts} government new-media accounts in "
                f"operation{parts}; {t.checked} checked, {t.failed} failed, pass rate {fmt_pct(t.pass_rate)}; "
                f"last month's pass rate {fmt_pct(t.prev_pass_rate)}, change {change}.")
    else:
        parts = "、".join(f"{p.label}{p.accounts}个" for p in r.overview.by_platform)
        parts = f"（{parts}）" if parts else ""
        text = (f"{r.as_of_text or r.month_zh}，全县在运营政务新媒体账号{t.accounts}个{parts}，检查{t.checked}个，"
                f"不合格{t.failed}个，合格率{fmt_pct(t.pass_rate)}；上月合格率{fmt_pct(t.prev_pass_rate)}，"
                f"变化{change}。")
    heads = [tr("在运营", "In operation"), tr("检查", "Checked"), tr("不合格", "Failed"), tr("合格率", "Pass rate"),
             tr("上月合格率", "Last month"), tr("变化", "Change")]
    return (f"<p>{e(text)}</p><h3>{e(tr('（一）按平台', '(1) By platform'))}</h3>"
            + _table([tr("平台", "Platform"), *heads], _tally_rows(r.overview.by_platform, t), numeric=range(1, 7),
                     total_last=True, cls="tally")
            + f"<h3>{e(tr('（二）按层级', '(2) By unit level'))}</h3>"
            + _table([tr("层级", "Unit level"), *heads], _tally_rows(r.overview.by_unit_kind, t), numeric=range(1, 7),
                     total_last=True, cls="tally"))


def _problem_table(groups: Sequence[ProblemGroup]) -> str:
    veto, warn = tr("否决", "Veto"), tr("提醒", "Warning")
    rows = [[f'<span class="tag {"veto" if g.veto else "warn"}">{veto if g.veto else warn}</span> {e(term(g.label_zh))}',
             fmt_int(g.count), fmt_pct(g.share), f'<span class="names">{e(join_names(g.accounts))}</span>']
            for g in groups]
    return _table([tr("问题类别", "Problem"), tr("账号数", "Accounts"), tr("占问题账号比例", "Share of problem accounts"),
                   tr("涉及账号", "Accounts concerned")], rows, numeric=(1, 2), cls="problems")


def _problems(r: MonthlyReport) -> str:
    veto = [g for g in r.problems if g.veto]
    warn = [g for g in r.problems if not g.veto]
    return (f"<h3>{e(tr('（一）单项否决情形', '(1) Single-item veto findings'))}</h3>"
            + (_problem_table(veto) if veto else _none(tr("本月未发现单项否决情形。", "No veto findings this month.")))
            + f"<h3>{e(tr('（二）其他问题（提醒、扣分情形）', '(2) Other problems (warnings and deductions)'))}</h3>"
            + (_problem_table(warn) if warn else _none(tr("本月未发现其他问题。", "No other problems this month."))))


_STATE_CLS = {"已整改": "ok", "仍未整改": "fail", "已关停": "closed"}


def _recheck(r: MonthlyReport) -> str:
    if not r.recheck:
        return _none(tr("上月无不合格账号，无需复核。", "No account failed last month: nothing to recheck."))
    n = {s: sum(1 for x in r.recheck if x.now_state == s) for s in _STATE_CLS}
    if get_lang() == "en":
        counts = ", ".join(f"{term(s).lower()} {k}" for s, k in n.items())
        text = f"{len(r.recheck)} accounts failed last month; rechecked this month: {counts}."
    else:
        counts = "，".join(f"{s}{k}个" for s, k in n.items())
        text = f"上月不合格账号{len(r.recheck)}个，本月复核：{counts}。"
    rows = [[str(i), e(x.account), e(term(x.platform)), e(x.unit), e(terms(x.last_month_problem)),
             f'<span class="tag {_STATE_CLS.get(x.now_state, "warn")}">{e(term(x.now_state))}</span>']
            for i, x in enumerate(r.recheck, 1)]
    return (f"<p>{e(text)}</p>"
            + _table([tr("序号", "No."), tr("账号名称", "Account"), tr("平台", "Platform"), tr("主办单位", "Unit"),
                      tr("上月问题", "Last month's problems"), tr("复核结果", "Recheck result")], rows, numeric=(0,)))


def _closures(r: MonthlyReport) -> str:
    c = r.closures
    text = tr(f"本月新启动关停整合审核{c.reviews_opened}件，办结{c.reviews_decided}件；"
              f"关停账号{len(c.closed)}个，整合账号{len(c.merged)}个。",
              f"Closure / merger reviews this month: {c.reviews_opened} opened, {c.reviews_decided} decided; "
              f"accounts closed: {len(c.closed)}, merged: {len(c.merged)}.")
    none = tr("无", "none")
    out = [f"<p>{e(text)}</p>",
           f"<p><b>{e(tr('关停账号：', 'Closed: '))}</b>{e(join_names(c.closed) or none)}</p>",
           f"<p><b>{e(tr('整合账号：', 'Merged: '))}</b>{e(join_names(c.merged) or none)}</p>"]
    if c.decisions:
        rows = [[e(account_text(d.account)), e(term(d.decision)), e(d.decided_by), e(date_text(d.date))]
                for d in c.decisions]
        out.append(f"<h3>{e(tr('本月审核决定', 'Review decisions this month'))}</h3>"
                   + _table([tr("账号", "Account"), tr("决定", "Decision"), tr("决定单位", "Decided by"),
                             tr("日期", "Date")], rows))
    return "".join(out)


def _rank_table(rows: Sequence[RankRow], weibo: bool) -> str:
    if not rows:
        return _none(tr("本月无可排行账号。", "No accounts to rank this month."))
    first = [tr("名次", "Rank"), tr("账号名称", "Account"), tr("主办单位", "Unit")]
    likes = tr("点赞", "Likes")
    if weibo:
        heads = [*first, "BCI", tr("发博数", "Posts"), tr("转发", "Reposts"), tr("评论", "Comments"), likes]
        cells = [[str(i), e(x.account), e(x.unit), fmt_index(x.index), fmt_int(x.posts), fmt_int(x.shares),
                  fmt_int(x.comments), fmt_int(x.likes)] for i, x in enumerate(rows, 1)]
    else:
        heads = [*first, "WCI", tr("发文数", "Articles"), tr("阅读", "Reads"), tr("在看", "Wow"), likes,
                 tr("转发", "Shares")]
        cells = [[str(i), e(x.account), e(x.unit), fmt_index(x.index), fmt_int(x.posts), fmt_int(x.reads),
                  fmt_int(x.zaikan), fmt_int(x.likes), fmt_int(x.shares)] for i, x in enumerate(rows, 1)]
    return _table(heads, cells, numeric=[0, *range(3, len(heads))])


def _rankings(r: MonthlyReport) -> str:
    k = r.rankings
    praised = (f"<p>{e(join_names(k.praised))}</p>" if k.praised
               else _none(tr("本月无表扬账号。", "No accounts praised this month.")))
    return (f"<h3>{e(tr('（一）微信公众号传播指数（WCI）', '(1) WeChat reach index (WCI)'))}</h3>"
            + _rank_table(k.wechat, False)
            + f"<h3>{e(tr('（二）新浪微博传播指数（BCI）', '(2) Weibo reach index (BCI)'))}</h3>"
            + _rank_table(k.weibo, True)
            + _insufficient(k.insufficient)
            + f"<h3>{e(tr('（三）表扬账号', '(3) Accounts praised'))}</h3>" + praised)


def _insufficient(names: Sequence[str]) -> str:
    # Accounts whose index inputs are unknown: named apart, never ranked at zero.
    if not names:
        return ""
    return f'<p class="insufficient">{e(term(INSUFFICIENT))}：{e(join_names(list(names)))}</p>'


def _verdict_class(verdict: str) -> str:
    return {"合格": "ok", "不合格": "fail"}.get(verdict, "unknown")


def _details(r: MonthlyReport) -> str:
    if not r.details:
        return _none(tr("本月无账号明细。", "No account details this month."))
    shown: dict[str, str] = {}  # units, platforms, problems and verdicts repeat: each is escaped once

    def s(text: str) -> str:
        html = shown.get(text)
        return shown.setdefault(text, e(text)) if html is None else html

    rows = [[str(i), e(a.name), s(term(a.platform)), s(a.unit), s(term(a.unit_kind)), s(term(a.status)),
             fmt_int(a.posts),
             fmt_int(a.days_since_last_post), e(fmt_followers(a.followers, a.followers_approx)),
             fmt_signed(a.followers_change), fmt_int(a.reads),
             fmt_int(a.interactions), fmt_index(a.index), fmt_int(a.comments), fmt_pct(a.answer_rate),
             s(terms(a.problems)) or "—",
             f'<span class="tag {_verdict_class(a.verdict)}">{s(term(a.verdict))}</span>']
            for i, a in enumerate(r.details, 1)]
    heads = [tr("序号", "No."), tr("账号名称", "Account"), tr("平台", "Platform"), tr("主办单位", "Unit"),
             tr("层级", "Level"), tr("状态", "Status"), tr("发文", "Posts"), tr("距上次更新(天)", "Days since update"),
             tr("粉丝", "Followers"), tr("粉丝变化", "Follower change"), tr("阅读", "Reads"),
             tr("互动", "Interactions"), tr("指数", "Index"), tr("留言", "Comments"), tr("回复率", "Answer rate"),
             tr("问题", "Problems"), tr("结论", "Verdict")]
    return _table(heads, rows, numeric=[0, *range(6, 15)], cls="detail")


_MONTHS_SHORT_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _trend_label(month: str, first: bool) -> str:
    year, mon = month.split("-")
    short = tr(f"{int(mon)}月", _MONTHS_SHORT_EN[int(mon) - 1])
    return f"{short}\n{year}" if first or mon == "01" else short


def _trends(r: MonthlyReport) -> str:
    if not r.trends:
        return _none(tr("暂无历史数据。", "No history yet."))
    labels = [_trend_label(p.month, i == 0) for i, p in enumerate(r.trends)]

    def pct(v: float) -> str:
        return f"{v * 100:.0f}%" if round(v * 100, 6).is_integer() else f"{v * 100:.1f}%"

    def count(v: float) -> str:
        return fmt_count(round(v))

    def tick(v: float) -> str:
        # Axis ticks are round numbers: "20万", not "20.0万".
        return (count(v).replace(".0万", "万").replace(".0亿", "亿").replace(".0k", "k").replace(".0M", "M"))

    accounts, rate = tr("在运营账号", "Accounts in operation"), tr("合格率", "Pass rate")
    posts, reads = tr("发文量", "Posts"), tr("阅读量", "Reads")
    charts = [
        line_chart("trend-accounts", tr("在运营账号数", "Accounts in operation"), labels, [p.accounts for p in r.trends],
                   fmt=lambda v: f"{v:,.0f}"),
        line_chart("trend-pass-rate", rate, labels, [p.pass_rate for p in r.trends], fmt=pct, y_max=1.0,
                   zero_based=False, color="#1e6b3a"),
        bar_chart("trend-posts", posts, labels, [p.posts for p in r.trends], fmt=count, tick_fmt=tick,
                  color="#c26a00"),
        bar_chart("trend-reads", reads, labels, [p.reads for p in r.trends], fmt=count, tick_fmt=tick,
                  color="#5b3fa0"),
    ]
    rows = [[e(p.month), fmt_int(p.accounts), fmt_pct(p.pass_rate), fmt_int(p.posts), fmt_int(p.reads)] for p in r.trends]
    return ('<div class="charts">' + "".join(f"<figure>{c}</figure>" for c in charts) + "</div>"
            + f"<h3>{e(tr('趋势数据', 'Trend data'))}</h3>"
            + _table([tr("月份", "Month"), accounts, rate, posts, reads], rows, numeric=(1, 2, 3, 4)))


def _appendix(r: MonthlyReport) -> str:
    defs = "".join(f"<li>{e(d)}</li>" for d in r.definition_lines())
    forms = "".join(f'<p class="formula">{e(f)}</p>' for f in r.formula_lines())
    none = tr("无。", "None.")
    return (f"<h3>{e(tr('（一）口径说明', '(1) Definitions'))}</h3>" + (f"<ol>{defs}</ol>" if defs else _none(none))
            + f"<h3>{e(tr('（二）指数公式', '(2) Index formulas'))}</h3>" + (forms or _none(none)))


def render_html(report: MonthlyReport) -> str:
    """The whole review as one self-contained HTML document in the current language (Chinese by default)."""
    r = report
    bodies = [_overview(r), _problems(r), _recheck(r), _closures(r), _rankings(r),
              _details(r) + html_section(r.responses), _trends(r), _appendix(r)]
    sections = []
    for i, (title, body) in enumerate(zip(section_titles(), bodies, strict=True)):
        cls = ["first"] if i == 0 else []
        if i == 5:
            cls.append("detail-section")
        cls_attr = f' class="{" ".join(cls)}"' if cls else ""
        sections.append(f'<section id="s{i + 1}"{cls_attr}><h2>{e(title)}</h2>{body}</section>')
    period = tr(f"统计周期：{date_text(r.period_start)}至{date_text(r.period_end)}",
                f"Period: {date_text(r.period_start)} to {date_text(r.period_end)}")
    partial_note = tr("：本月尚未结束，以下为月初至今的数据，以月末正式报告为准。",
                      ": the month is not over; these are the figures from its start to date, and the report at "
                      "the month's end is the one that counts.")
    banner = f'<p class="banner" role="note">{e(r.as_of_label)}{e(partial_note)}</p>' if r.partial else ""
    generated = r.generated_at.strftime("%Y-%m-%d %H:%M")
    kicker = tr("政务新媒体矩阵月度健康度报告", "Government new-media matrix health review")
    heading = tr(f"{e(r.county)}政务新媒体矩阵月度健康度报告（{e(r.month_zh)}）",
                 f"{e(r.county)} government new-media matrix health review ({e(r.month_text)})")
    footer = tr("本报告由 govmedia 根据监测数据自动生成；口径与公式见附录。",
                "Generated automatically by govmedia from monitoring data; definitions and formulas are in the "
                "appendix. The .docx notice draft stays in Chinese in both languages: it is the draft of an "
                "official government notice.")
    return f"""<!DOCTYPE html>
<html lang="{tr('zh-CN', 'en')}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(r.title)}</title>
<style>{_CSS}</style>
</head>
<body>
<main class="sheet">
<header>
<p class="kicker">{e(kicker)}</p>
<h1>{heading}</h1>
<p class="meta">{e(period)} · {e(tr("生成时间：", "Generated: "))}{e(generated)}</p>
{banner}{_kpis(r)}
</header>
{"".join(sections[:-1])}{content_section_html(r.content)}{sections[-1]}
<footer>{e(footer)}</footer>
</main>
</body>
</html>
"""
