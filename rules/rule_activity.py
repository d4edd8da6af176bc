"""Activity rules: staleness (veto, warning, dormant), required frequency, and collection blindness.

The 14-day boundary (国办秘函〔2019〕19号: 监测时间点前2周内无更新): with D = the Shanghai date of the
observation point and L = the Shanghai date of the last post, days = D - L and the veto fires when
days >= 14, i.e. the last post is on or before D - 14. A post exactly 14 calendar days ago (at any
hour, 23:59 included) -> veto; 13 days ago (even at 00:01) -> no veto. An account opened less than
the threshold ago counts from opened_on instead, so it is not stale.

Blind is not silent: every rule here except collection_blind returns None for a blind account.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from registry.ledger.frequency import Frequency, parse_frequency
from rules.calendar import local_date
from rules.config import RuleSettings
from rules.facts import AccountFacts, FindingDraft
from rules.rule_base import (
    activity_gate,
    blind_window,
    draft,
    is_blind,
    iso,
    ledger_gate,
    observed_until,
    stale_evidence,
    staleness,
)


def stale_veto(f: AccountFacts, now: datetime, settings: RuleSettings) -> FindingDraft | None:
    """内容不更新: no post in the `days` (14) days before the observation point — a national veto.

    With no post known at all and no opened_on, silence is still known (the account was collected)
    and the veto fires with days = None.
    """
    if not activity_gate("stale_veto", f, now, settings):
        return None
    st = staleness(f, now, settings)
    threshold = settings.get_int("stale_veto", "days", f.unit_kind)
    if st.days is not None and st.days < threshold:
        return None
    if st.days is None:
        zh = f"未发现任何发布记录，监测时间点前{threshold}{st.unit_zh}内无更新，达到单项否决标准"
        en = f"No post known at all: nothing in the {threshold} days before the check (veto)"
    elif st.unit == "calendar" and threshold == 14:
        zh = f"{st.at_least}已连续{st.days}天未更新，超过两周未更新的单项否决标准"
        en = f"No post for {st.days} days: over the two-week veto threshold"
    else:
        zh = f"{st.at_least}已连续{st.days}{st.unit_zh}未更新，达到单项否决标准（{threshold}{st.unit_zh}）"
        en = f"No post for {st.days} {st.unit} days: veto threshold {threshold}"
    return draft("stale_veto", f, zh, en, {**stale_evidence(st, f), "threshold_days": threshold})


def stale_warning(f: AccountFacts, now: datetime, settings: RuleSettings) -> FindingDraft | None:
    """Early warning: warning `days` <= days < the veto threshold, so it stops once the veto fires."""
    if not activity_gate("stale_warning", f, now, settings):
        return None
    st = staleness(f, now, settings)
    warn = settings.get_int("stale_warning", "days", f.unit_kind)
    veto = settings.get_int("stale_veto", "days", f.unit_kind)
    if st.days is None or not warn <= st.days < veto:
        return None
    left = veto - st.days
    zh = f"已连续{st.days}{st.unit_zh}未更新，距单项否决标准（{veto}{st.unit_zh}）还剩{left}{st.unit_zh}"
    en = f"No post for {st.days} {st.unit} days; {left} left before the {veto}-day veto"
    evidence = {**stale_evidence(st, f), "threshold_days": warn, "veto_days": veto, "days_left": left}
    return draft("stale_warning", f, zh, en, evidence)


def dormant_long(f: AccountFacts, now: datetime, settings: RuleSettings) -> FindingDraft | None:
    """僵尸号: no post for `days` (90); opens a shutdown review and comes with the veto."""
    if not activity_gate("dormant_long", f, now, settings):
        return None
    st = staleness(f, now, settings)
    threshold = settings.get_int("dormant_long", "days", f.unit_kind)
    if st.days is None or st.days < threshold:
        return None
    if st.last_post is None and f.history_from is None:
        # No post seen and no collected history: the silence is not observed, and a shutdown review
        # is never opened from incomplete data (the stale rules still speak).
        return None
    zh = f"{st.at_least}已连续{st.days}{st.unit_zh}未更新（僵尸号），建议列入关停整合"
    en = f"No post for {st.days} {st.unit} days (zombie account): consider closing or merging"
    return draft("dormant_long", f, zh, en, {**stale_evidence(st, f), "threshold_days": threshold})


def _frequency(text: str) -> Frequency | None:
    # An unreadable 更新频率要求 is a ledger problem (registry_incomplete says so), not a finding here.
    try:
        return parse_frequency(text)
    except ValueError:
        return None


def frequency_window(f: AccountFacts, now: datetime, settings: RuleSettings) -> tuple[Frequency, date, date] | None:
    """The frequency rule's requirement and window [start, end] in county dates; None if unreadable."""
    freq = _frequency(f.update_frequency)
    if freq is None:
        return None
    end = local_date(observed_until(f, now)) - timedelta(days=1)
    start = end - timedelta(days=max(settings.get_int("frequency_below_target", "window_days", f.unit_kind), freq.days) - 1)
    if f.opened_on is not None and f.opened_on > start:
        start = f.opened_on
    if f.history_from is not None and f.history_from > start:
        # Days before the collected history are unknown, not silent: counting them as days without
        # a post would warn an account whose first collection fetched less than the window.
        start = f.history_from
    return freq, start, end


