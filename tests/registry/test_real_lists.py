"""Lists laid out like the ones county offices publish (tests/fixtures/ledgers): each parses into the right
rows, imports through the CLI, and every problem is named by its real spreadsheet row and column."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from registry.ledger.layout import locate
from registry.ledger.tabular import TableError, read_sheets
from registry.ledger.validation import validate_rows
from registry.ledger.vocab import Platform, parse_platform
from tests.clikit import Invoke, invoker

TODAY = dt.date(2026, 12, 1)
LISTS = Path(__file__).resolve().parents[1] / "fixtures" / "ledgers"
# (row, name, platform, uid, unit, unit kind, account type) per list with real IDs.
SUMMARY = [
    (5, "滹沱教育", "wechat", "gh_1a2b3c4d5e60", "滹沱县教育局", "department", ""),
    (6, "滹沱教育发布", "weibo", "5718301791", "滹沱县教育局", "department", ""),  # full-width UID folded
    (7, "滹沱教育", "douyin", "hutuojiaoyu", "滹沱县教育局", "department", ""),  # merged unit cell
    (8, "健康滹沱", "kuaishou", "hutuojiankang", "滹沱县卫生健康局", "department", ""),
    (9, "健康滹沱", "xiaohongshu", "5f1e2d3c4b5a", "滹沱县卫生健康局", "department", ""),  # 同上
    (10, "滹沱文旅", "bilibili", "3546789", "滹沱县文化广电和旅游局", "department", ""),
    (11, "滹沱文旅", "baijiahao", "1712345678901234", "滹沱县文化广电和旅游局", "department", ""),
    (13, "滹沱镇发布", "wechat", "gh_0a1b2c3d4e5f", "滹沱镇人民政府", "township", "订阅号"),
    # Platform in brackets; its unit cell is blank and not merged: blank is not ditto (issue 21), so the
    # account is pending (待核实) and takes no level from the section row.
    (14, "滹沱镇", "weibo", "5718301792", "待核实", "", ""),
]
PROBLEMS = [
    (3, "滹沱交通", "wechat", "gh_2b3c4d5e6f70", "滹沱县交通运输局", "", ""),
    (4, "滹沱交通", "weibo", "5718301793", "滹沱县交通运输局", "", ""),  # merged unit (.xls)
    (5, "滹沱交通", "toutiao", "hutuojiaotong", "滹沱县交通运输局", "", ""),
    (6, "平安滹沱", "weibo", "5718301794", "滹沱县公安局", "", ""),
    (7, "平安滹沱", "channels", "sph_pingan", "滹沱县公安局", "", ""),
]
SURVEY = [
    (4, "滹沱市场监管", "wechat", "gh_3c4d5e6f7081", "滹沱县市场监督管理局", "department", ""),  # full-width 原始ID
    (5, "滹沱市场监管", "weibo", "5718301795", "滹沱县市场监督管理局", "department", ""),
    (6, "滹沱应急", "wechat", "gh_4d5e6f708192", "滹沱县应急管理局", "department", ""),
    (7, "滹沱应急", "bilibili", "3546790", "待核实", "", ""),  # blank unit: pending unless --fill-down (issue 21)
]


def parse(name: str, default_platform: Platform | None = None) -> tuple[list[tuple[object, ...]], list[str], list[str]]:
    found = locate(read_sheets(LISTS / name))
    parsed = validate_rows(found.headers, found.rows, TODAY, header_row=found.header_row,
                           default_platform=default_platform)
    rows = [(n, r["name"], r["platform"], r["uid"], r["unit"], r["unit_kind"], r["account_type"])
            for n, r in parsed.records]
    return rows, found.notes, [str(e) for e in parsed.errors]


@pytest.mark.parametrize(("name", "expected"), [("huizong.xlsx", SUMMARY), ("wenti.xls", PROBLEMS),
                                                 ("paicha-gbk.csv", SURVEY)])
def test_each_published_layout_parses_into_the_right_rows(name: str, expected: list[tuple[object, ...]]) -> None:
    rows, _notes, errors = parse(name)
    assert errors == []
    assert rows == expected


def test_the_reader_says_what_it_skipped_and_filled() -> None:
    _, notes, _ = parse("huizong.xlsx")
    assert notes[0] == "工作表 填报说明 没有表头，已读取工作表「账号汇总」（可用 --sheet 指定）"
    assert notes[1].startswith("第1行「滹沱县政务新媒体账号汇总表」、第2行「监测时间：") and notes[1].endswith("表头在第3行")
    assert "第4、12行是分类行（「一、县直部门」、「二、乡镇」），已跳过" in notes
    assert "第15行是合计行（「合计」），已跳过" in notes
    assert any(n.startswith("第16–17行是注释/落款行") for n in notes)
    # Only 同上 is ditto (issue 21): the blank row 14 is no longer filled from the row above.
    assert "第9、11行【开办主体】为「同上」或按要求向下填充，已按上一行填写" in notes
    _, notes, _ = parse("paicha-gbk.csv")
    assert "第3行是分类行（「一 县直单位」），已跳过" in notes and "第8行是合计行（「合计」），已跳过" in notes


def test_a_name_only_list_parses_every_row_as_pending() -> None:
    rows, notes, errors = parse("tongbao-unicode.txt", Platform.WECHAT)
    # Row 7's blank unit stays blank (pending), only row 5's 同上 is filled (issue 21: blank is not ditto).
    assert errors == [] and "第5行【开办主体】为「同上」或按要求向下填充，已按上一行填写" in notes
    assert [r[0] for r in rows] == [4, 5, 6, 7] and all(r[3] == "" for r in rows)  # no id: 待补全
    assert rows[1][2] == "weibo"  # （政务微博） in the name


@pytest.fixture
def gm(migrated_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """`govmedia --db URL …` on a migrated database: these tests are about the commands, not the schema."""
    return invoker(migrated_db_url, tmp_path, monkeypatch)


def test_published_lists_import_with_exit_0_and_twice_changes_nothing(gm) -> None:  # type: ignore[no-untyped-def]
    for name, n in (("huizong.xlsx", 9), ("wenti.xls", 5), ("paicha-gbk.csv", 4)):
        dry = gm("accounts", "import", str(LISTS / name), "--dry-run")
        assert f"新增 {n}，" in dry and "试运行" in dry and "是标题，已跳过" in dry
        assert f"新增 {n}，" in gm("accounts", "import", str(LISTS / name))
        assert f"新增 0，变更 0，未变 {n}" in gm("accounts", "import", str(LISTS / name))
    items = json.loads(gm("accounts", "list", "--format", "json"))
    assert len(items) == 18
    assert {i["platform_code"] for i in items} >= {"kuaishou", "xiaohongshu", "baijiahao", "bilibili"}
    assert "同上" not in {i["unit"] for i in items}


def test_name_only_list_through_the_cli(gm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = gm("accounts", "import", str(LISTS / "tongbao-unicode.txt"), "--default-platform", "微信公众号")
    assert "新增 4，变更 0，未变 0" in out and "待补全" in out
    again = gm("accounts", "import", str(LISTS / "tongbao-unicode.txt"), "--default-platform", "微信公众号")
    assert "新增 0，变更 0，未变 4" in again
    pending = json.loads(gm("accounts", "list", "--format", "json"))
    assert len(pending) == 4 and all(i["uid"] is None and i["pending"] for i in pending)
    # The office finds the ids: the exported ledger with the 账号ID column filled completes the same accounts.
    gm("accounts", "export", str(tmp_path / "out.csv"))
    import csv

    with (tmp_path / "out.csv").open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    uid_col = table[0].index("账号ID")
    fresh = {"wechat": (f"gh_0a0b0c0d0e0{n}" for n in range(10)), "weibo": (f"500000000{n}" for n in range(10)),
             "douyin": (f"dy_hutuo_{n}" for n in range(10))}
    platform_col = table[0].index("平台")
    for row in table[1:]:
        platform = parse_platform(row[platform_col])
        assert platform is not None
        row[uid_col] = next(fresh[platform.value])
    with (tmp_path / "ids.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(table)
    assert "新增 0，变更 4，未变 0" in gm("accounts", "import", str(tmp_path / "ids.csv"))
    done = json.loads(gm("accounts", "list", "--format", "json"))
    assert {i["id"] for i in done} == {i["id"] for i in pending} and all(i["uid"] for i in done)
    # Row 7's blank unit is not ditto (issue 21): that account stays pending for its unit.
    assert [i["name"] for i in done if i["pending"]] == ["滹沱民政"]
    assert "新增 0，变更 0，未变 4" in gm("accounts", "import", str(LISTS / "tongbao-unicode.txt"),
                                        "--default-platform", "微信公众号")
    # The title says （微信公众号）: without --default-platform the rows whose names say none take it from there.
    out = gm("accounts", "import", str(LISTS / "tongbao-unicode.txt"), "--dry-run")
    assert "按标题取平台为微信公众号" in out and "新增 0，变更 0，未变 4" in out
    # Issue 21: a row without a platform is no longer an error; the account would be pending (平台 其他).
    untitled = tmp_path / "untitled.txt"
    text = (LISTS / "tongbao-unicode.txt").read_text(encoding="utf-16")
    untitled.write_text(text.replace("（微信公众号）", ""), encoding="utf-16")
    out = gm("accounts", "import", str(untitled), "--dry-run")
    assert "没有平台" in out and "--default-platform" in out and "待补全，缺：平台、账号ID" in out
    out = gm("accounts", "import", str(LISTS / "tongbao-unicode.txt"), "--default-platform", "脸书", code=2)
    assert "平台「脸书」无法识别：可用 微信公众号/新浪微博/微信视频号/抖音/今日头条/快手/小红书/百家号/哔哩哔哩/其他" in out


def test_sheet_option_and_file_errors_in_chinese_and_english(gm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = gm("accounts", "import", str(LISTS / "huizong.xlsx"), "--sheet", "填报说明", code=2)
    assert "工作表「填报说明」前30行没有表头" in out
    out = gm("accounts", "import", str(LISTS / "huizong.xlsx"), "--sheet", "汇总", code=2)
    assert "没有名为「汇总」的工作表：本文件的工作表有 「填报说明」、「账号汇总」" in out
    assert "新增 9" in gm("accounts", "import", str(LISTS / "huizong.xlsx"), "--sheet", "账号汇总", "--dry-run")
    assert "找不到文件" in gm("accounts", "import", str(tmp_path / "没有.xlsx"), code=2)
    doc = tmp_path / "名单.docx"
    doc.write_bytes(b"PK")
    assert "不支持的文件类型「.docx」：请在 Excel/WPS 中另存为 .xlsx、.xls 或 .csv" in gm("accounts", "import", str(doc), code=2)
    assert "unsupported file type '.docx'" in gm("accounts", "import", str(doc), code=2, lang="en")
    bad = tmp_path / "坏.xls"
    bad.write_bytes(b"not a workbook at all")
    assert "不是可读取的 .xls 工作簿" in gm("accounts", "import", str(bad), code=2)
    assert "file not found" in gm("accounts", "import", str(tmp_path / "none.xls"), code=2, lang="en")


def _xlsx(path: Path, rows: list[list[str]]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_title_row_above_the_standard_header_and_errors_name_row_and_column(tmp_path: Path) -> None:
    """The issue's report: a title row gave `第1行 【账号名称】 缺少必需的列：''` four times."""
    path = _xlsx(tmp_path / "t.xlsx", [
        ["滹沱县政务新媒体台账"],
        ["账号名称", "平台", "账号ID", "主办单位", "开设日期"],
        ["滹沱发布", "脸书", "x1", "滹沱县人民政府", ""],
        ["滹沱发布", "政务微博", "５７１８３０１７９１", "滹沱县人民政府", "2026-13-01"],
        ["滹沱发布2", "微博", "5718301791", "滹沱县人民政府", ""],
        ["同上", "抖音", "abc", "滹沱县人民政府", ""],
    ])
    found = locate(read_sheets(path))
    assert found.header_row == 2
    parsed = validate_rows(found.headers, found.rows, TODAY, header_row=2)
    errors = [str(e) for e in parsed.errors]
    # Issue 21: an unknown platform is no longer a refusal but a warning; the account is 其他, pending.
    assert parsed.warnings[0].startswith("第3行 B列【平台】「脸书」不是可识别的平台")
    assert errors == [
        "第4行 E列【开设日期】 日期格式应为 YYYY-MM-DD：'2026-13-01'",
        "第6行 A列【账号名称】 「同上」只能用于单位等共用信息：请填写本账号自己的内容",
    ]
    path = _xlsx(tmp_path / "t2.xlsx", [["标题"], ["账号名称", "平台", "账号ID", "主办单位"],
                                        ["a", "微博", "５７１８３０１７９１", "某局"], ["b", "微博", "5718301791", "某局"]])
    found = locate(read_sheets(path))
    errors = [str(e) for e in validate_rows(found.headers, found.rows, TODAY, header_row=2).errors]
    # Issue 21: the same id under two names is a conflicting claim; the error names the column that differs.
    assert len(errors) == 1 and errors[0].startswith("第4行 A列【账号名称】 与第3行是同一账号") and "「a」" in errors[0]


