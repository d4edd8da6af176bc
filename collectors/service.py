"""The collection use cases the CLI and the scheduler call: build sources from config, run a pass."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace

import httpx

from collectors.base import Context, Options
from collectors.http import DEFAULT_CALL_DEADLINE, Bounds, Http, RetryPolicy
from collectors.lanes import LaneBook, LocalSlots
from collectors.model import BEIJING
from collectors.run import PassSummary, Progress, Runner
from collectors.sources import build_sources, lanes_from
from registry.config.credentials import Secrets
from registry.config.settings import Settings
from registry.observations import lanes as lane_store
from registry.observations import store as obs
from registry.observations.lanes import DbSlots


def options_from(settings: Settings) -> Options:
    """Collection options from the config."""
    c = settings.section("collect")
    weibo = settings.section("platforms.weibo")
    return Options(
        wechat_base=str(settings.get("platforms.wechat.api_base")).rstrip("/"),
        weibo_base=str(weibo.get("api_base", "https://api.weibo.com")).rstrip("/"),
        weibo_mobile_base=str(weibo.get("mobile_base", "https://m.weibo.cn")).rstrip("/"),
        feed_base=str(settings.get("platforms.feed.base_url", "")).rstrip("/"),
        backfill_days=int(c.get("backfill_days", 92)),
        weibo_max_pages=int(weibo.get("max_pages", 10)),
        response_window_days=int(c.get("response_window_days", 30)),
        response_posts_per_cycle=int(c.get("response_posts_per_cycle", 10)),
        weibo_cookie_credential=str(weibo.get("cookie_credential", "weibo_cookie")),
    )



MB = 1024 * 1024
#: Defaults of the [collect] deadlines (seconds): one account, one whole pass.
DEFAULT_ACCOUNT_DEADLINE = 600.0
DEFAULT_PASS_DEADLINE = 1800.0


def bounds_from(settings: Settings) -> Bounds:
    """Each call's total deadline and body caps from ``[collect]`` (call_deadline, max_body_mb, max_feed_mb)."""
    c = settings.section("collect")
    return Bounds(call_deadline=float(c.get("call_deadline", DEFAULT_CALL_DEADLINE)),
                  max_body={"api": int(float(c.get("max_body_mb", 8)) * MB),
                            "feed": int(float(c.get("max_feed_mb", 32)) * MB)})


def http_from(settings: Settings, client: httpx.AsyncClient, lanes: LaneBook,
              retry: RetryPolicy | None = None) -> Http:
    """The collectors' HTTP seam as configured: retries, lanes, deadlines and body caps."""
    return Http(client, retry=retry or RetryPolicy(attempts=int(settings.get("collect.retries", 3))), lanes=lanes,
                bounds=bounds_from(settings))


async def collect(
    settings: Settings,
    secrets: Secrets,
    client: httpx.AsyncClient,
    *,
    account_ids: Sequence[int] | None = None,
    platform: str | None = None,
    since: dt.date | None = None,
    progress: Progress | None = None,
    clock: Callable[[], dt.datetime] | None = None,
    retry: RetryPolicy | None = None,
    due_interval: dt.timedelta | None = None,
    lanes: LaneBook | None = None,
    urgent_after_days: int | None = None,
) -> PassSummary:
    """Run one collection pass over the due accounts.

    Calls are paced and limited by lane (`collectors.sources`); on PostgreSQL the lanes' slots live in
    the database so that several ``run --worker`` processes together keep each lane's pace. ``lanes``
    injects another book (tests: a virtual sleep); its lane settings are taken from the config.
    """
    clock = clock or (lambda: dt.datetime.now(BEIJING))
    options = options_from(settings)
    if since is not None:
        options.backfill_days = max(1, (clock().astimezone(BEIJING).date() - since).days + 1)
    book = lanes or lane_book(settings)
    book.overrides = lanes_from(settings)
    http = http_from(settings, client, book, retry)
    ctx = Context(http=http, secrets=secrets, options=options, clock=clock)
    # A scheduled cycle (due_interval) takes only due accounts and marks them due again after it.
    targets = await obs.targets(account_ids=account_ids, platform=platform,
                                due_at=clock() if due_interval is not None else None)
    if since is not None:
        targets = [replace(t, backfilled_from=None, cursor="", known_until=None) for t in targets]
    runner = Runner(build_sources(ctx), clock, concurrency=int(settings.get("collect.concurrency", 8)),
                    lease_ttl=dt.timedelta(minutes=float(settings.get("collect.lease_minutes", 15))),
                    secret_values=secrets.values(), due_interval=due_interval,
                    urgent_interval=dt.timedelta(minutes=float(settings.get("collect.urgent_interval_minutes", 15)))
                    if due_interval is not None else None,
                    urgent_after_days=urgent_after_days or obs.FALLBACK_URGENT_AFTER_DAYS,
                    account_deadline=float(settings.get("collect.account_deadline", DEFAULT_ACCOUNT_DEADLINE)),
                    pass_deadline=float(settings.get("collect.pass_deadline", DEFAULT_PASS_DEADLINE)))
    return await runner.run_pass(targets, progress)


def lane_book(settings: Settings) -> LaneBook:
    """The lanes as configured, their slots in the database on PostgreSQL (keyed by each lane's pace, so a
    changed config releases the slots claimed under the old one) and in memory on SQLite."""
    configured = lanes_from(settings)
    if not lane_store.uses_database():
        return LaneBook(slots=LocalSlots(), overrides=configured)
    paces = {name: f"{lane.min_interval:g}+{lane.jitter:g}" for name, lane in configured.items()}
    return LaneBook(slots=DbSlots(paces), overrides=configured)
