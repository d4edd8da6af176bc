"""The monthly submission workbook (`govmedia collect template`): one unit's manual accounts, pre-filled.

The first sheet (报送数据) has exactly the columns `collect import` reads, in its order (handed in by
the composition root from `collectors.manual`), so a filled template imports as it is; the second
sheet (填报说明) tells the unit how to fill it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

from registry.db.models import Account
from registry.ledger.accounts import record_id
from registry.ledger.tabular import escape_cell
from reports.registry_lists import platform_label

DATA_SHEET = "报送数据"
NOTES_SHEET = "填报说明"


def account_cell(account: Account, duplicate_names: set[str]) -> str:
    """What identifies the account in the 账号 column: its name when unique, else platform:uid (or its id)."""
    name = account.name
    if name not in duplicate_names and ":" not in name and record_id(name) is None:
        return name
    return account.ref if account.uid else str(account.id)


def template_rows(columns: Mapping[str, str], accounts: Sequence[Account], duplicate_names: set[str],
                  day: dt.date) -> list[list[str]]:
    """One row per account: who it is and the month's last day, for its month-end follower count."""
    rows = []
    for a in accounts:
        values = {"account": account_cell(a, duplicate_names), "platform": platform_label(a.platform),
                  "uid": a.uid or "", "date": day.isoformat()}
        rows.append([values.get(key, "") for key in columns])
    return rows


def notes(columns: Mapping[str, str], *, county: str, unit: str, month: str, day: dt.date) -> list[str]:
    """The 填报说明 lines."""
    h = columns
    return [
        f"{county or '本县'}政务新媒体月度报送表（{unit or '全部单位'}，{month}）",
        "",
        f"1. 只填写第一张工作表“{DATA_SHEET}”，不要改动列名、不要删除列、不要插入标题行。",
        f"2. 每个账号已预填一行（{h['date']} {day.isoformat()}）：请在“{h['followers']}”填写该日粉丝数。"
        "确实无法获取的，删除这一行。",
        f"3. 当月每发布一篇（条），另起一行：复制该账号的“{h['account']}”“{h['platform']}”“{h['uid']}”三格，"
        f"填写“{h['date']}”（如 {month}-05 或 {month}-05 09:30）、“{h['title']}”或“{h['url']}”，"
        f"以及能看到的“{h['reads']}”“{h['likes']}”“{h['shares']}”“{h['comments']}”。",
        "4. 不知道的数字留空，不要填 0：留空表示“不知道”，0 表示“确实为零”。数字只填整数。",
        "5. 日期不能晚于报送当天。",
        "6. 填好后交回县政务公开办，由公开办运行 govmedia collect import 导入；"
        "有错误时会指出第几行哪一列，整张表改正后重新导入即可。",
        "",
        "示例（第 3 点的一行）：",
        "  ".join(f"{h[k]}={v}" for k, v in (("date", f"{month}-05 09:30"), ("title", "关于某项工作的通知"),
                                              ("reads", "1234"), ("likes", "12"))),
    ]


def write_template(path: Path, columns: Mapping[str, str], rows: Sequence[Sequence[str]], lines: Sequence[str]) -> None:
    """Write the workbook: the data sheet first (the one `collect import` reads), then the notes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = DATA_SHEET
    headers = list(columns.values())
    ws.append(headers)
    for row in rows:
        ws.append([escape_cell(v) for v in row])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for i, header in enumerate(headers, start=1):
        width = max([len(header) * 2 + 2] + [len(r[i - 1]) * 2 for r in rows if len(r) >= i] + [10])
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = min(width, 40)
        for r in range(2, len(rows) + 200):
            ws[f"{letter}{r}"].number_format = "@"  # text: 日期 and IDs stay as typed
    info = wb.create_sheet(NOTES_SHEET)
    for line in lines:
        info.append([line])
    info.column_dimensions["A"].width = 120
    wb.save(path)