def test_sections_that_name_a_platform_and_a_missing_header() -> None:
    grid = [["序号", "名称", "开办主体", "原始ID"], ["一、政务微博（2个）", "", "", ""],
            ["1", "平安滹沱", "滹沱县公安局", "5718301794"], ["二、微信公众号", "", "", ""],
            ["2", "平安滹沱", "滹沱县公安局", "gh_2b3c4d5e6f70"], ["3", "平安滹沱", "", "gh_2b3c4d5e6f71"],
            ["三、抖音", "", "", ""], ["4", "平安滹沱", "", "pinganhutuo"]]
    from registry.ledger.tabular import Sheet

    found = locate([Sheet("s", grid, "utf-8")])
    parsed = validate_rows(found.headers, found.rows, TODAY, header_row=found.header_row)
    # A blank unit continues its own group only: the row under a new section does not inherit across it,
    # so its owner unit is not known yet (待核实, a pending account).
    # Issue 21: a blank is not ditto either, so row 6 is pending too.
    assert [(r["platform"], r["unit"]) for _, r in parsed.records] == [
        ("weibo", "滹沱县公安局"), ("wechat", "滹沱县公安局"), ("wechat", "待核实"), ("douyin", "待核实")]
    assert parsed.errors == []
    assert "第3、5–6、8行【平台】按所在分类行填写" in found.notes
    with pytest.raises(TableError, match="没有找到表头"):
        locate([Sheet("s", [["标题"], ["甲", "乙"]], "utf-8")])


