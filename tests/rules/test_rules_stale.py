"""stale_veto, stale_warning and dormant_long: the 14-day boundary, Beijing midnight, openings, pins, working days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from rulekit import NOW, SH, account, at, days_ago, one, post, rules

from rules.config import RuleSettings
from rules.facts import PostFact

STALE = {"stale_veto", "stale_warning", "dormant_long"}


@pytest.mark.parametrize(
    ("published", "now", "expected", "days"),
    [
        # exactly 14 calendar days, at any hour: veto
        (at(2026, 3, 1, 23, 59), at(2026, 3, 15, 0, 1), {"stale_veto"}, 14),
        (at(2026, 3, 1, 0, 1), at(2026, 3, 15, 23, 59), {"stale_veto"}, 14),
        (at(2026, 3, 1, 0, 1), at(2026, 3, 15, 0, 1), {"stale_veto"}, 14),
        # 13 days, however close to the boundary in hours: warning only
        (at(2026, 3, 2, 0, 1), at(2026, 3, 15, 23, 59), {"stale_warning"}, 13),
        (at(2026, 3, 2, 23, 59), at(2026, 3, 15, 0, 1), {"stale_warning"}, 13),
        # the same instants written in UTC: days follow the Beijing calendar, not UTC's
        (datetime(2026, 3, 1, 15, 59, tzinfo=UTC), datetime(2026, 3, 14, 16, 1, tzinfo=UTC), {"stale_veto"}, 14),
        (datetime(2026, 3, 1, 16, 1, tzinfo=UTC), datetime(2026, 3, 15, 15, 59, tzinfo=UTC), {"stale_warning"}, 13),
        # warning tier edges
        (at(2026, 3, 5), at(2026, 3, 15), {"stale_warning"}, 10),
        (at(2026, 3, 6), at(2026, 3, 15), set(), 9),
        # dormant tier edges: a zombie also fails the national check
        (at(2026, 3, 15) - timedelta(days=89), at(2026, 3, 15), {"stale_veto"}, 89),
        (at(2026, 3, 15) - timedelta(days=90), at(2026, 3, 15), {"stale_veto", "dormant_long"}, 90),
    ],
)
def test_staleness_boundaries(published: datetime, now: datetime, expected: set[str], days: int) -> None:
    f = account(now=now, posts=[post(published)])
    assert rules(f, now) & STALE == expected
    for d in (x for x in [one(f, r, now) for r in expected]):
        assert d.evidence["days"] == days


def test_veto_summary_and_evidence() -> None:
    f = account(posts=[days_ago(16, title="关于春耕的通知", url="https://mp.weixin.qq.com/s/x"), days_ago(30)])
    d = one(f, "stale_veto")
    assert d.summary_zh == "已连续16天未更新，超过两周未更新的单项否决标准"
    assert (d.severity, d.subject, d.account_id, d.unit_id) == ("veto", "account:1", 1, 1)
    ev = d.evidence
    assert ev["last_post_title"] == "关于春耕的通知"
    assert ev["last_post_date"] == (NOW.date() - timedelta(days=16)).isoformat()
    assert ev["last_post_url"] == "https://mp.weixin.qq.com/s/x"
    assert (ev["days"], ev["threshold_days"], ev["day_unit"], ev["counted_from"]) == (16, 14, "calendar", "last_post")
    assert ev["as_of"] == NOW.isoformat()


def test_warning_summary_and_no_warning_once_vetoed() -> None:
    d = one(account(posts=[days_ago(11)]), "stale_warning")
    assert d.summary_zh == "已连续11天未更新，距单项否决标准（14天）还剩3天"
    assert (d.evidence["days_left"], d.evidence["veto_days"], d.evidence["threshold_days"]) == (3, 14, 10)
    for n in (14, 20, 200):
        assert "stale_warning" not in rules(account(posts=[days_ago(n)]))


def test_dormant_summary() -> None:
    d = one(account(posts=[days_ago(120)]), "dormant_long")
    assert d.summary_zh == "已连续120天未更新（僵尸号），建议列入关停整合"
    assert d.severity == "review"


def test_new_account_counts_from_opening() -> None:
    five_days = account(posts=[], opened_on=NOW.date() - timedelta(days=5))
    assert rules(five_days) & STALE == set()
    twenty = account(posts=[], opened_on=NOW.date() - timedelta(days=20))
    d = one(twenty, "stale_veto")
    assert (d.evidence["counted_from"], d.evidence["days"], d.evidence["last_post_at"]) == ("opened_on", 20, None)


def test_no_post_ever_and_no_opening_date_is_vetoed_not_dormant() -> None:
    f = account(posts=[], opened_on=None)
    assert rules(f) & STALE == {"stale_veto"}
    assert one(f, "stale_veto").evidence["days"] is None


@pytest.mark.parametrize(
    ("posts", "last_post", "expected"),
    [
        # an old pinned notice is listed first by the feed but is not the latest post
        ([days_ago(400, pinned=True, title="置顶：账号简介"), days_ago(3)], None, set()),
        ([days_ago(400, pinned=True), days_ago(20, title="普通文章")], None, {"stale_veto"}),
        # the caller handed the pinned post as "last post": the newer ordinary one still wins
        ([days_ago(2)], days_ago(400, pinned=True), set()),
        # only the pinned post is newer than the window: it still does not refresh an old account
        ([], days_ago(400, pinned=True), {"stale_veto", "dormant_long"}),
        # a post pinned right after publication is a genuine new post
        ([days_ago(2, pinned=True), days_ago(20)], None, set()),
    ],
)
def test_pinned_posts(posts: list[PostFact], last_post: PostFact | None, expected: set[str]) -> None:
    f = account(posts=posts) if last_post is None else account(posts=posts, last_post=last_post)
    assert rules(f) & STALE == expected


def test_pinned_old_post_is_not_named_as_last_post() -> None:
    f = account(posts=[days_ago(400, pinned=True, title="置顶"), days_ago(20, title="普通文章")])
    assert one(f, "stale_veto").evidence["last_post_title"] == "普通文章"


def test_lagging_coverage_counts_only_the_known_days() -> None:
    # A manual submission received today covers posts up to 5 days ago: the last 5 days are not
    # known to be silent, so the count stops at the coverage point.
    f = account(posts=[days_ago(17)], collect_method="manual", known_until=NOW - timedelta(days=5))
    d = one(f, "stale_warning")
    assert d.evidence["days"] == 12
    assert d.evidence["as_of"] == (NOW - timedelta(days=5)).isoformat()


WD = RuleSettings.from_dict({"working_days": True})


@pytest.mark.parametrize(
    ("last", "now", "calendar_rules", "working_rules", "working_days"),
    [
        # Spring Festival 2026 (2/15-2/23 off, Saturdays 2/14 and 2/28 worked): 17 calendar days,
        # 7 working days -> a veto by the calendar, nothing by working days
        (date(2026, 2, 13), at(2026, 3, 2, 9), {"stale_veto"}, set(), 7),
        (date(2026, 2, 6), at(2026, 3, 3, 9), {"stale_veto"}, {"stale_warning"}, 13),
        (date(2026, 2, 6), at(2026, 3, 4, 9), {"stale_veto"}, {"stale_veto"}, 14),
        # the 调休 Saturday is a working day: Fri -> Mon spans two working days
        (date(2026, 2, 27), at(2026, 3, 2, 9), set(), set(), 2),
    ],
)
def test_working_day_counting_across_spring_festival(
    last: date, now: datetime, calendar_rules: set[str], working_rules: set[str], working_days: int
) -> None:
    f = account(now=now, posts=[post(datetime(last.year, last.month, last.day, 18, tzinfo=SH))])
    assert rules(f, now) & STALE == calendar_rules
    assert rules(f, now, WD) & STALE == working_rules
    for rule in working_rules:
        assert one(f, rule, now, WD).evidence["days"] == working_days
        assert one(f, rule, now, WD).evidence["day_unit"] == "working"


def test_working_day_summaries() -> None:
    f = account(now=at(2026, 3, 4, 9), posts=[post(at(2026, 2, 6, 18))])
    assert one(f, "stale_veto", at(2026, 3, 4, 9), WD).summary_zh == "已连续14个工作日未更新，达到单项否决标准（14个工作日）"
    g = account(now=at(2026, 3, 3, 9), posts=[post(at(2026, 2, 6, 18))])
    assert one(g, "stale_warning", at(2026, 3, 3, 9), WD).summary_zh == "已连续13个工作日未更新，距单项否决标准（14个工作日）还剩1个工作日"


def test_grace_period_suppresses_staleness_until_the_deadline() -> None:
    f = account(posts=[days_ago(100)], interaction="无", review_deadline=NOW.date())
    assert rules(f) == {"no_interaction"}  # ledger rules keep running during grace
    assert rules(account(posts=[days_ago(100)], review_deadline=NOW.date() + timedelta(days=30))) == set()
    after = account(posts=[days_ago(100)], review_deadline=NOW.date() - timedelta(days=1))
    assert rules(after) & STALE == {"stale_veto", "dormant_long"}


def test_per_unit_kind_thresholds_and_switches() -> None:
    s = RuleSettings.from_dict({"stale_warning": {"township": {"days": 7}}, "stale_veto": {"other": {"enabled": False}}})
    eight = [days_ago(8)]
    assert rules(account(posts=eight, unit_kind="township"), NOW, s) == {"stale_warning"}
    assert rules(account(posts=eight, unit_kind="department"), NOW, s) == set()
    assert rules(account(posts=[days_ago(20)], unit_kind="other"), NOW, s) & STALE == set()
    assert rules(account(posts=[days_ago(20)], unit_kind="county_gov"), NOW, s) & STALE == {"stale_veto"}
