"""规范表述: outdated official names, judged by the post's date, with historical mentions left alone."""

from __future__ import annotations

import datetime as dt

import pytest

from rules.content import ScanContext, build_scanner
from rules.content.lexicon import OFFICIAL_NAMES, parse_official_names, shipped

SCANNER = build_scanner()
AFTER = dt.date(2024, 5, 1)


def names(text: str, on: dt.date | None = AFTER) -> list[tuple[str, str]]:
    return [(h.matched, h.entry_id) for h in SCANNER.scan(text, on, ScanContext()) if h.kind == "name"]


@pytest.mark.parametrize(("text", "expected"), [
    ("县国土资源局开展执法检查", [("国土资源局", "name:2018-local-land-resources")]),
    ("市环境保护局通报空气质量", [("环境保护局", "name:2018-local-environment")]),
    ("县卫生和计划生育委员会提醒", [("卫生和计划生育", "name:2018-health-family-planning")]),
    ("县工商行政管理局、县质量技术监督局、县食品药品监督管理局", [
        ("工商行政管理", "name:2018-market-regulation"), ("质量技术监督", "name:2018-market-regulation"),
        ("食品药品监督管理", "name:2018-market-regulation")]),
    ("县安全生产监督管理局检查企业", [("安全生产监督管理", "name:2018-emergency-management")]),
    ("县地方税务局办税服务厅", [("地方税务局", "name:2018-tax-merger")]),
    ("县公安消防大队开展演练", [("公安消防大队", "name:2018-fire-rescue")]),
    ("公安消防联合开展检查", []),  # police and fire brigade together, not the old unit's name
    ("国家旅游局发布", [("国家旅游局", "name:2018-culture-ministry")]),  # the longer name wins over 旅游局
    ("银保监会发布通知", [("银保监会", "name:2023-banking-insurance")]),   # not also 保监会
    # correct names and longer correct phrases
    ("县自然资源和规划局、市生态环境局分局、县卫生健康局、县应急管理局、县消防救援大队", []),
    ("县文化广电和旅游局举办活动", []),
    ("各农业部门、环境保护部门要加强协作", []),
    # historical mentions
    ("原县国土资源局局长张某", []),
    ("原国土资源局的职责划入自然资源局", []),
    ("2019年，县国土资源局更名为县自然资源局", []),
    ("县国土资源局（现自然资源局）旧址", []),
    # 原 as part of another word is not a historical marker
    ("原则上县国土资源局负责", [("国土资源局", "name:2018-local-land-resources")]),
])
def test_outdated_names_after_the_reform(text: str, expected: list[tuple[str, str]]) -> None:
    assert names(text) == expected


@pytest.mark.parametrize(("on", "flagged"), [
    (dt.date(2017, 6, 1), False),   # a post from before the reform is not an error
    (dt.date(2019, 3, 30), False),  # county bureaus were renamed by the end of March 2019
    (dt.date(2019, 3, 31), True),
    (None, True),                   # undated text: every entry applies
])
def test_post_date_decides(on: dt.date | None, flagged: bool) -> None:
    assert bool(names("县国土资源局开展执法检查", on)) is flagged


def test_accepts_a_datetime() -> None:
    assert names("县地方税务局", dt.datetime(2018, 7, 19, 23, 0)) == []
    assert names("县地方税务局", dt.datetime(2018, 7, 20, 9, 0)) != []


def test_every_shipped_name_has_a_source_and_a_date() -> None:
    entries = parse_official_names(shipped(OFFICIAL_NAMES))
    assert len(entries) >= 15
    ids = [e.entry_id for e in entries]
    assert len(ids) == len(set(ids))
    for e in entries:
        assert e.source and e.until and e.terms and e.suggestion
        assert any(doc in e.source for doc in ("方案", "公告")), e.entry_id
