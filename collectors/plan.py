"""The polling plan: per source, accounts × calls × pacing = time per cycle, and calls per day vs quotas.

Platform quotas, not CPU, bound a cycle. Each source declares its calls per account and its quota
(`collectors.sources.SOURCES`); its lane says whether calls wait for one another. A paced lane is
serial (one key) and its cycle must fit the polling interval; other lanes run up to the pass's
concurrency. The calls count comment threads at their bound (``response_posts_per_cycle`` posts per
account and cycle, one call each for a typical thread).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from collectors.base import Options
from collectors.lanes import Lane
from collectors.sources import SOURCES
from registry.config.i18n import tr

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


def plan(accounts_by_method: Mapping[str, int], options: Options, interval_minutes: int, concurrency: int,
         lanes: Mapping[str, Lane] | None = None) -> list[PlanRow]:
    """One row per collected source (``lanes``: the configured lanes, default the declared ones)."""
    cycles = max(1, 1440 // max(1, interval_minutes))
    threads = options.response_posts_per_cycle if options.response_window_days > 0 else 0
    note = tr(f"；留言每号每轮≤{threads}帖", f"; comments ≤{threads} posts per account and cycle") if threads else ""
    rows = []
    for spec in sorted(SOURCES, key=lambda s: s.method):
        n = accounts_by_method.get(spec.method, 0)
        if n == 0:
            continue
        lane = (lanes or {}).get(spec.lane.name, spec.lane)
        per, first = spec.calls(options)
        headroom: float | None
        if lane.paced:
            pacing = max(CALL_SECONDS, lane.min_interval + lane.jitter / 2)
            parallel = min(concurrency, n) if lane.per_credential else 1
            headroom = 1 - n * per * pacing / parallel / (interval_minutes * 60)
            quota = tr(f"每次间隔{pacing:.1f}秒（过快返回418）", f"paced {pacing:.1f} s per call (418 when faster)")
        else:
            pacing, parallel = CALL_SECONDS, concurrency
            quota, headroom = tr("无公开配额", "none published"), None
        if spec.quota is not None:
            quota, headroom = spec.quota(cycles, options)
        if spec.reads_comments:
            quota += note
        cycle = n * per * pacing / parallel
        rows.append(PlanRow(spec.method, n, per, first, pacing, cycle, n * per * cycles, quota,
                            round(headroom, 3) if headroom is not None else None))
    return rows
