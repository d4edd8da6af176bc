"""General misspellings from jieba's dictionary: non-words one homophone or shape away from a frequent word."""

from __future__ import annotations

import pytest

from rules.content import words
from rules.content.words import WordChecker, word_checker


@pytest.mark.parametrize(("text", "wrong", "right"), [
    ("面对困难他一愁莫展", "一愁莫展", "一筹莫展"),
    ("认真惯彻落实会议精神", "惯彻", "贯彻"),
    ("希望大家再接再励", "再接再励", "再接再厉"),   # a rare variant the dictionary itself lists
])
def test_misspellings_are_found_with_their_correction(text: str, wrong: str, right: str) -> None:
    [m] = word_checker().find(text)
    assert (m.wrong, m.right) == (wrong, right) and 0 < m.confidence <= 1


@pytest.mark.parametrize("text", [
    "实施方案已经印发，请各单位认真贯彻执行。",          # "施方" sounds like 释放: a boundary, not a slip
    "县委县政府高度重视此项工作，多次召开专题会议研究部署。",
    "各乡镇、各部门要切实提高政治站位，压实工作责任。",
    # a village or landform name (子洲县 307国道 交通管制通告): 纸肪 is no slip for 脂肪
    "为确保307国道纸肪沟小桥危桥改造工程建设质量和施工期间道路交通安全，县政府决定实施交通管制。",
    # proper names (西乡县 2021 政府工作报告; 上高县 春耕备耕): another person's name, a co-operative's trade name
    "——2021年4月27日在西乡县第十七届人民代表大会第五次会议上 县长王亚珍",
    "以荣尧农机专业合作社和汇农种植专业合作社等工厂化育秧组织为龙头，开展代育、代耕、代插服务。",
    # accepted words jieba lacks (rules/data/accepted-words.toml): 战疫 is no slip for 战役, 测产 no slip around 经济
    "沉着应对、同心战疫，人民健康有效保障。",
    "经测产，平均每亩收获玉米约580公斤，大豆约80公斤。",
    # a parallel frame (云南省 2022 乡村振兴实施意见): 宜 is the frame's fixed slot, not a slip for 已
    "从耕地资源向整个国土资源拓展，宜粮则粮、宜经则经、宜牧则牧、宜渔则渔、宜林则林，保障各类食物有效供给。",
    # Proper nouns and the author's own words (clean corpus, files 202, 203, 215):
    "县领导盖勇、王建斌、史超峰、刘又铖、高振山参加会议。",      # a rare character in a name (又称)
    "加快推进土地征用和出让工作。(马宇 胡鹏)",                  # a byline of names (胡同)
    "华电南湫风电厂的县级领导和负责人在主席台就座。",            # a rare character in a place (南湖)
    "要抓好返浮学生“点对点”接返管控,确保学生接返安全。",          # a shape-alike word written twice (接近)
    "溢水镇十巫高速南段项目施工现场",                          # a route named by its two ends (十五), file 220
    "在齐乐镇龙鹄村和龙江路段,详细了解了龙鹄山历史文化",        # a village and a hill (龙骨), file 224
    "安排部署了安全生产、防汛备汛、森林防灭火等相关工作。",      # a parallel compound (鱼汛), file 263
    "县领导程冰野、王艳梅、毛崇谋、蔡耀斌一行到各中考考点巡视",  # the last name of a list (荣耀), file 269
    "还来到新知青艺社,与青年艺术家洪伟、周青座谈",              # names at the edges of tokens (宏伟), file 275
    "主持人:福建省委宣传部对外新闻处处长柯宜达 女士们、先生们",    # a name after a title (相宜), file 290
])
def test_correct_text_stays_quiet(text: str) -> None:
    assert word_checker().find(text) == []


def test_a_slip_repeated_once_is_still_found() -> None:
    # one repeat is not a parallel frame (three different members are needed)
    found = word_checker().find("认真惯彻落实会议精神，认真惯彻落实会议精神")
    assert [m.wrong for m in found] == ["惯彻", "惯彻"]


def test_every_accepted_word_has_a_source() -> None:
    from rules.content.words import accepted_words
    assert "战疫" in accepted_words() and "测产" in accepted_words()
def test_a_repeated_homophone_slip_is_still_found() -> None:
    found = word_checker().find("认真惯彻落实会议精神，惯彻执行到位")
    assert [(m.wrong, m.right) for m in found] == [("惯彻", "贯彻"), ("惯彻", "贯彻")]


def test_a_slip_beside_a_name_list_is_still_found() -> None:
    [m] = word_checker().find("出席：王建斌、刘又铖、高振山，要求认真惯彻落实")
    assert (m.wrong, m.right) == ("惯彻", "贯彻")


@pytest.mark.parametrize(("text", "wrong", "right"), [
    # Slips common enough that jieba lists them a few times: three- or four-character tokens, homophones
    ("冬季使用天燃气要注意通风", "天燃气", "天然气"),
    ("接种后出现的负作用较轻", "负作用", "副作用"),
    ("更换小区漏水的水笼头", "水笼头", "水龙头"),
    ("新建一处渡假村", "渡假村", "度假村"),
    ("游客可在景区购买名信片", "名信片", "明信片"),
])
def test_rare_listed_slips_are_found(text: str, wrong: str, right: str) -> None:
    [m] = word_checker().find(text)
    assert (m.wrong, m.right, m.how) == (wrong, right, "同音")


@pytest.mark.parametrize("text", [
    "坪定村入选住建部第五批中国传统村落名录",   # 第五批 is no slip for 第三批: numerals differ on purpose
    "迎来了中央专项巡视、省委第三轮巡视",
    "根据《条例》第五十条规定，编制本报告",
    "郧西天河七夕文化周签下大单",               # a listed word is a homophone slip only, not a shape one (文化局)
    "保持蒸汽管道畅通",
])
def test_numerals_and_listed_words_stay_quiet(text: str) -> None:
    assert word_checker().find(text) == []


#: Newer government vocabulary that jieba lacks, as rules/data/accepted-words.toml may list it.
NEW_TERMS = ("放管服", "接诉即办", "医共体", "防返贫", "链长制", "河长制")


@pytest.fixture(scope="module")
def with_new_terms() -> WordChecker:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(words, "accepted_words", lambda: NEW_TERMS)
        return WordChecker()


@pytest.mark.parametrize(("text", "wrong", "right"), [
    # an accepted word is a correction target too, not only a word left alone
    ("深化放管福改革", "放管福", "放管服"),
    ("推行接诉即半", "接诉即半", "接诉即办"),
    ("完善医共题建设", "医共题", "医共体"),
    ("建立防返频监测机制", "防返频", "防返贫"),
    ("推行链长治", "链长治", "链长制"),
])
def test_slips_in_accepted_words_are_corrected_to_them(with_new_terms: WordChecker, text: str, wrong: str,
                                                       right: str) -> None:
    [m] = with_new_terms.find(text)
    assert (m.wrong, m.right) == (wrong, right)


@pytest.mark.parametrize("text", ["深化放管服改革", "推行接诉即办", "县域医共体建设", "抓实防返贫动态监测", "全面推行河长制"])
def test_accepted_words_themselves_stay_quiet(with_new_terms: WordChecker, text: str) -> None:
    assert with_new_terms.find(text) == []
