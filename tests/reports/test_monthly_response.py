"""回应情况 in the monthly review: measured figures per account, "—"/无数据 (never 0) without a read thread."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import docx
import openpyxl

from registry.observations.responses import record_responses
from reports.monthly_build import build_monthly
from reports.render_html import render_html
from reports.render_xlsx import render_xlsx
from rules.evaluate import evaluate_at
from tests.reports.test_monthly_build import NOW, RULES, SETTINGS, TZ, P, add, day, observe


@dataclass(frozen=True)
class R:
    post_id: str
    checked_at: dt.datetime
    comments_seen: int | None
    comments_answered: int | None
    median_answer_delay_s: int | None
    oldest_unanswered_at: dt.datetime | None
    comments_open: bool | None = True
    first_answer_delay_s: int | None = None


async def test_response_section_and_columns(db: str, tmp_path: Path) -> None:
    talk = await add("gh_00000000000a", "回复号")
    await observe(talk, [P("1_1", day(3), reads=10), P("2_1", day(20), reads=10), P("3_1", day(28), reads=10),
                         P("4_1", day(29, 9), reads=10)])
    checked = day(31)
    await record_responses(talk, [
        R("1_1", checked, 6, 5, 3600, day(4)), R("2_1", checked, 4, 1, 7 * 3600, day(21)),
        R("3_1", checked, 0, 0, None, None),
        R("4_1", checked, 9, 0, None, day(30, 9)),  # September's post: not this month's
    ])
    silent = await add("gh_00000000000b", "未读号")  # comments counted but never read: no data
    await observe(silent, [P("s_1", day(5), reads=10, comments=12)])

    async def evaluate(moment: dt.datetime):  # type: ignore[no-untyped-def]
        return await evaluate_at(moment, SETTINGS)

    rep = await build_monthly("2026-10", county="测试县", tz=TZ, now=NOW, evaluate=evaluate, **RULES,
                              trend_months=1)
    lines = {ln.account: ln for ln in rep.responses}
    assert (lines["回复号"].comments, lines["回复号"].answered, lines["回复号"].median_hours) == (10, 6, 4.0)
    assert lines["回复号"].rate == 0.6
    assert (lines["未读号"].comments, lines["未读号"].answered, lines["未读号"].rate) == (None, None, None)
    rows = {d.name: d for d in rep.details}
    assert (rows["回复号"].comments, rows["回复号"].answer_rate) == (10, 0.6)
    assert (rows["未读号"].comments, rows["未读号"].answer_rate) == (None, None)
    html = render_html(rep)
    assert "回应情况" in html and "—（无数据）" in html and "60.0%" in html
    assert "共收到留言10条，已回复6条，回复率60.0%" in html and "其余1个账号无数据" in html
    from reports.render_docx import render_docx

    text = "\n".join(p.text for p in docx.Document(str(render_docx(rep, tmp_path / "r.docx"))).paragraphs)
    assert "互动回应方面，本月有留言数据的账号1个，共收到留言10条，已回复6条，回复率60.0%" in text
    wb = openpyxl.load_workbook(render_xlsx(rep, tmp_path / "r.xlsx"))
    sheet = {row[0]: row for row in wb["回应情况"].iter_rows(min_row=2, values_only=True) if row[0]}
    assert sheet["回复号"][3:7] == (10, 6, 0.6, 4.0)
    assert sheet["未读号"][3:7] == ("无数据", None, None, None)