def frequency_below_target(f: AccountFacts, now: datetime, settings: RuleSettings) -> FindingDraft | None:
    """更新频率不达标: fewer posting days than 更新频率要求 asks over the trailing window.

    The window is the `window_days` full days before the observation date (today is excluded so an
    account that posts later in the day is not warned in the morning), started no earlier than
    opened_on. Updates are counted as distinct posting days, so a WeChat push of several articles is
    one update. The window also starts no earlier than the collected history (history_from): days
    nobody looked at are unknown, not silent. Required = floor(count x window length / period), the
    length in working days for 每工作日-style requirements; a window shorter than one period is not judged.
    """
    if not activity_gate("frequency_below_target", f, now, settings):
        return None
    window = frequency_window(f, now, settings)
    if window is None:
        return None
    freq, start, end = window
    calendar_len = (end - start).days + 1
    length = settings.calendar.working_days_between(start - timedelta(days=1), end) if freq.working_days else calendar_len
    if calendar_len <= 0 or length < freq.days:
        return None
    required = math.floor(freq.count * length / freq.days)
    if f.digest is not None:
        if f.digest.freq_window != (start, end):
            raise ValueError(f"digest of account {f.account_id} does not cover the frequency window")
        actual, in_window = f.digest.posting_days, f.digest.freq_posts
    else:
        actual = len({d for p in f.posts if start <= (d := local_date(p.published_at)) <= end})
        in_window = sum(1 for p in f.posts if start <= local_date(p.published_at) <= end)
    if actual >= required:
        return None
    label = freq.label()
    span = f"近{calendar_len}天" + (f"（{length}个工作日）" if freq.working_days else "")
    zh = f"{span}更新{actual}天，低于更新频率要求（{f.update_frequency.strip()}，应至少更新{required}天）"
    en = f"Posted on {actual} days in the last {calendar_len} days; {label} requires at least {required}"
    evidence: dict[str, object] = {
        "frequency_text": f.update_frequency,
        "frequency": {"count": freq.count, "days": freq.days, "working_days": freq.working_days, "label": label},
        "window_start": iso(start),
        "window_end": iso(end),
        "window_days": calendar_len,
        "window_working_days": length if freq.working_days else None,
        "required_days": required,
        "posting_days": actual,
        "posts_in_window": in_window,
    }
    return draft("frequency_below_target", f, zh, en, evidence)


def collection_blind(f: AccountFacts, now: datetime, settings: RuleSettings) -> FindingDraft | None:
    """数据采集中断: no successful collection (or manual submission) within `hours`; mutes activity rules."""
    if not ledger_gate("collection_blind", f, settings) or not is_blind(f, now, settings):
        return None
    window = blind_window(f, settings)
    manual = f.collect_method == "manual"
    error = f"，最近错误：{f.last_error_kind}" if f.last_error_kind else ""
    if f.last_success_at is None:
        hours_since: float | None = None
        zh = ("尚未收到人工报送数据" if manual else "尚未成功采集到该账号数据") + f"{error}，更新情况未知"
        en = "Never collected successfully: activity unknown"
    else:
        hours_since = round((now - f.last_success_at).total_seconds() / 3600, 1)
        what = "未收到人工报送数据" if manual else "未能成功采集数据"
        zh = f"已{int(hours_since)}小时{what}（阈值{window}小时{error}），更新情况未知"
        en = f"No successful collection for {int(hours_since)} hours (threshold {window}): activity unknown"
    evidence: dict[str, object] = {
        "last_success_at": iso(f.last_success_at),
        "hours_since_success": hours_since,
        "threshold_hours": window,
        "last_error_kind": f.last_error_kind,
        "known_until": iso(f.known_until),
        "collect_method": f.collect_method,
    }
    return draft("collection_blind", f, zh, en, evidence)
