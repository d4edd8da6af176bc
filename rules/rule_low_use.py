"""low_use (关注度和利用率低): reach over the trailing window against floors and against peers.

Metrics over the `window_days` (90) before the observation point: followers (latest), reads per
post and interactions (likes + shares + comments + 在看) per post, each over the posts that carry the
number (Weibo exposes no reads, so it is judged on the others).

Two independent tests, either one opens the finding:

* floors (`min_followers`, `min_reads_per_post`, `min_interactions_per_post`): below any configured
  floor. All are 0 = off by default — policy.md §5.4: no national number exists, floors are local.
* peers: same platform and unit kind, active, not blind, older than the window (self included).
  For each metric the account has and whose group has >= `min_peers` values, its percentile is
  100 x (peers strictly below) / (group size - 1); the account is flagged when it lies below
  `percentile` (10) on every metric that could be judged — "low attention AND low use", on purpose
  conservative because the finding opens a shutdown review.
"""

from __future__ import annotations

import bisect
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rules.calendar import local_date
from rules.config import RuleSettings
from rules.facts import AccountFacts, FindingDraft
from rules.rule_base import ACTIVE, activity_gate, draft, is_blind, iso, observed_until

METRICS: tuple[str, ...] = ("followers", "reads_per_post", "interactions_per_post")
_FLOOR_KEYS = {"followers": "min_followers", "reads_per_post": "min_reads_per_post",
               "interactions_per_post": "min_interactions_per_post"}
_ZH = {"followers": ("粉丝", "人"), "reads_per_post": ("篇均阅读", "次"), "interactions_per_post": ("篇均互动", "次")}


def _num(metric: str, value: object) -> str:
    # Per-post interactions are often below 1; keep one decimal there, whole numbers elsewhere.
    assert isinstance(value, int | float)
    return f"{value:,.1f}" if metric == "interactions_per_post" else f"{value:,.0f}"


@dataclass(frozen=True)
class UseMetrics:
    """An account's reach over the low_use window."""

    window_start: date
    window_end: date
    posts: int
    followers: int | None
    reads_per_post: float | None
    interactions_per_post: float | None

    def get(self, metric: str) -> float | None:
        """One metric by name."""
        value: int | float | None = getattr(self, metric)
        return None if value is None else float(value)


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def use_window(f: AccountFacts, now: datetime, settings: RuleSettings) -> tuple[datetime, datetime]:
    """The low-use window (since, as_of]: `window_days` back from the observation point."""
    as_of = observed_until(f, now)
    return as_of - timedelta(days=settings.get_int("low_use", "window_days", f.unit_kind)), as_of


def use_metrics(f: AccountFacts, now: datetime, settings: RuleSettings) -> UseMetrics:
    """Followers and per-post reads and interactions over the trailing window."""
    since, as_of = use_window(f, now, settings)
    if f.digest is not None:
        if (since, as_of) != (f.digest.use_since, f.digest.as_of):
            raise ValueError(f"digest of account {f.account_id} does not cover the low-use window")
        return UseMetrics(window_start=local_date(since), window_end=local_date(as_of), posts=f.digest.use_posts,
                          followers=f.followers, reads_per_post=f.digest.reads_per_post,
                          interactions_per_post=f.digest.interactions_per_post)
    posts = [p for p in f.posts if since < p.published_at <= as_of]
    interactions = [i for i in (p.interactions() for p in posts) if i is not None]
    return UseMetrics(
        window_start=local_date(since),
        window_end=local_date(as_of),
        posts=len(posts),
        followers=f.followers,
        reads_per_post=_mean([p.reads for p in posts if p.reads is not None]),
        interactions_per_post=_mean(interactions),
    )


def _comparable(f: AccountFacts, now: datetime, settings: RuleSettings) -> bool:
    # Blind accounts' numbers are stale and new accounts have not had a full window: both would
    # distort the peer distribution and must not be judged either.
    if f.status not in ACTIVE or is_blind(f, now, settings):
        return False
    window = settings.get_int("low_use", "window_days", f.unit_kind)
    return f.opened_on is None or f.opened_on <= local_date(observed_until(f, now)) - timedelta(days=window)


