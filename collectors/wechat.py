"""`wechat_api`: the official account API with the account's AppID/AppSecret.

Posts and their figures come from datacube ``getarticletotaldetail`` for days from 2025-11-01 (one call
per publish day: reads, 在看, likes, comments, shares, favourites of mass-sent and published articles)
with ``getbizsummary`` for the account's daily totals; days whose answer says ``is_delay`` are read again
next cycle until final (the cursor keeps the oldest such day), for `PROVISIONAL_DAYS` at most. Days before 2025-11-01 use the old
``getarticletotal``. Both cover only up to yesterday, and yesterday only after 08:00 Beijing time.
Comments (留言) of mass-sent articles inside the responsiveness window come from ``comment/list``;
followers from ``getusercumulate``/``getusersummary`` (7-day spans); articles published without a
mass send today from ``freepublish/batchget``. The token is a stable token cached (sealed) in the
database for every process; a rejected token is refreshed a capped number of times, unlike wechatpy
which retries forever.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace
from typing import Any

from collectors.base import Context, Options
from collectors.errors import PlatformError
from collectors.lanes import Lane
from collectors.model import BEIJING, MetricObs, PostObs, ResponseObs, merge_metrics
from collectors.parse_wechat import (
    parse_article_total,
    parse_freepublish,
    parse_token,
    parse_user_cumulate,
    parse_user_summary,
    raise_for_errcode,
)
from collectors.parse_wechat_stats import STATS_START, parse_article_total_detail, parse_biz_summary
from collectors.threads import comment_threads, pick_threads
from collectors.wechat_comments import COMMENT_FACTS, read_comments
from registry.config.i18n import tr
from registry.observations import tokens
from registry.observations.store import Success, Target

DATACUBE_START = dt.date(2014, 12, 1)
REFRESH_DAYS = 7  # figures keep changing after sending: the last week is read again every cycle
#: A day datacube still calls provisional (is_delay) is read again only while it is this recent; older, its
#: last figures stay, marked provisional. Without the bound one day that never clears kept every pass
#: re-reading all days since (150 calls after 60 days, 45011 on every pass after 180).
PROVISIONAL_DAYS = 14
TOKEN_MARGIN = dt.timedelta(minutes=5)


def _busy(body: Any) -> bool:
    return isinstance(body, dict) and body.get("errcode") == -1


#: Steady calls per account and cycle: the last 7 datacube days (getarticletotal ×7, getusercumulate
#: and getusersummary ×2 each) plus one freepublish listing (100/day per account); a token at most
#: every two hours (2,000/day).
#: Steady calls per cycle: 7 days of getarticletotaldetail and of getbizsummary (one day per call from
#: 2025-11-01), getusercumulate and getusersummary ×2, one freepublish listing.
STEADY_CALLS = 7 + 7 + 2 + 2 + 1
FREEPUBLISH_DAILY = 100
TOKEN_DAILY = 2000


def plan_calls(options: Options) -> tuple[int, int]:
    """(steady, first-run) calls per account and cycle."""
    threads = comment_threads(options)
    # Two statistics calls (detail, bizsummary) per back-filled day.
    first = 2 * options.backfill_days + 2 * 2 * math.ceil(options.backfill_days / 7) + 2 + threads
    return STEADY_CALLS + threads, first


def plan_quota(cycles: int, options: Options) -> tuple[str, float | None]:
    """The tightest published quota at ``cycles`` per day, and the fraction of it left unused."""
    headroom = 1 - max(cycles / FREEPUBLISH_DAILY, 12 / TOKEN_DAILY)
    return tr(f"发布列表 每号每日{cycles}/{FREEPUBLISH_DAILY}次",
              f"freepublish {cycles}/{FREEPUBLISH_DAILY} per account per day"), headroom


class WeChatSource:
    """Collector for WeChat official accounts."""

    method = "wechat_api"
    #: Quotas are per account (freepublish 100/day) and not a rate: calls are only bounded in flight.
    lane = Lane("wechat_api", concurrency=4)

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def _token(self, appid: str, secret: str, now: dt.datetime, *, stale: str | None = None) -> str:
        key = f"wechat:{appid}"
        if stale is None:
            cached = await tokens.cached_token(key, secret, now, TOKEN_MARGIN)
            if cached:
                return cached
        base = self.ctx.options.wechat_base
        body = await self.ctx.http.json(
            "POST", f"{base}/cgi-bin/stable_token", where="stable_token", retry_if=_busy,
            lane=self.lane, credential=appid, json_body={"grant_type": "client_credential", "appid": appid, "secret": secret,
                       "force_refresh": False})
        token, expires = parse_token(body)
        if stale is not None and token == stale:
            # The platform still hands out the token it just rejected: force a new one (20/day).
            body = await self.ctx.http.json(
                "POST", f"{base}/cgi-bin/stable_token", where="stable_token", retry_if=_busy,
                lane=self.lane, credential=appid, json_body={"grant_type": "client_credential", "appid": appid, "secret": secret, "force_refresh": True})
            token, expires = parse_token(body)
        await tokens.store_token(key, secret, token, now + dt.timedelta(seconds=expires), now)
        return token

    async def _call(self, path: str, body: dict[str, Any], appid: str, secret: str, now: dt.datetime,
                    state: dict[str, Any], facts: frozenset[int] = frozenset()) -> object:
        """POST one API call with the token; refresh a stale token at most ``token_refreshes`` times.

        Bodies with an errcode in ``facts`` are answers for the parser (comment/list's 88000), not failures.
        """
        while True:
            token = state.get("token") or await self._token(appid, secret, now)
            state["token"] = token
            answer = await self.ctx.http.json(
                "POST", f"{self.ctx.options.wechat_base}{path}", where=path.rsplit("/", 1)[-1],
                params={"access_token": token}, json_body=body, retry_if=_busy, lane=self.lane, credential=appid)
            try:
                if not (isinstance(answer, dict) and answer.get("errcode") in facts):
                    raise_for_errcode(answer)
            except PlatformError as exc:
                if not exc.token_stale or state.get("refreshes", 0) >= self.ctx.options.token_refreshes:
                    raise
                state["refreshes"] = state.get("refreshes", 0) + 1
                await tokens.drop_token(f"wechat:{appid}")
                try:
                    state["token"] = await self._token(appid, secret, now, stale=token)
                except PlatformError as refresh_error:
                    # The rejected token is the problem to report, not the refresh's rate limit.
                    raise exc from refresh_error
                continue
            return answer

    def _days(self, target: Target, now: dt.datetime) -> tuple[dt.date, dt.date, dt.date]:
        """(first day to fetch, last day to fetch, first day ever fetched) of datacube data."""
        local = now.astimezone(BEIJING)
        last = local.date() - dt.timedelta(days=1 if local.hour >= self.ctx.options.wechat_data_hour else 2)
        fetched, delayed = _cursor_days(target.cursor)
        if target.backfilled_from is None or fetched is None:
            first = last - dt.timedelta(days=self.ctx.options.backfill_days - 1)
        else:
            first = min(fetched + dt.timedelta(days=1), last - dt.timedelta(days=REFRESH_DAYS - 1))
            if delayed is not None:  # provisional numbers are updated while recent, then left marked
                first = min(first, max(delayed, last - dt.timedelta(days=PROVISIONAL_DAYS - 1)))
        first = max(first, DATACUBE_START)
        origin = target.backfilled_from if target.backfilled_from and target.backfilled_from < first else first
        return first, last, origin

    async def _day(self, day: dt.date, call: Any, posts: dict[str, PostObs], mass: set[str],
                   metrics: list[list[MetricObs]]) -> bool:
        """Read one day's articles (and account totals); True when the platform says they are provisional."""
        span = {"begin_date": day.isoformat(), "end_date": day.isoformat()}
        if day < STATS_START:
            for p in parse_article_total(await call("/datacube/getarticletotal", span)):
                posts[p.post_id] = replace(p, stats_source="getarticletotal")
            return False
        detail = parse_article_total_detail(await call("/datacube/getarticletotaldetail", span))
        for p in detail.posts:
            posts[p.post_id] = p
        mass.update(detail.mass_sent)
        totals, provisional = parse_biz_summary(await call("/datacube/getbizsummary", span))
        metrics.append(totals)
        return detail.provisional or provisional

    async def collect(self, target: Target, now: dt.datetime) -> Success:
        """Collect posts, reach, followers and answers to comments of one official account."""
        cred = self.ctx.credential(target, "appid", "secret")
        appid, secret = cred.get("appid"), cred.get("secret")
        state: dict[str, Any] = {}

        async def call(path: str, body: dict[str, Any]) -> object:
            return await self._call(path, body, appid, secret, now, state, COMMENT_FACTS)

        first, last, origin = self._days(target, now)
        posts: dict[str, PostObs] = {}
        mass: set[str] = set()
        metrics: list[list[MetricObs]] = []
        delayed: dt.date | None = None
        day = first
        while day <= last:
            if await self._day(day, call, posts, mass, metrics) and delayed is None:
                delayed = day
            day += dt.timedelta(days=1)
        start = first
        while start <= last:
            end = min(start + dt.timedelta(days=6), last)
            span = {"begin_date": start.isoformat(), "end_date": end.isoformat()}
            metrics.append(parse_user_cumulate(await call("/datacube/getusercumulate", span)))
            metrics.append(parse_user_summary(await call("/datacube/getusersummary", span)))
            start = end + dt.timedelta(days=1)
        known_until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), BEIJING) if last >= first else None
        fresh = await self._freepublish(appid, secret, now, state, since=known_until)
        for p in fresh:
            posts.setdefault(p.post_id, p)
        answers = await self._answers(target, posts, mass, now, call)
        cursor = target.cursor
        if last >= first:
            cursor = f"day={last.isoformat()}" + (f";delay={delayed.isoformat()}" if delayed else "")
        return Success(posts=list(posts.values()), metrics=merge_metrics(*metrics),
                       known_until=known_until or (target.known_until or now),
                       cursor=cursor, backfilled_from=origin, responses=answers,
                       supersede=(dt.datetime.combine(first, dt.time(0), BEIJING), known_until, "fp:")
                       if known_until else None)

    async def _answers(self, target: Target, posts: dict[str, PostObs], mass: set[str], now: dt.datetime,
                       call: Any) -> list[ResponseObs]:
        """Comments and answers of the mass-sent posts picked for this cycle."""
        opts = self.ctx.options
        # Only mass sends have readable comments; of the stored queue, comment/list itself tells (88001).
        readable = [p for p in posts.values() if p.post_id in mass]
        picks = await pick_threads(target.account_id, readable, now, opts.response_window_days,
                                   opts.response_posts_per_cycle)
        since = now - dt.timedelta(days=opts.response_window_days)
        # Published-only articles cannot be read: stored as read with nothing known, so they leave the queue.
        unreadable = [p.post_id for p in posts.values() if p.post_id not in mass and p.published_at >= since]
        skip = set(unreadable)
        try:
            answers = await read_comments(call, [p for p in picks if p.post_id not in skip], now)
        except PlatformError:
            answers = []  # the posts and figures stand; comments stay unknown until a later cycle
        if opts.response_window_days > 0:
            answers += [ResponseObs(post_id=pid, checked_at=now) for pid in unreadable]
        return answers

    async def _freepublish(self, appid: str, secret: str, now: dt.datetime, state: dict[str, Any],
                           since: dt.datetime | None) -> list[PostObs]:
        """Free-published articles newer than the datacube coverage (today's, mostly)."""
        body = await self._call("/cgi-bin/freepublish/batchget", {"offset": 0, "count": 20, "no_content": 1},
                                appid, secret, now, state)
        found, _total = parse_freepublish(body)
        # Older ones are already in datacube under their msgid; keeping only newer ones avoids
        # storing one article twice under two ids.
        # Prefixed ids mark them provisional: once datacube covers their day, the msgid copy replaces them.
        return [replace(p, post_id=f"fp:{p.post_id}") for p in found if since is None or p.published_at >= since]


def _cursor_days(cursor: str) -> tuple[dt.date | None, dt.date | None]:
    """(last day fetched, oldest day whose figures were still provisional) from ``day=…[;delay=…]``."""
    values = dict(part.partition("=")[::2] for part in cursor.split(";") if "=" in part)
    return _iso(values.get("day")), _iso(values.get("delay"))


def _iso(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None
