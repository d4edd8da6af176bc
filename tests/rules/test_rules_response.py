"""slow_response on measured facts only: thresholds, no data, the ledger's 无, blindness, labels."""

from __future__ import annotations

from datetime import timedelta

from rules.config import CATALOGUE, RuleSettings
from rules.facts import PostFact
from rules.rule_response import slow_response
from tests.rules.rulekit import NOW, account, days_ago

DEFAULT = RuleSettings.from_dict({})


def _read(n: float, seen: int, answered: int, *, median_h: float | None = 2, waiting_h: float | None = None,
          title: str = "") -> PostFact:
    """A post n days old whose thread was read an hour ago."""
    p = days_ago(n, title=title or f"{n}天前的文章", url=f"https://example.gov/{n}")
    checked = NOW - timedelta(hours=1)
    oldest = checked - timedelta(hours=waiting_h) if waiting_h is not None else None
    return PostFact(**{**p.__dict__, "comments_seen": seen, "comments_answered": answered,
                       "median_answer_delay_s": None if median_h is None else int(median_h * 3600),
                       "oldest_unanswered_at": oldest, "comments_checked_at": checked})


def test_no_read_thread_no_finding() -> None:
    # Comments counted by the platform but never read: nothing is known about answers.
    f = account(posts=[days_ago(1, comments=40), days_ago(2, comments=12)])
    assert slow_response(f, NOW, DEFAULT) is None


def test_answering_accounts_pass_and_one_comment_is_not_judged() -> None:
    assert slow_response(account(posts=[_read(1, 10, 10), _read(3, 5, 4, waiting_h=5)]), NOW, DEFAULT) is None
    assert slow_response(account(posts=[_read(1, 1, 0, median_h=None, waiting_h=200)]), NOW, DEFAULT) is None


def test_low_answer_rate_fires_with_the_waiting_post_in_evidence_and_label() -> None:
    posts = [_read(2, 6, 1, median_h=90), _read(10, 4, 1, median_h=100, waiting_h=230, title="关于供暖的通知"),
             _read(40, 50, 0, median_h=None, waiting_h=900)]  # outside the 30-day window
    d = slow_response(account(posts=posts), NOW, DEFAULT)
    assert d is not None and d.severity == "warning"
    ev = d.evidence
    assert (ev["comments"], ev["answered"], ev["answer_rate_pct"], ev["window_days"]) == (10, 2, 20.0, 30)
    assert ev["median_answer_hours"] == 95.0
    assert ev["reasons"] == ["answer_rate", "median_answer_hours", "unanswered_hours"]
    assert ev["unanswered_post_title"] == "关于供暖的通知" and ev["unanswered_hours"] == 230
    assert "《关于供暖的通知》下的留言已等待10天未回复" in d.summary_zh
    assert CATALOGUE["slow_response"].label("zh", ev) == "互动回应不及时（近30天留言10条，已回复2条）"
    assert "2 of 10" in CATALOGUE["slow_response"].label("en", ev)


def test_one_long_wait_fires_alone() -> None:
    d = slow_response(account(posts=[_read(5, 20, 19, waiting_h=100)]), NOW, DEFAULT)
    assert d is not None and d.evidence["reasons"] == ["unanswered_hours"]


def test_ledger_none_is_no_interaction_not_slow_response() -> None:
    f = account(posts=[_read(2, 10, 0, median_h=None, waiting_h=100)], interaction="无")
    assert slow_response(f, NOW, DEFAULT) is None
    off = RuleSettings.from_dict({"no_interaction": {"enabled": False}})
    assert slow_response(f, NOW, off) is not None


def test_blind_and_inactive_accounts_are_not_judged() -> None:
    posts = [_read(2, 10, 0, median_h=None, waiting_h=100)]
    assert slow_response(account(posts=posts, last_success_at=NOW - timedelta(days=5)), NOW, DEFAULT) is None
    assert slow_response(account(posts=posts, status="closed"), NOW, DEFAULT) is None
    assert CATALOGUE["slow_response"].activity


def test_per_unit_kind_thresholds() -> None:
    s = RuleSettings.from_dict({"slow_response": {"township": {"min_answer_rate": 0.0, "max_unanswered_hours": 0,
                                                               "max_median_hours": 0}}})
    posts = [_read(2, 10, 2, median_h=100, waiting_h=100)]
    assert slow_response(account(posts=posts, unit_kind="township"), NOW, s) is None
    assert slow_response(account(posts=posts, unit_kind="department"), NOW, s) is not None
    wide = RuleSettings.from_dict({"slow_response": {"window_days": 60}})
    old = [_read(40, 10, 0, median_h=None, waiting_h=100)]
    assert slow_response(account(posts=old), NOW, DEFAULT) is None
    assert slow_response(account(posts=old), NOW, wide) is not None


def test_fresh_comments_are_not_yet_due() -> None:
    # Three answered, four written within the grace (24 h) and not answered yet: nothing is late.
    posts = [_read(3, 3, 3), _read(0.5, 4, 0, median_h=None, waiting_h=6)]
    assert slow_response(account(posts=posts), NOW, DEFAULT) is None
    late = [_read(3, 3, 3), _read(2, 4, 0, median_h=None, waiting_h=30)]
    d = slow_response(account(posts=late), NOW, DEFAULT)
    assert d is not None and d.evidence["comments_due"] == 7 and d.evidence["reasons"] == ["answer_rate"]
