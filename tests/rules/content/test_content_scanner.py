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
