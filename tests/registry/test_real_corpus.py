"""Real published lists (tests/fixtures/ledgers/real, sources in its README) import right as published, with
only --default-platform: name without @, platform, unit where the list gives one, status; and so do layout
mutations of each (columns shuffled, synonym headings, title and notes rows, merged cells, blanks, repeated
rows, @ names, status words)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from registry.ledger.tabular import Sheet, read_sheets
from tests.registry.real_corpus import LISTS, REAL, Account, expected_for, read, unit_merges

IDS = [lst.slug for lst in LISTS]


@pytest.mark.parametrize("lst", LISTS, ids=IDS)
@pytest.mark.parametrize("suffix", [".xlsx", "-gbk.csv"])
def test_each_real_list_imports_right_as_published(lst: Any, suffix: str) -> None:
    accounts, errors, _, _ = read(read_sheets(REAL / f"{lst.slug}{suffix}"), lst.default_platform)
    assert errors == []
    assert accounts == expected_for(lst, csv=suffix.endswith(".csv"))


def test_the_corpus_is_at_least_ten_lists_of_different_kinds() -> None:
    assert len(LISTS) >= 10 and len({lst.source for lst in LISTS}) >= 10
    assert sum(len(lst.expected) for lst in LISTS) >= 80
    readme = (REAL / "README.md").read_text(encoding="utf-8")
    assert all(lst.slug in readme and lst.source in readme for lst in LISTS)


def _grid(lst: Any) -> list[list[str]]:
    """The list as the xlsx reader gives it: titles, header, rows (merged cells filled), notes."""
    width = len(lst.headers)
    pad = [""] * (width - 1)
    return [*[[t, *pad] for t in lst.titles], list(lst.headers), *[list(r) for r in lst.rows],
            *[[n, *pad] for n in lst.notes]]


def _header_at(lst: Any) -> int:
    return len(lst.titles)


def _check(lst: Any, grid: list[list[str]], expected: list[Account], **kw: Any) -> list[str]:
    accounts, errors, warnings, notes = read([Sheet("s", grid, "utf-8")], lst.default_platform, **kw)
    assert errors == []
    assert sorted(accounts) == sorted(expected)
    return warnings + notes


@pytest.mark.parametrize("lst", LISTS, ids=IDS)
def test_columns_shuffled(lst: Any) -> None:
    grid = _grid(lst)
    h = _header_at(lst)
    order = list(reversed(range(len(lst.headers))))
    shuffled = [*grid[:h], *[[row[i] for i in order] for row in grid[h:len(grid) - len(lst.notes)]],
                *grid[len(grid) - len(lst.notes):]]
    _check(lst, shuffled, lst.expected)


#: Headings as other offices write them.
SYNONYMS = {
    "账号名称": "新媒体名称", "新媒体名称": "账号名称", "名称": "账号", "政务新媒体名称": "新媒体账号名称",
    "账号": "账号名称", "平台": "平台类型", "类型": "所属平台", "县（区）": "县(市、区)", "所属地区": "县区",
    "开设单位": "开办主体", "所属单位": "责任单位", "主办单位": "开设单位", "处置": "处理结果", "处理情况": "处置情况",
    "账号状态": "运营状态", "微博名称": "微博账号", "公众号名称": "公众号", "抖音账号": "抖音号名称", "序号": "编号",
}


@pytest.mark.parametrize("lst", LISTS, ids=IDS)
def test_headings_replaced_by_synonyms(lst: Any) -> None:
    grid = _grid(lst)
    h = _header_at(lst)
    grid[h] = [SYNONYMS.get(c, c) for c in grid[h]]
    _check(lst, grid, lst.expected)


@pytest.mark.parametrize("lst", LISTS, ids=IDS)
def test_title_and_notes_rows(lst: Any) -> None:
    width = len(lst.headers)
    pad = [""] * (width - 1)
    grid = [["附件2", *pad], ["政务新媒体账号情况统计表", *pad], ["填报单位（盖章）：", *pad], *_grid(lst),
            ["合计", f"{len(lst.rows)}个", *pad[1:]], ["注：1.账号名称以平台显示为准；", *pad],
            ["2.本表一式两份。", *pad], ["填表人：王某 联系电话：0311-83220000", *pad]]
    _check(lst, grid, lst.expected)


def _merged_xlsx(lst: Any, path: Path, columns: list[int]) -> Path:
    """The list with runs of equal cells in ``columns`` merged (value in the first cell only, as Excel keeps)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    grid = _grid(lst)
    h = _header_at(lst)
    for row in grid:
        ws.append(row)
    body = range(h + 1, h + 1 + len(lst.rows))
    for col in columns:
        start = body.start
        for r in [*body, body.stop]:
            if r < body.stop and grid[r][col] and grid[r][col] == grid[start][col]:
                continue
            if r - start > 1:
                ws.merge_cells(start_row=start + 1, start_column=col + 1, end_row=r, end_column=col + 1)
            start = r
    wb.save(path)
    return path


