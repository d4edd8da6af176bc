"""Near misses of canonical formulations and leaders' names; leaders' titles by date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rules.content.lexicon import LexiconError
from rules.content.phrases import build_phrase_checker, parse_leaders

ON = dt.date(2024, 5, 1)


@pytest.fixture(scope="module")
def checker():  # type: ignore[no-untyped-def]
    return build_phrase_checker()


@pytest.mark.parametrize(("text", "matched", "canonical", "how"), [
    ("热烈庆祝中华人民共合国成立", "中华人民共合国", "中华人民共和国", "同音"),      # homophone
    ("中共人民共和国", "中共人民共和国", "中华人民共和国", "错字"),                  # any one character of a long name
    ("中华人民共和和国", "中华人民共和和国", "中华人民共和国", "多了"),              # doubled
    ("学习习近平新时代中国特色社会主义思相", "习近平新时代中国特色社会主义思相",
     "习近平新时代中国特色社会主义思想", "同音"),
    ("坚持以人民为中新", "以人民为中新", "以人民为中心", "同音"),
    ("习进平总书记指出", "习进平", "习近平", "同音"),
    ("国家主席习平近", "习平近", "习近平", "颠倒"),
    ("国务院总理温家室", "温家室", "温家宝", "形近"),
    ("总理李克参加代表团审议", "李克", "李克强", "缺少"),
])
def test_near_misses_name_the_canonical_form(checker, text: str, matched: str, canonical: str, how: str) -> None:  # type: ignore[no-untyped-def]
    [m] = [m for m in checker.find(text, ON) if m.kind != "title"]
    assert (text[m.start:m.end], m.target.text, m.severity) == (matched, canonical, "severe")
    assert m.note.startswith(how) and m.target.source


@pytest.mark.parametrize(("text", "severity"), [
    ("李克参加代表团审议", "warning"),        # a leader's verb but no title: maybe another person
    ("村民李克在家休息", None),              # neither: quiet
    ("县农业局张国庆同志", "warning"),        # 同志 is said of everyone: not a title
    ("国务院副总理张国庆", "severe"),         # a title beside it: 严重
    ("村民张国庆领到了补贴", "warning"),      # 张国清 or a villager named 张国庆: 一般, never 严重
    ("习进平新时代", "severe"),               # the one name that is always 严重
])
def test_without_a_title_a_name_near_miss_is_not_severe(checker, text: str, severity: str | None) -> None:  # type: ignore[no-untyped-def]
    assert [m.severity for m in checker.find(text, ON) if m.kind != "title"] == ([severity] if severity else [])


@pytest.mark.parametrize("text", [
    "中华人民共和国", "以习近平同志为核心的党中央", "中国共产党第十七次全国代表大会", "不忘初心、牢记使命",
    "中国共产主义青年团", "全国人民代表大会常务委员会", "学习能力强，李同学", "李克同学", "一带一路",
    "马克思列宁主义、毛泽东思想、邓小平理论、“三个代表”重要思想、科学发展观",
])
def test_canonical_forms_and_ordinary_text_stay_quiet(checker, text: str) -> None:  # type: ignore[no-untyped-def]
    assert checker.find(text, ON) == []


def test_a_near_miss_quoted_as_an_error_is_only_a_notice(checker) -> None:  # type: ignore[no-untyped-def]
    [m] = checker.find("通报指出，有网站将“中华人民共和国”写成“中华人民共合国”。", ON)
    assert m.severity == "notice"


def test_a_title_not_held_on_the_text_date_is_a_warning(checker) -> None:  # type: ignore[no-untyped-def]
    [m] = checker.find("李克强总理指出", ON)
    assert (m.kind, m.severity) == ("title", "warning") and "总理" in m.note
    assert checker.find("李克强总理指出", dt.date(2020, 1, 1)) == []
    assert checker.find("原国务院总理李克强", ON) == []
    assert [m.kind for m in checker.find("国务院总理李强", ON)] == []


def test_county_leaders_extend_the_list(tmp_path: Path) -> None:
    path = tmp_path / "领导.toml"
    path.write_text('[[leader]]\nname = "杜家毫"\nsource = "省委"\n'
                    'office = [{ title = "省委书记", from = 2016-08-28, to = 2020-11-30 }]\n', encoding="utf-8")
    [m] = build_phrase_checker([path]).find("湖南省委书记杜家豪", dt.date(2018, 3, 1))
    assert (m.target.text, m.severity) == ("杜家毫", "severe")


@pytest.mark.parametrize(("text", "error"), [
    ('[[leader]]\nname = "张"\nsource = "x"\n', "name"),
    ('[[leader]]\nname = "张三"\nsource = "x"\noffice = [{ title = "县长" }]\n', "from"),
    ('[[leader]]\nname = "张三"\nsource = "x"\noffice = [{ title = "县长", from = "去年" }]\n', "2023-03-10"),
    ("[[leader]\n", "TOML"),
])
def test_a_bad_leaders_file_names_the_entry(text: str, error: str) -> None:
    with pytest.raises(LexiconError, match=error):
        parse_leaders(text, "领导.toml")


@pytest.mark.parametrize(("text", "matched", "missing"), [
    ("依据《中华人民共物防疫法》", "中华人民共", "和国"),   # 汉滨区养犬通告 (2019): 和国动 lost in a scan
    ("中华共和国成立七十五周年", "中华共和国", "人民"),
    ("中国共产党中员会", "中国共产党中员会", "央委"),
])
def test_a_state_or_party_name_missing_two_characters(checker, text: str, matched: str, missing: str) -> None:  # type: ignore[no-untyped-def]
    [m] = checker.find(text, ON)
    assert (text[m.start:m.end], m.severity, m.note) == (matched, "severe", f"缺少「{missing}」")


@pytest.mark.parametrize("text", [
    "依据《中华人民共和国动物防疫法》", "中国共产党中央军事委员会", "中国共产党中央委员会总书记", "中华人民共和国成立",
])
def test_full_state_and_party_names_stay_quiet(checker, text: str) -> None:  # type: ignore[no-untyped-def]
    assert checker.find(text, ON) == []


@pytest.mark.parametrize("report", [
    "将“习近平新时代中国特色社会主义思想”错误表述为“习近平新时代中国特色社会主义思相”",  # 崇阳县 2024 通报
    "有网站把“中华人民共和国”误写成“中华人民共合国”",
    "“中华人民共和国”被错打为“中华人民共合国”",
    "国名出现严重表述错误，如“中华人民共合国”",
])
def test_reports_of_an_error_in_other_words_are_notices(checker, report: str) -> None:  # type: ignore[no-untyped-def]
    assert [m.severity for m in checker.find(report, ON)] == ["notice"]