class PeerIndex:
    """Sorted metric values per (platform, unit kind) group of comparable accounts."""

    def __init__(self, facts: Sequence[AccountFacts], now: datetime, settings: RuleSettings) -> None:
        """Compute every comparable account's metrics once."""
        self.metrics: dict[int, UseMetrics] = {}
        self.groups: dict[tuple[str, str], dict[str, list[float]]] = defaultdict(lambda: {m: [] for m in METRICS})
        for f in facts:
            if f.account_id in self.metrics or not _comparable(f, now, settings):
                continue
            m = self.metrics[f.account_id] = use_metrics(f, now, settings)
            for name in METRICS:
                value = m.get(name)
                if value is not None:
                    self.groups[(f.platform, f.unit_kind)][name].append(value)
        self.medians: dict[tuple[str, str], dict[str, float]] = {}
        for key, group in self.groups.items():
            for values in group.values():
                values.sort()
            # Once per group: a median per judged account would make the rule quadratic in peers.
            self.medians[key] = {m: statistics.median(v) for m, v in group.items() if v}

    def values(self, f: AccountFacts, metric: str) -> list[float]:
        """The sorted values of metric among f's peers (f included)."""
        return self.groups.get((f.platform, f.unit_kind), {}).get(metric, [])

    def median(self, f: AccountFacts, metric: str) -> float:
        """The median of metric among f's peers (f included); only asked when there are values."""
        return self.medians[(f.platform, f.unit_kind)][metric]


def _judge(f: AccountFacts, now: datetime, settings: RuleSettings, index: PeerIndex) -> FindingDraft | None:
    if not activity_gate("low_use", f, now, settings) or f.account_id not in index.metrics:
        return None
    m, kind = index.metrics[f.account_id], f.unit_kind
    floors = {k: settings.get_float("low_use", key, kind) for k, key in _FLOOR_KEYS.items()}
    breaches = [k for k, floor in floors.items() if floor > 0 and (v := m.get(k)) is not None and v < floor]
    cut, min_peers = settings.get_float("low_use", "percentile", kind), settings.get_int("low_use", "min_peers", kind)
    ranks: dict[str, dict[str, object]] = {}
    for metric in METRICS:
        value, values = m.get(metric), index.values(f, metric)
        if cut <= 0 or value is None or len(values) < min_peers:
            continue
        pct = 100 * bisect.bisect_left(values, value) / (len(values) - 1)
        ranks[metric] = {"value": round(value, 2), "percentile": round(pct, 1), "peers": len(values),
                         "peer_median": round(index.median(f, metric), 2), "bottom": pct < cut}
    bottom = bool(ranks) and all(r["bottom"] for r in ranks.values())
    if not breaches and not bottom:
        return None
    numbers = "、".join(f"{_ZH[k][0]}{_num(k, v)}{_ZH[k][1]}" for k in METRICS if (v := m.get(k)) is not None)
    why = []
    if bottom:
        medians = "、".join(f"{_ZH[k][0]}{_num(k, r['peer_median'])}" for k, r in ranks.items())
        why.append(f"处于同平台同类单位账号后{cut:g}%（同类中位数：{medians}）")
    if breaches:
        why.append("低于本地标准（" + "、".join(f"{_ZH[k][0]}不少于{floors[k]:g}" for k in breaches) + "）")
    days = settings.get_int("low_use", "window_days", kind)
    zh = f"关注度和利用率低：近{days}天{numbers or '无可用数据'}，" + "，".join(why) + "，建议列入整合或关停评估"
    en = f"Low attention and use over {days} days ({', '.join(['bottom percentile'] * bottom + breaches)})"
    evidence: dict[str, object] = {
        "window_days": days,
        "window_start": iso(m.window_start),
        "window_end": iso(m.window_end),
        "posts_in_window": m.posts,
        "followers": m.followers,
        "followers_at_window_start": f.followers_at_window_start,
        "reads_per_post": None if m.reads_per_post is None else round(m.reads_per_post, 2),
        "interactions_per_post": None if m.interactions_per_post is None else round(m.interactions_per_post, 2),
        "peer_group": {"platform": f.platform, "unit_kind": kind},
        "percentile_threshold": cut,
        "min_peers": min_peers,
        "percentiles": ranks,
        "floors": {k: v for k, v in floors.items() if v > 0},
        "floor_breaches": breaches,
        "reasons": ["percentile"] * bottom + ["floor"] * bool(breaches),
    }
    return draft("low_use", f, zh, en, evidence)


def low_use(f: AccountFacts, now: datetime, settings: RuleSettings, peers: Sequence[AccountFacts]) -> FindingDraft | None:
    """关注度和利用率低 for one account among peers (any list of facts; f is added when absent)."""
    pool = list(peers) if any(p.account_id == f.account_id for p in peers) else [f, *peers]
    return _judge(f, now, settings, PeerIndex(pool, now, settings))


def low_use_all(facts: Sequence[AccountFacts], now: datetime, settings: RuleSettings) -> list[FindingDraft]:
    """low_use over every account, building the peer index once."""
    index = PeerIndex(facts, now, settings)
    return [d for f in facts if (d := _judge(f, now, settings, index)) is not None]