@pytest.mark.parametrize("lst", LISTS, ids=IDS)
def test_merged_cells(lst: Any, tmp_path: Path) -> None:
    """Runs of one platform, unit or status merged into one cell: each row still gets its value."""
    wanted = {"平台", "类型", "账号类型", "县（区）", "所属地区", "开设单位", "所属单位", "主办单位", "处置", "处理情况",
              "账号状态"}
    columns = [i for i, h in enumerate(lst.headers) if h in wanted]
    accounts, errors, _, _ = read(read_sheets(_merged_xlsx(lst, tmp_path / "m.xlsx", columns)), lst.default_platform)
    assert errors == [] and sorted(accounts) == sorted(lst.expected)


@pytest.mark.parametrize("lst", [lst for lst in LISTS if unit_merges(lst)], ids=lambda lst: lst.slug)
def test_blank_units_are_pending_unless_filled_down(lst: Any) -> None:
    """A CSV of a merged sheet: the unit only in each group's first row. Blank is not ditto: pending, the rows
    listed; --fill-down gives every row its unit and says which rows it filled."""
    grid = _grid(lst)
    h = _header_at(lst)
    for top, bottom, col in unit_merges(lst):
        for r in range(top + 1, bottom + 1):
            grid[h + 1 + r][col] = ""
    _check(lst, grid, expected_for(lst, csv=True))
    unit = unit_merges(lst)[0][2]
    filled, last = [], ""
    for row, account in zip(lst.rows, lst.expected, strict=True):  # --fill-down: every blank takes the unit above
        last = row[unit] or last
        filled.append((*account[:2], last, account[3]))
    told = _check(lst, grid, filled, fill_down=True)
    assert any("按上一行填写" in n for n in told)


@pytest.mark.parametrize("lst", LISTS, ids=IDS)
def test_repeated_rows_merge_with_a_note(lst: Any) -> None:
    grid = _grid(lst)
    h = _header_at(lst)
    at = next(i for i, r in enumerate(lst.rows) if len({c for c in r if c}) > 1)
    grid.insert(h + 2 + at, list(lst.rows[at]))  # the same row again, right below itself
    said = _check(lst, grid, lst.expected)
    assert any("是同一账号" in n and "已合并" in n for n in said)


NAME_DRESS = ("@{}", "《{}》", "“{}”", "\u3000{}\u3000", "＠{}", "'{}'")


@pytest.mark.parametrize("lst", LISTS, ids=IDS)
def test_at_names_quotes_and_full_width_spaces(lst: Any) -> None:
    grid = _grid(lst)
    h = _header_at(lst)
    from registry.ledger.mapping import guess_columns

    name = next(g.index for g in guess_columns(list(lst.headers), [list(r) for r in lst.rows]) if g.key == "name")
    for i, row in enumerate(grid[h + 1:h + 1 + len(lst.rows)]):
        if row[name] and not row[0].startswith(("一", "二", "三", "四", "五", "六", "（")):
            row[name] = NAME_DRESS[i % len(NAME_DRESS)].format(row[name].lstrip("@"))
    _check(lst, grid, lst.expected)


#: Status words as lists write them, with the lifecycle status each means.
STATUS_WORDS = (("注销", "deregistered"), ("已关停", "closed"), ("停更", "notice"), ("整改中", "rectifying"),
                ("正在履行注销（关闭）程序", "deregistered"), ("正常", "operating"), ("停止更新", "notice"),
                ("关停整合", "closed"))


def _one_row_each(lst: Any) -> bool:
    """Whether each account row is one expected account (no account repeated under two sections)."""
    return sum(1 for r in lst.rows if len({c for c in r if c}) > 1) == len(lst.expected)


@pytest.mark.parametrize("lst", [lst for lst in LISTS if _one_row_each(lst)], ids=lambda lst: lst.slug)
def test_status_words_in_a_处置_column(lst: Any) -> None:
    """A status under a heading of its own (处置), whatever words: closed accounts are never 运营中."""
    grid = _grid(lst)
    h = _header_at(lst)
    status_cols = [i for i, c in enumerate(grid[h]) if c in ("处置", "处理情况", "账号状态")]
    for row in grid:
        for i in reversed(status_cols):
            del row[i]
        row.append("")
    grid[h][-1] = "处置"
    expected = []
    accounts = iter(lst.expected)
    for i, row in enumerate(grid[h + 1:h + 1 + len(lst.rows)]):
        if len({c for c in row if c}) <= 1:  # a section row
            continue
        word, status = STATUS_WORDS[i % len(STATUS_WORDS)]
        row[-1] = word
        expected.append((*next(accounts)[:3], status))
    _check(lst, grid, expected)


