"""回应情况 of the monthly review: per account, the comments on its month's posts and how they were answered.

Measured from the comment threads the collectors read (`registry.views.response_facts`); an account
with no read thread in the month has no figures ("—", 无数据), never 0, and is kept out of the totals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace
from html import escape

from registry.config.i18n import tr
from registry.ledger.tabular import escape_cell
from registry.views.monthly_data import AccountInfo
from registry.views.response_facts import ResponseBounds, response_rows
from reports.monthly_model import AccountRow, ResponseLine, fmt_int, fmt_pct, term
from reports.xlsx_rows import SheetRows

TITLE = ("回应情况", "Responsiveness")


async def month_responses(accounts: Iterable[tuple[AccountInfo, str]], start: dt.datetime,
                          as_of: dt.datetime) -> list[ResponseLine]:
    """One line per (account, platform label), in the given order, over posts published in [start, as_of]."""
    listed = list(accounts)
    # The window is half-open at its start: a post at the month's first instant still counts.
    since = start - dt.timedelta(microseconds=1)
    rows = await response_rows([ResponseBounds(a.id, since, as_of) for a, _ in listed])
    out = []
    for a, platform in listed:
        r = rows.get(a.id)
        line = ResponseLine(a.name, platform, a.unit.name)
        if r is not None:
            median = round(r.median_answer_s / 3600, 1) if r.median_answer_s is not None else None
            line = replace(line, comments=r.comments, answered=r.answered, median_hours=median)
        out.append(line)
    return out


def with_columns(details: Sequence[AccountRow], lines: Sequence[ResponseLine]) -> list[AccountRow]:
    """The 明细 rows carrying their account's comments and answer rate (same order as ``lines``)."""
    return [replace(d, comments=ln.comments, answer_rate=ln.rate) for d, ln in zip(details, lines, strict=True)]


def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _heads() -> list[str]:
    return [tr("账号名称", "Account"), tr("平台", "Platform"), tr("主办单位", "Unit"), tr("收到留言", "Comments"),
            tr("已回复", "Answered"), tr("回复率", "Answer rate"), tr("回复用时中位数(小时)", "Median answer time (h)")]


def _note(lines: Sequence[ResponseLine]) -> str:
    known = [ln for ln in lines if ln.comments is not None]
    received = sum(ln.comments or 0 for ln in known)
    answered = sum(ln.answered or 0 for ln in known)
    rate = fmt_pct(answered / received) if received else "—"
    return tr(f"本月有留言数据的账号{len(known)}个，共收到留言{received}条，已回复{answered}条，回复率{rate}；"
              f"其余{len(lines) - len(known)}个账号无数据（未读取到留言），不计入合计。",
              f"{len(known)} accounts with comment data: {received} comments, {answered} answered ({rate}); "
              f"the other {len(lines) - len(known)} have no data and are left out of the totals.")


def summary_line(lines: Sequence[ResponseLine]) -> str:
    """The one-sentence 回应情况 of the 通报 draft ("" when the review lists no account)."""
    return (tr("互动回应方面，", "Answers to the public: ") + _note(lines)) if lines else ""


def html_section(lines: Sequence[ResponseLine]) -> str:
    """The 回应情况 block (a heading, a note and a table) for the HTML review."""
    if not lines:
        return ""
    nodata = tr("无数据", "no data")
    num = ' class="num"'
    rows = "".join(
        "<tr>" + "".join(f"<td{num if i >= 3 else ''}>{v}</td>" for i, v in enumerate((
            escape(ln.account), escape(term(ln.platform)), escape(ln.unit),
            fmt_int(ln.comments) if ln.comments is not None else f"—（{nodata}）", fmt_int(ln.answered),
            fmt_pct(ln.rate), _hours(ln.median_hours)))) + "</tr>"
        for ln in lines)
    head = "".join(f"<th>{escape(h)}</th>" for h in _heads())
    return (f'<h3 id="responses">{escape(tr(*TITLE))}</h3><p>{escape(_note(lines))}</p>'
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")


def write_sheet(ws: SheetRows, lines: Sequence[ResponseLine]) -> None:
    """The 回应情况 sheet of the workbook: one row per account, unknown cells left empty ("无数据")."""
    heads = _heads()
    ws.put_row(1, heads, [0] * len(heads))
    styles = [0, 0, 0, 0, 0, ws.style(number_format="0.0%"), 0]
    nodata = tr("无数据", "no data")
    for r, ln in enumerate(lines, 2):
        values = (ln.account, term(ln.platform), ln.unit, ln.comments if ln.comments is not None else nodata,
                  ln.answered, ln.rate, ln.median_hours)
        ws.put_row(r, [escape_cell(v) if isinstance(v, str) else v for v in values], styles)
    ws.put(len(lines) + 3, 1, _note(lines))
