"""The polling plan: per source, accounts × calls × pacing = time per cycle, and calls per day vs quotas.

Platform quotas, not CPU, bound a cycle. Steady-state calls per account and cycle:
wechat_api re-reads the last 7 datacube days (getarticletotaldetail and getbizsummary, one day per call:
×7 each; getusercumulate and getusersummary ×2 each) plus one freepublish listing (quota 100/day per
account) and, at most every two hours, a token; weibo_api two calls; weibo_public a profile and up to
two pages, serialised by the host's pacing; feed one conditional GET. On top, comment threads: at most
``response_posts_per_cycle`` posts per account and cycle (comment/list, comments/show or hotflow, one
call each for a typical thread), counted here at that bound.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from collectors.base import Options
from registry.config.i18n import tr

WECHAT_STEADY_CALLS = 7 + 7 + 2 + 2 + 1
FREEPUBLISH_DAILY = 100
TOKEN_DAILY = 2000
WEIBO_USER_HOURLY = 150  # open-API default tier per user per app
CALL_SECONDS = 0.3  # typical round trip without pacing


@dataclass(frozen=True)
class PlanRow:
    """The plan for one source."""

    method: str
    accounts: int
    calls_per_account: int
    first_calls_per_account: int
    pacing_s: float
    cycle_seconds: float
    calls_per_day: int
    quota: str
    headroom: float | None  # fraction of the tightest quota left unused (None: no published quota)


def plan(accounts_by_method: Mapping[str, int], options: Options, interval_minutes: int, concurrency: int) -> list[PlanRow]:
    """One row per collected source."""
    cycles = max(1, 1440 // max(1, interval_minutes))
    threads = options.response_posts_per_cycle if options.response_window_days > 0 else 0
    note = tr(f"；留言每号每轮≤{threads}帖", f"; comments ≤{threads} posts per account and cycle") if threads else ""
    rows = []
    for method, n in sorted(accounts_by_method.items()):
        if method == "manual" or n == 0:
            continue
        if method == "wechat_api":
            # One day per call from 2025-11-01: two calls (detail, bizsummary) per back-filled day.
            per = WECHAT_STEADY_CALLS + threads
            first = 2 * options.backfill_days + 2 * 2 * math.ceil(options.backfill_days / 7) + 2 + threads
            pacing, parallel = CALL_SECONDS, concurrency
            per_account_day = cycles * 1
            headroom = 1 - max(per_account_day / FREEPUBLISH_DAILY, 12 / TOKEN_DAILY)
            quota = tr(f"发布列表 每号每日{per_account_day}/{FREEPUBLISH_DAILY}次", f"freepublish {per_account_day}/{FREEPUBLISH_DAILY} per account per day")
        elif method == "weibo_api":
            per, first, pacing, parallel = 2 + threads, 2 + options.weibo_max_pages + threads, CALL_SECONDS, concurrency
            headroom = 1 - (per * cycles / 24) / WEIBO_USER_HOURLY
            quota = tr(f"每用户每小时{per * cycles / 24:.1f}/{WEIBO_USER_HOURLY}次", f"{per * cycles / 24:.1f}/{WEIBO_USER_HOURLY} calls per user per hour")
        elif method == "weibo_public":
            per, first = 3 + threads, 1 + options.weibo_max_pages + threads
            pacing = max(CALL_SECONDS, options.weibo_min_interval + options.weibo_jitter / 2)
            parallel = 1  # one host, paced: calls are serial
            seconds = n * per * pacing
            headroom = 1 - seconds / (interval_minutes * 60)
            quota = tr(f"每次间隔{pacing:.1f}秒（过快返回418）", f"paced {pacing:.1f} s per call (418 when faster)")
        else:
            per, first, pacing, parallel = 1, 1, CALL_SECONDS, concurrency
            headroom, quota = None, tr("无公开配额", "none published")
        if method in ("wechat_api", "weibo_api", "weibo_public"):
            quota += note
        cycle = n * per * pacing / parallel
        rows.append(PlanRow(method, n, per, first, pacing, cycle, n * per * cycles, quota,
                            round(headroom, 3) if headroom is not None else None))
    return rows
