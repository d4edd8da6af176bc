"""The source registry: every way of collecting an account, declared once.

`build_sources`, the polling plan, `doctor` (through the data the composition root hands it) and the
ledger's vocabulary test all read `SOURCES`; adding a platform is a source module, its parser,
recorded fixtures, tests and one line here (see collectors/CHECKLIST.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from collectors import feed, wechat, weibo
from collectors.base import Context, Options, Source
from collectors.lanes import Lane, configured
from registry.config.settings import Settings


@dataclass(frozen=True)
class SourceSpec:
    """One collection method: how to build its source, its lane, and what planning and checks need."""

    method: str
    build: Callable[[Context], Source]
    lane: Lane
    #: Config table holding the lane's pacing keys (min_interval, jitter, concurrency, per_credential).
    config: str
    #: Ledger platforms it can collect ("*": any).
    platforms: tuple[str, ...]
    #: What each account needs: "credential" (a secrets-file credential) and/or "feed_url".
    needs: tuple[str, ...]
    #: (steady, first-run) calls per account and cycle.
    calls: Callable[[Options], tuple[int, int]]
    #: The platform's published quota at n cycles a day: (text, unused fraction); None: none published.
    quota: Callable[[int, Options], tuple[str, float | None]] | None = None
    #: Whether it reads comment threads (counted in ``calls`` at the per-cycle bound).
    reads_comments: bool = False


SOURCES: tuple[SourceSpec, ...] = (
    SourceSpec("wechat_api", wechat.WeChatSource, wechat.WeChatSource.lane, "lanes.wechat_api", ("wechat",),
               ("credential",), wechat.plan_calls, wechat.plan_quota, reads_comments=True),
    SourceSpec("weibo_api", weibo.WeiboApiSource, weibo.WeiboApiSource.lane, "lanes.weibo_api", ("weibo",),
               ("credential",), weibo.api_plan_calls, weibo.api_plan_quota, reads_comments=True),
    SourceSpec("weibo_public", weibo.WeiboPublicSource, weibo.WeiboPublicSource.lane, "platforms.weibo", ("weibo",),
               (), weibo.public_plan_calls, reads_comments=True),
    SourceSpec("feed", feed.FeedSource, feed.FeedSource.lane, "lanes.feed", ("*",), ("feed_url",),
               lambda _options: (1, 1)),
)


def by_method() -> dict[str, SourceSpec]:
    """The registry keyed by collection method."""
    return {s.method: s for s in SOURCES}


def build_sources(ctx: Context) -> dict[str, Source]:
    """One source per collection method."""
    return {s.method: s.build(ctx) for s in SOURCES}


def lanes_from(settings: Settings) -> dict[str, Lane]:
    """Every source's lane as configured.

    A lane reads its keys from its source's table (``[platforms.weibo] min_interval`` and ``jitter`` for
    m.weibo.cn, as before) and then from ``[lanes.NAME]``; concurrency defaults to
    ``[collect] per_host_concurrency`` (the key keeps its old name; it now bounds each lane).
    """
    default_concurrency = int(settings.get("collect.per_host_concurrency", 4))
    out: dict[str, Lane] = {}
    for spec in SOURCES:
        lane = configured(spec.lane, settings.section(spec.config), min(default_concurrency, spec.lane.concurrency)
                          if spec.lane.paced else default_concurrency)
        if spec.config != f"lanes.{lane.name}":
            lane = configured(lane, settings.section(f"lanes.{lane.name}"), lane.concurrency)
        out[lane.name] = lane
    return out


def method_needs() -> Mapping[str, tuple[str, ...]]:
    """What each method's accounts need, as data for `registry.ops.doctor`."""
    return {s.method: s.needs for s in SOURCES}