def test_a_two_row_header_with_merged_contact_headings(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for r in (["序号", "新媒体名称", "平台", "原始ID", "主办单位", "管理员", None],
              [None, None, None, None, None, "姓名", "联系电话"],
              [1, "滹沱教育", "微信", "gh_1a2b3c4d5e60", "滹沱县教育局", "李明", "13100000001"]):
        ws.append(r)
    for ref in ("A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:E2", "F1:G1"):
        ws.merge_cells(ref)
    wb.save(tmp_path / "two.xlsx")
    found = locate(read_sheets(tmp_path / "two.xlsx"))
    assert found.headers[5:] == ["管理员", "管理员电话"] and [n for n, _ in found.rows] == [3]
    parsed = validate_rows(found.headers, found.rows, TODAY, header_row=found.header_row)
    record = parsed.records[0][1]
    assert (record["operator"], record["operator_phone"], record["unit"]) == ("李明", "13100000001", "滹沱县教育局")


def test_a_column_taken_from_section_rows_has_no_letter() -> None:
    from registry.ledger.tabular import Sheet

    grid = [["名称", "平台", "原始ID", "单位"], ["一、县直部门", "", "", ""], ["滹沱教育", "微信", "gh_1a2b3c4d5e60", "滹沱县教育局"],
            ["二、乡镇", "", "", ""], ["滹沱教育2", "微信", "gh_1a2b3c4d5e61", "滹沱县教育局"]]
    found = locate([Sheet("s", grid, "utf-8")])
    assert found.headers[-1] == "单位类型" and found.file_columns == 4
    parsed = validate_rows(found.headers, found.rows, TODAY, header_row=1, file_columns=found.file_columns)
    assert [str(e) for e in parsed.errors] == ["第5行 【单位类型】 与第3行同一单位的类型不一致：'乡镇'"]


def test_a_workbook_is_read_by_its_content_not_its_name(tmp_path: Path) -> None:
    (tmp_path / "汇总.xls").write_bytes((LISTS / "huizong.xlsx").read_bytes())
    (tmp_path / "清单.xlsx").write_bytes((LISTS / "wenti.xls").read_bytes())
    assert [s.name for s in read_sheets(tmp_path / "汇总.xls")] == ["填报说明", "账号汇总"]
    assert len(locate(read_sheets(tmp_path / "清单.xlsx")).rows) == 5


def test_same_as_above_with_nothing_above_is_an_error_not_a_unit() -> None:
    from registry.ledger.tabular import Sheet

    grid = [["名称", "平台", "原始ID", "主办单位"], ["一、县直部门", "", "", ""], ["滹沱教育", "微信", "gh_1a2b3c4d5e60", "同上"]]
    found = locate([Sheet("s", grid, "utf-8")])
    parsed = validate_rows(found.headers, found.rows, TODAY, header_row=1)
    assert [(e.row, e.letter, e.reason[:12]) for e in parsed.errors] == [(3, "D", "「同上」上方没有可参照的")]
    assert parsed.records == []


@pytest.mark.parametrize("cut", [8, 600, 3000])
def test_a_damaged_xls_is_a_chinese_error(tmp_path: Path, cut: int) -> None:
    damaged = tmp_path / "坏.xls"
    damaged.write_bytes((LISTS / "wenti.xls").read_bytes()[:cut])
    with pytest.raises(TableError, match=r"请在 Excel/WPS 中打开后另存为 \.xlsx"):
        read_sheets(damaged)
