"""The kinds of layout the third blind batch of real lists (README, batch 3) found unread, each varied beyond
the list it came from: the platform said only in the title, a two-level header whose sub-labels sit under a
heading spanning columns, and a status heading no synonym names over free-text status phrases. The lists
themselves are imported in test_real_corpus.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from registry.ledger.header_rows import title_platform, two_row_header
from registry.ledger.mapping import fuzzy_key
from registry.ledger.tabular import Sheet, read_sheets
from registry.ledger.vocab import Platform, platforms_mentioned
from tests.registry.real_corpus import read

Account = tuple[str, str, str, str]


def _read(grid: list[list[str]], default_platform: str | None = None) -> tuple[list[Account], list[str], list[str]]:
    accounts, errors, warnings, notes = read([Sheet("s", grid, "utf-8")], default_platform)
    return accounts, errors, warnings + notes


@pytest.mark.parametrize(("title", "platform"), [
    ("湖北政务微博2022年11月榜（TOP30摘录）", "weibo"), ("全国市场监管领域政务快手号影响力榜单", "kuaishou"),
    ("某市政务抖音号月度排行", "douyin"), ("全县政务新媒体检查情况通报（微信公众号）", "wechat"),
    ("某省政务头条号影响力榜", "toutiao"), ("某市十佳政务视频号", "channels"),
])
def test_the_platform_said_only_in_the_title(title: str, platform: str) -> None:
    grid = [[title, "", ""], ["名次", "账号", "说明"], ["1", "@某县发布", "榜首"], ["2", "某县公安", ""],
            ["", "某县气象", "跌出榜单"]]
    accounts, errors, said = _read(grid)
    assert errors == []
    assert accounts == [(n, platform, "", "operating") for n in ("某县发布", "某县公安", "某县气象")]
    assert any("按标题取平台为" in s for s in said)


def test_a_title_naming_two_platforms_gives_none_and_the_row_platform_wins() -> None:
    grid = [["某市政务微博、微信综合榜", "", ""], ["名次", "账号", "说明"], ["1", "某县发布", ""]]
    accounts, errors, _ = _read(grid)
    assert errors == [] and accounts == [("某县发布", "other", "", "operating")]
    # Two titles naming one platform each are two platforms too.
    assert title_platform(["某市政务微博榜", "数据来源：某公司（微信）"]) is None
    assert title_platform(["某市政务微博榜", "统计时间：2022年7月"]) is Platform.WEIBO
    assert platforms_mentioned("微信视频号十佳") == {Platform.CHANNELS}


def test_a_platform_column_a_name_heading_and_the_option_beat_the_title() -> None:
    title = ["某市政务微博排行榜", "", ""]
    accounts, _, _ = _read([title, ["序号", "账号名称", "平台"], ["1", "某县发布", "抖音"]])
    assert accounts == [("某县发布", "douyin", "", "operating")]
    accounts, _, _ = _read([title, ["序号", "公众号名称", "说明"], ["1", "某县发布", ""]])
    assert accounts == [("某县发布", "wechat", "", "operating")]
    accounts, _, _ = _read([title, ["序号", "账号名称", "说明"], ["1", "某县发布", ""]], "今日头条")
    assert accounts == [("某县发布", "toutiao", "", "operating")]


@pytest.mark.parametrize(("top", "sub"), [
    (["主办单位", "抖音号", "影响力排名", ""], ["", "", "全国", "全省"]),
    (["序号", "账号名称", "平台", "粉丝数", "", "备注"], ["", "", "", "本月", "上月", ""]),
    (["账号名称", "平台", "检查结果", "", "", "开设单位"], ["", "", "更新", "互动", "错敏字", ""]),
])
def test_a_two_level_header_saved_as_csv(top: list[str], sub: list[str]) -> None:
    """The spanning heading in its first column only, the cells right of it blank (as a CSV keeps a merge):
    the labels under it are headings, not an account row with no name."""
    name = next(i for i, h in enumerate(top) if h in ("抖音号", "账号名称"))
    row = ["" for _ in top]
    row[name] = "某县发布"
    for i, h in enumerate(top):
        row[i] = {"主办单位": "某县市场监管局", "开设单位": "某县市场监管局", "平台": "抖音", "序号": "1"}.get(h, row[i])
    accounts, errors, said = _read([["某市政务新媒体情况", *[""] * (len(top) - 1)], top, sub, row])
    assert errors == []
    unit = "某县市场监管局" if {"主办单位", "开设单位"} & set(top) else ""
    assert accounts == [("某县发布", "douyin", unit, "operating")]
    assert any("表头占第2–3行" in s for s in said)


def test_a_two_level_header_in_xlsx(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for r in (["主办单位", "抖音号", "影响力排名", None], [None, None, "全国", "全省"],
              ["阳泉市某局", "某县市监", 13, 1], ["某县某局", "某县发布", 20, 2]):
        ws.append(r)
    for ref in ("A1:A2", "B1:B2", "C1:D1"):
        ws.merge_cells(ref)
    wb.save(tmp_path / "two.xlsx")
    accounts, errors, _, _ = read(read_sheets(tmp_path / "two.xlsx"), None)
    assert errors == [] and accounts == [("某县市监", "douyin", "阳泉市某局", "operating"),
                                         ("某县发布", "douyin", "某县某局", "operating")]


@pytest.mark.parametrize("below", [
    ["", "某县发布", "", ""],            # an account row: it has a name
    ["", "", "13", "1"],                 # numbers are data, not labels
    ["", "", "全国", ""],                 # the headings span nothing: 影响力排名 heads one column
])
def test_rows_that_are_no_second_header(below: list[str]) -> None:
    top = ["主办单位", "抖音号", "影响力排名", "备注"] if below == ["", "", "全国", ""] else ["主办单位", "抖音号", "影响力排名", ""]
    assert two_row_header([top, below], 0) is None


def test_a_broken_row_under_a_one_level_header_is_still_refused() -> None:
    grid = [["序号", "账号名称", "平台", "开设单位"], ["1", "", "微信公众号", "某县民政局"], ["2", "某县发布", "微信公众号", "某县政府办"]]
    _, errors, _ = _read(grid)
    assert any("第2行" in e and "B列" in e for e in errors)


@pytest.mark.parametrize("heading", ["运行状况", "运营状况", "账号状况"])
def test_a_status_heading_over_phrases_with_dates(heading: str) -> None:
    assert fuzzy_key(heading) == "status"
    grid = [["序号", "账号名称", "平台", heading], ["1", "某县发布", "新浪微博", "5月16日起停止发布信息，并启动注销关停程序"],
            ["2", "某县政府", "新浪微博", "5月11日起关停"], ["3", "某县公安", "新浪微博", "正常"]]
    accounts, errors, _ = _read(grid)
    assert errors == []
    assert accounts == [("某县发布", "weibo", "", "deregistered"), ("某县政府", "weibo", "", "closed"),
                        ("某县公安", "weibo", "", "operating")]


def test_a_状况_column_of_problems_is_not_a_status() -> None:
    grid = [["序号", "账号名称", "平台", "检查状况"], ["1", "某县发布", "新浪微博", "栏目长期空白，多篇文章链接无法打开"],
            ["2", "某县政府", "新浪微博", "互动回复不及时"]]
    accounts, errors, _ = _read(grid)
    assert errors == [] and [a[3] for a in accounts] == ["operating", "operating"]
