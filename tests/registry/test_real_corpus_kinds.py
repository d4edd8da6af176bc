"""The kinds of layout the blind batch of real lists (README, batch 2) found unread, each varied beyond the
list it came from: a platform named inside a section row, a name heading ending in 账号, a bare platform word
heading the name column beside other columns. The lists themselves are imported in test_real_corpus.py."""

from __future__ import annotations

import pytest

from registry.ledger.mapping import fuzzy_key, heading_platform
from registry.ledger.tabular import Sheet
from registry.ledger.vocab import Platform, platform_mentioned
from tests.registry.real_corpus import read


def _read(grid: list[list[str]], default_platform: str | None = None) -> tuple[list[tuple[str, str, str, str]], list[str]]:
    accounts, errors, _, _ = read([Sheet("s", grid, "utf-8")], default_platform)
    return accounts, errors


@pytest.mark.parametrize(("text", "platform"), [
    ("官方微信月榜", Platform.WECHAT), ("官方微博月榜", Platform.WEIBO), ("（二）政务抖音排行", Platform.DOUYIN),
    ("微信视频号十佳", Platform.CHANNELS), ("头条号榜单", Platform.TOUTIAO),
    ("微信微博综合榜", None), ("县直部门", None), ("", None),
])
def test_a_platform_named_inside_longer_text(text: str, platform: Platform | None) -> None:
    assert platform_mentioned(text) is platform


def test_sections_naming_their_platform_inside_a_phrase_give_it_to_their_rows() -> None:
    grid = [["名次", "账号", "备注"], ["本月政务微博榜", "", ""], ["1", "@某县发布", ""], ["2", "某县公安", "新上榜"],
            ["抖音号榜单", "", ""], ["1", "某县发布", ""], ["微信微博综合", "", ""], ["1", "某县气象", ""]]
    accounts, errors = _read(grid)
    assert errors == []
    # The same name in two sections of different platforms is two accounts; a section naming two platforms
    # gives none (the row is pending, platform 其他), never the platform of the section above.
    assert sorted(accounts) == sorted([("某县发布", "weibo", "", "operating"), ("某县公安", "weibo", "", "operating"),
                                       ("某县发布", "douyin", "", "operating"), ("某县气象", "other", "", "operating")])


@pytest.mark.parametrize("heading", ["获奖账号", "上榜账号", "参评帐号", "政务账号", "微博账号"])
def test_a_heading_ending_in_账号_is_the_name(heading: str) -> None:
    assert fuzzy_key(heading) == "name"


@pytest.mark.parametrize(("heading", "key"), [("账号类型", "platform"), ("账号ID", "uid"), ("管理员账号", None)])
def test_other_账号_headings_keep_their_meaning(heading: str, key: str | None) -> None:
    assert fuzzy_key(heading) == key


@pytest.mark.parametrize(("heading", "platform"), [
    ("微信订阅号", Platform.WECHAT), ("微信服务号", Platform.WECHAT), ("政务微博", Platform.WEIBO),
    ("抖音号", Platform.DOUYIN), ("公众号名称", Platform.WECHAT),
])
def test_platform_words_head_a_name_column(heading: str, platform: Platform) -> None:
    assert heading_platform(heading) is platform


def test_微信号_stays_an_identifier_heading() -> None:
    # 微信号 in a ledger is the account's WeChat ID, not a column of names.
    assert heading_platform("微信号") is None


@pytest.mark.parametrize("heading", ["微信订阅号", "政务微博", "抖音号"])
def test_a_bare_platform_heading_beside_a_problem_column_is_the_header(heading: str) -> None:
    grid = [["检查发现的问题账号", "", ""], ["序号", heading, "问题类型"], ["1", "某县人社", "链接无法访问"],
            ["2", "某县文旅", "栏目更新不及时"]]
    accounts, errors = _read(grid)
    platform = {"微信订阅号": "wechat", "政务微博": "weibo", "抖音号": "douyin"}[heading]
    assert errors == []
    assert sorted(accounts) == [("某县人社", platform, "", "operating"), ("某县文旅", platform, "", "operating")]


def test_a_one_column_list_of_names_still_has_its_header() -> None:
    accounts, errors = _read([["新媒体名称"], ["某县发布"], ["某县公安"]], "微信公众号")
    assert errors == []
    assert sorted(accounts) == [("某县公安", "wechat", "", "operating"), ("某县发布", "wechat", "", "operating")]


def test_a_source_line_under_the_list_is_a_note_not_a_section() -> None:
    accounts, errors, _, notes = read([Sheet("s", [["排名", "公众号名称"], ["1", "某县发布"], ["2", "某县公安"],
                                                  ["数据来源：某数据公司；统计时间2022年7月", "数据来源：某数据公司；统计时间2022年7月"]],
                                            "utf-8")], None)
    assert errors == [] and len(accounts) == 2
    assert not any("分类行" in n for n in notes) and any("数据来源" in n for n in notes)


def test_a_long_title_in_a_note_is_marked_where_it_was_cut() -> None:
    title = "某省政务微博月度影响力榜单（某报社新媒体中心、某数据研究院联合发布）"
    _, errors, _, notes = read([Sheet("s", [[title, ""], ["序号", "微博名称"], ["1", "某县发布"]], "utf-8")], None)
    assert errors == []
    assert any("…」是标题" in n for n in notes)