def test_an_unknown_status_is_a_note_and_a_warning_not_a_refusal() -> None:
    lst = next(lst for lst in LISTS if lst.slug == "shandong-jiaojing-douyin")
    grid = _grid(lst)
    grid[_header_at(lst) + 1][3] = "待研究"
    expected = [(lst.expected[0][0], lst.expected[0][1], lst.expected[0][2], ""), *lst.expected[1:]]
    said = _check(lst, grid, expected)
    assert any("「待研究」无法识别为运营状态：已记入备注，状态不变" in w and "D列【账号状态】" in w for w in said)


#: Headings no synonym list names, read by the words in them (per ledger column of the base mapping).
WORDY = {"name": "新媒体账号名称（昵称）", "platform": "开设平台", "unit": "账号主办机构", "status": "运行状况",
         "seq": "序号"}


@pytest.mark.parametrize("lst", LISTS, ids=IDS)
def test_headings_no_synonym_names(lst: Any) -> None:
    from registry.ledger.mapping import guess_columns, heading_platform

    grid = _grid(lst)
    h = _header_at(lst)
    for g in guess_columns(list(lst.headers), [list(r) for r in lst.rows]):
        if g.key == "name" and heading_platform(g.heading):
            continue  # 微博名称 is where that list says its platform: kept
        if g.key in WORDY:
            grid[h][g.index] = WORDY[g.key]
        elif g.key is None:
            grid[h][g.index] = "问题类型"  # a column to ignore, whose heading says 类型 but whose values are not platforms
    _check(lst, grid, lst.expected)


def test_one_cell_naming_two_platforms_makes_two_accounts() -> None:
    lst = next(lst for lst in LISTS if lst.slug == "quanzhou-shishi")
    grid = _grid(lst)
    h = _header_at(lst)
    grid[h + 1][2] = "视频号、公众号"
    del grid[h + 2]
    said = _check(lst, grid, lst.expected)
    assert "第3行列出了多个平台，已按平台各登记一个账号" in said


def test_a_name_saying_another_platform_beats_the_default_and_is_said() -> None:
    """Issue 21, item 8: a name with 微博 under --default-platform 微信公众号 was imported as WeChat silently."""
    lst = next(lst for lst in LISTS if lst.slug == "sichuan-shijia")
    grid = _grid(lst)
    grid.insert(_header_at(lst) + 2, ["0", "四川发布微博"])
    said = _check(lst, grid, [("四川发布微博", "weibo", "", "operating"), *lst.expected])
    assert any("「四川发布微博」没有写平台，名称表明是新浪微博：按新浪微博登记（不是微信公众号）" in w for w in said)


def test_merged_platform_sections_and_a_status_after_the_name() -> None:
    """A section row merged across every column (微信公众号（2个）) is a section, not an account of that name;
    a status in brackets after the name (滹沱司法（已注销）) is the status, not part of the name."""
    grid = [["序号", "账号名称", "平台", "开设单位"], ["微信公众号（2个）"] * 4,
            ["1", "滹沱司法（已注销）", "", "滹沱县司法局"], ["2", "滹沱水利", "", "滹沱县水利局"], ["新浪微博"] * 4,
            ["3", "滹沱水利", "", "滹沱县水利局"]]
    accounts, errors, _, notes = read([Sheet("s", grid, "xlsx")], None)
    assert errors == [] and accounts == [("滹沱司法", "wechat", "滹沱县司法局", "deregistered"),
                                         ("滹沱水利", "wechat", "滹沱县水利局", "operating"),
                                         ("滹沱水利", "weibo", "滹沱县水利局", "operating")]
    assert "第2、5行是分类行（「微信公众号（2个）」、「新浪微博」），已跳过" in notes


def test_a_wide_list_one_column_per_platform() -> None:
    """The 永州 matrix as a 汇总表 lays it out: one row per account name, one column per platform holding the
    name there (无 or / where there is none). Each filled cell is an account on that column's platform."""
    lst = next(lst for lst in LISTS if lst.slug == "yongzhou-matrix")
    grid = [["永州市政务新媒体矩阵账号", "", "", "", "", ""], ["序号", "主办单位", "公众号", "视频号", "抖音号", "微博"],
            ["1", "", "永州人社", "无", "/", ""], ["2", "", "永州文旅", "永州文旅", "永州文旅", "永州文旅"]]
    accounts, errors, _, _ = read([Sheet("s", grid, "xlsx")], None)
    assert errors == [] and sorted(accounts) == sorted(lst.expected)
