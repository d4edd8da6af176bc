"""The whole scan: kinds together, masking in every field, offsets, line and column."""

from __future__ import annotations

import datetime as dt

from rules.content import Locator, ScanContext, Scanner, build_scanner
from rules.content.lexicon import LexEntry

ON = dt.date(2026, 6, 15)
ID = "130102199003083015"


def test_privacy_never_leaks_through_matched_or_context() -> None:
    text = f"县环保局通知：请张三（身份证{ID}，手机13812345678）到窗口领取。"
    hits = build_scanner().scan(text, ON, ScanContext())
    assert [h.kind for h in hits] == ["name", "privacy", "privacy"]
    for h in hits:
        assert ID not in h.matched + h.context and "13812345678" not in h.matched + h.context
    assert hits[1].matched == "1301**********3015" and text[hits[1].start:hits[1].end] == ID


def test_offsets_point_at_the_match_and_locator_counts_lines() -> None:
    text = "第一行\n第二行有国土资源局\n"
    [hit] = build_scanner().scan(text, ON, ScanContext())
    assert text[hit.start:hit.end] == hit.matched == "国土资源局"
    assert Locator(text).line_col(hit.start) == (2, 5)


def test_privacy_severity_comes_from_the_context() -> None:
    [hit] = build_scanner().scan(f"身份证{ID}", ON, ScanContext.of(privacy_severity="severe"))
    assert hit.severity == "severe"


def test_overlapping_entries_of_one_kind_keep_the_longest_and_kinds_stay_apart() -> None:
    entries = [LexEntry("lexicon:t:ab", "lexicon", ("ab",), "x", "warning", "t"),
               LexEntry("lexicon:t:abc", "lexicon", ("abc",), "y", "warning", "t"),
               LexEntry("name:n", "name", ("bc",), "z", "severe", "doc", until=dt.date(2000, 1, 1))]
    hits = Scanner(entries).scan("xabcx", ON, ScanContext())
    assert [(h.entry_id, h.start, h.end) for h in hits] == [("lexicon:t:abc", 1, 4), ("name:n", 2, 4)]


def test_clean_text_and_empty_scanner() -> None:
    assert build_scanner().scan("县自然资源局召开会议，部署工作。热线0311-12345678。", ON, ScanContext()) == []
    assert Scanner([]).scan(f"国土资源局{ID}", ON, ScanContext())[0].kind == "privacy"


def test_a_listed_error_quoted_by_a_report_is_never_severe() -> None:
    # 崇阳县 2024 通报: the lexicon's incomplete formulation inside "错误表述为…" is the report's quotation
    for report in ("将“习近平新时代中国特色社会主义思想”错误表述为“习近平近新时代中国特色社会主义思想”",
                   "个别网站误将“政府”打为“攻府”", "有单位把“祖国万岁”错写成了“祖国万死”"):
        hits = build_scanner().scan(report, ON, ScanContext.of(draft=True))
        assert hits and all(h.severity != "severe" for h in hits), report


def test_places_in_drafts_name_the_right_division() -> None:
    hits = build_scanner().scan("营口市鱿鱼圈区和甘肃银川", ON, ScanContext.of(draft=True))
    assert [(h.kind, h.matched) for h in hits] == [("place", "鱿鱼圈区"), ("place", "甘肃银川")]
    assert "鲅鱼圈区" in hits[0].suggestion and "宁夏银川" in hits[1].suggestion


def test_a_wrong_province_needs_no_division_suffix() -> None:
    [hit] = build_scanner().scan("甘肃银川新增本土确诊病例", ON, ScanContext.of(draft=True))
    assert (hit.kind, hit.matched) == ("place", "甘肃银川") and hit.suggestion.startswith("宁夏银川")
