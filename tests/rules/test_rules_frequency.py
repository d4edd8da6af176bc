"""frequency_below_target: 更新频率要求 texts, distinct posting days, working days, openings."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from rulekit import NOW, account, at, one, post, rules

from rules.calendar import is_working_day
from rules.facts import PostFact

MONDAY = at(2026, 4, 20, 8, 0)  # window = 2026-03-23 .. 2026-04-19 (28 days, 19 working days: 4/6 is 清明)
WINDOW = [date(2026, 3, 23) + timedelta(days=i) for i in range(28)]
WORKING = [d for d in WINDOW if is_working_day(d)]


def on(days: list[date], per_day: int = 1, hour: int = 10) -> list[PostFact]:
    return [post(datetime(d.year, d.month, d.day, hour, i, tzinfo=MONDAY.tzinfo)) for d in days for i in range(per_day)]


def fires(text: str, posts: list[PostFact], now: datetime = MONDAY, **kw: Any) -> bool:
    return "frequency_below_target" in rules(account(now=now, posts=posts, update_frequency=text, **kw), now)


@pytest.mark.parametrize(
    ("text", "posts", "expected"),
    [
        ("每工作日", on(WORKING), False),
        ("每工作日", on(WORKING[1:]), True),
        ("每周3次", on(WINDOW[::2][:12]), False),
        ("每周3次", on(WINDOW[::2][:11]), True),
        ("每周3次", on(WINDOW[::7], per_day=3), True),  # 12 posts on 4 days are 4 updates
        ("每周", on(WINDOW[::7]), False),
        ("每周", on(WINDOW[::7][:3]), True),
        ("每两周", on([WINDOW[0], WINDOW[20]]), False),
        ("每两周", on([WINDOW[20]]), True),
        ("每月", on([WINDOW[-1]]), False),
        ("每月", [], True),
        ("不定期", [], False),
        ("", [], False),
        ("随缘", [], False),  # unreadable: registry_incomplete reports it instead
    ],
)
def test_frequency_texts(text: str, posts: list[PostFact], expected: bool) -> None:
    assert fires(text, posts) is expected


def test_summary_and_evidence() -> None:
    f = account(now=MONDAY, posts=on(WINDOW[::2][:11]), update_frequency="每周3次")
    d = one(f, "frequency_below_target", MONDAY)
    assert d.summary_zh == "近28天更新11天，低于更新频率要求（每周3次，应至少更新12天）"
    ev = d.evidence
    assert (ev["window_start"], ev["window_end"]) == ("2026-03-23", "2026-04-19")
    assert (ev["required_days"], ev["posting_days"], ev["posts_in_window"]) == (12, 11, 11)
    assert ev["frequency"] == {"count": 3, "days": 7, "working_days": False, "label": "每周3次"}
    assert d.severity == "warning"


def test_unreadable_frequency_is_a_registry_problem() -> None:
    f = account(now=MONDAY, posts=on(WINDOW), update_frequency="随缘")
    assert "更新频率要求“随缘”无法识别" in one(f, "registry_incomplete", MONDAY).summary_zh


def test_every_working_day_across_spring_festival() -> None:
    # Now 2026-03-16: the window 2/16-3/15 holds the holiday (2/16-2/23) and the 调休 Saturday 2/28.
    window = [date(2026, 2, 16) + timedelta(days=i) for i in range(28)]
    working = [d for d in window if is_working_day(d)]
    assert len(working) == 15 and date(2026, 2, 28) in working
    assert not fires("每工作日", on(working), NOW)
    d = one(account(posts=on(working[:-1]), update_frequency="每工作日"), "frequency_below_target")
    assert (d.evidence["required_days"], d.evidence["posting_days"], d.evidence["window_working_days"]) == (15, 14, 15)
    assert d.summary_zh == "近28天（15个工作日）更新14天，低于更新频率要求（每工作日，应至少更新15天）"
    missed_saturday = [x for x in working if x != date(2026, 2, 28)]
    assert fires("每工作日", on(missed_saturday), NOW)


def test_today_is_not_judged_yet() -> None:
    # An account that posts every working day at 10:00 is not warned at 08:00 on a working Monday.
    assert is_working_day(MONDAY.date())
    assert not fires("每工作日", on(WORKING), MONDAY)


def test_new_account_window_starts_at_opening() -> None:
    opened = MONDAY.date() - timedelta(days=10)
    assert not fires("每周", on([date(2026, 4, 15)]), opened_on=opened)
    assert fires("每周", [], opened_on=opened)
    assert not fires("每周", [], opened_on=MONDAY.date() - timedelta(days=3))


def test_blind_and_grace_accounts_are_not_judged() -> None:
    assert not fires("每工作日", [], last_success_at=MONDAY - timedelta(days=5))
    assert not fires("每工作日", [], review_deadline=MONDAY.date() + timedelta(days=1))
