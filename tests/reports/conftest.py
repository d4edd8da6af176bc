"""A small hand-made monthly review of 滹沱县 (March 2025) shared by the renderer tests."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from reports.indices import FORMULAS_ZH
from reports.monthly_build import ProblemLabels
from reports.monthly_model import (
    AccountRow,
    Closures,
    MonthlyReport,
    Overview,
    ProblemGroup,
    Rankings,
    RankRow,
    RecheckRow,
    ReviewDecision,
    Tally,
    TrendPoint,
)
from rules.config import CATALOGUE

# The builder teaches `term` each problem label's English as it formats it from the catalogue; this
# hand-made model writes the same labels, so teach them the same way.
for _rule in CATALOGUE:
    ProblemLabels(CATALOGUE.values()).label(_rule, {"threshold_days": 10})

# Names with characters that must be escaped in HTML / XML: they come from the county's ledger.
TRICKY = "城关<发布>"
AMP = "文旅&乡情"


def _tally(key: str, label: str, acc: int, chk: int, fail: int, prev: tuple[int, int, int] | None) -> Tally:
    def rate(c: int, f: int) -> float | None:
        return (c - f) / c if c else None

    return Tally(key, label, acc, chk, fail, rate(chk, fail),
                 *(prev if prev else (None, None, None)), rate(prev[1], prev[2]) if prev else None)


def make_report(partial: bool = False) -> MonthlyReport:
    """The fixture review; ``partial`` gives the same month run on the 18th."""
    overview = Overview(
        total=_tally("all", "合计", 40, 40, 5, (41, 41, 7)),
        by_platform=[
            _tally("wechat", "微信公众号", 28, 28, 3, (29, 29, 5)),
            _tally("weibo", "新浪微博", 8, 8, 1, (8, 8, 1)),
            _tally("douyin", "抖音", 2, 2, 0, (2, 2, 0)),
            _tally("toutiao", "今日头条", 1, 1, 0, (1, 1, 1)),
            _tally("channels", "微信视频号", 1, 1, 1, None),
        ],
        by_unit_kind=[
            _tally("county_gov", "县政府", 3, 3, 0, (3, 3, 0)),
            _tally("department", "县直部门", 29, 29, 2, (30, 30, 3)),
            _tally("township", "乡镇", 8, 8, 3, (8, 8, 4)),
        ],
    )
    problems = [
        ProblemGroup("stale", "内容不更新", True, 3, 0.5,
                     [f"{TRICKY}（微信公众号）", "西河乡讯（微信公众号）", "滹沱融媒（微信视频号）"]),
        ProblemGroup("interaction", "未提供有效互动功能", True, 2, 2 / 6,
                     ["北留乡讯（微信公众号）", "南营镇微博（新浪微博）"]),
        ProblemGroup("frequency", "更新频率不达标", False, 2, 2 / 6, ["滹沱水利（微信公众号）", f"{AMP}（微信公众号）"]),
        ProblemGroup("low_use", "关注度和利用率低", False, 1, 1 / 6, ["北留乡讯（微信公众号）"]),
        ProblemGroup("duplicate", "同一平台重复开号", False, 1, 1 / 6, ["滹沱县教育局家校服务（微信公众号）"]),
    ]
    recheck = [
        RecheckRow(TRICKY, "微信公众号", "滹沱县城关镇人民政府", "内容不更新", "仍未整改"),
        RecheckRow("滹沱司法", "微信公众号", "滹沱县司法局", "内容不更新", "已整改"),
        RecheckRow("桥头发布", "微信公众号", "滹沱县桥头镇人民政府", "未提供有效互动功能", "已整改"),
        RecheckRow("滹沱发布", "今日头条", "滹沱县人民政府", "内容不更新", "已整改"),
        RecheckRow("东关镇抖音", "抖音", "滹沱县东关镇人民政府", "内容不更新", "已关停"),
    ]
    closures = Closures(
        reviews_opened=2, reviews_decided=1, closed=["东关镇抖音（抖音）"], merged=[],
        decisions=[ReviewDecision("东关镇抖音（抖音）", "关停", "县政府办公室", dt.date(2025, 3, 12))],
    )
    rankings = Rankings(
        wechat=[
            RankRow("滹沱发布", "滹沱县人民政府", 612.34, 58, 182345, 2301, 1204, 856),
            RankRow("滹沱公安", "滹沱县公安局", 498.1, 40, 76543, 980, 640, 310),
            RankRow(f"{AMP}", "滹沱县文化广电和旅游局", 402.5, 21, 30211, 512, 233, 101),
        ],
        weibo=[
            RankRow("滹沱发布", "滹沱县人民政府", 903.2, 120, None, 3400, 880, None, comments=610),
            RankRow("滹沱公安", "滹沱县公安局", 744.0, 75, None, 1500, 420, None, comments=230),
        ],
        praised=["滹沱发布（微信公众号）", "滹沱公安（新浪微博）"],
    )
    details = [
        AccountRow("滹沱发布", "微信公众号", "滹沱县人民政府", "县政府", "运营中", 58, 0, 85210, 1320, 182345, 4361,
                   612.34, "", "合格"),
        AccountRow(TRICKY, "微信公众号", "滹沱县城关镇人民政府", "乡镇", "整改中", 0, 41, 3120, -12, 0, 0, 0.0,
                   "内容不更新", "不合格"),
        AccountRow("西河乡讯", "微信公众号", "滹沱县西河乡人民政府", "乡镇", "运营中", 1, 19, 1800, 3, 210, 6, 48.2,
                   "内容不更新", "不合格"),
        AccountRow("北留乡讯", "微信公众号", "滹沱县北留乡人民政府", "乡镇", "运营中", 6, 2, 950, 0, 420, 9, 80.1,
                   "未提供有效互动功能、关注度和利用率低", "不合格"),
        AccountRow("南营镇微博", "新浪微博", "滹沱县南营镇人民政府", "乡镇", "运营中", 12, 1, 2300, 15, None, 30,
                   210.4, "未提供有效互动功能", "不合格"),
        AccountRow("滹沱融媒", "微信视频号", "滹沱县融媒体中心", "县直部门", "运营中", 0, 20, None, None, None, None,
                   None, "内容不更新", "不合格"),
        AccountRow(AMP, "微信公众号", "滹沱县文化广电和旅游局", "县直部门", "运营中", 21, 1, 15400, 210, 30211, 846,
                   402.5, "更新频率不达标", "合格"),
        AccountRow("滹沱公安", "新浪微博", "滹沱县公安局", "县直部门", "运营中", 75, 0, 120400, 380, None, 2150,
                   744.0, "", "合格"),
    ]
    months = [f"2024-{m:02d}" for m in range(4, 13)] + [f"2025-{m:02d}" for m in range(1, 4)]
    rates = [0.80, 0.82, None, 0.85, 0.83, 0.86, 0.88, 0.87, 0.85, 0.86, 0.829, 0.875]
    trends = [TrendPoint(m, 44 - i // 3, r, 900 + 37 * i, 310000 + 12500 * i) for i, (m, r) in enumerate(zip(months, rates, strict=True))]
    as_of = dt.datetime(2025, 3, 18, 9, 30) if partial else dt.datetime(2025, 3, 31, 23, 59, 59)
    return MonthlyReport(
        county="滹沱县", month="2025-03", period_start=dt.date(2025, 3, 1), period_end=dt.date(2025, 3, 31),
        as_of=as_of, partial=partial, generated_at=dt.datetime(2025, 4, 1, 8, 0), overview=overview,
        problems=problems, recheck=recheck, closures=closures, rankings=rankings, details=details,
        trends=trends,
        definitions=[
            "不合格：本月内任一时点或月末存在单项否决情形（内容不更新、未提供有效互动功能等）的账号。",
            "合格率 = （检查账号数 − 不合格账号数）÷ 检查账号数。",
            "内容不更新：监测时间点前2周内无更新（国办秘函〔2019〕19号）。",
        ],
        formulas=list(FORMULAS_ZH),
        # formulas_en is left empty on purpose: the renderers then translate FORMULAS_ZH line by line.
        definitions_en=[
            "Fail: an account with a single-item veto finding (no updates, no effective interaction channel, etc.) "
            "at any time in the month or at its end.",
            "Pass rate = (checked accounts − failing accounts) ÷ checked accounts.",
            "No updates: nothing new within the 2 weeks before a check point (State Council General Office "
            "letter [2019] No. 19).",
        ],
    )


@pytest.fixture
def report() -> MonthlyReport:
    """The complete March 2025 review."""
    return make_report()


@pytest.fixture
def partial_report() -> MonthlyReport:
    """March 2025 run on the 18th: the month to date."""
    return make_report(partial=True)


@pytest.fixture
def empty_report() -> MonthlyReport:
    """A month with no problems, rankings, closures or trend history: renderers must still cope."""
    base = make_report()
    return dataclasses.replace(
        base, problems=[], recheck=[], closures=Closures(0, 0, [], [], []),
        rankings=Rankings([], [], []), details=[], trends=[], definitions=[], formulas=[], definitions_en=[],
        formulas_en=[],
    )
