"""`wechat_api`: the official account API with the account's AppID/AppSecret.

Posts and their reads come from datacube ``getarticletotal`` (one call per send date: it covers mass
sends and free publishing, but only up to yesterday, and yesterday only after 08:00 Beijing time);
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
from collectors.model import BEIJING, MetricObs, PostObs, merge_metrics
from collectors.parse_wechat import (
    parse_article_total,
    parse_freepublish,
    parse_token,
    parse_user_cumulate,
    parse_user_summary,
    raise_for_errcode,
)
from registry.config.i18n import tr
from registry.observations import tokens
from registry.observations.store import Success, Target

DATACUBE_START = dt.date(2014, 12, 1)
REFRESH_DAYS = 7  # getarticletotal details keep changing for 7 days after sending
TOKEN_MARGIN = dt.timedelta(minutes=5)


def _busy(body: Any) -> bool:
    return isinstance(body, dict) and body.get("errcode") == -1


#: Steady calls per account and cycle: the last 7 datacube days (getarticletotal ×7, getusercumulate
#: and getusersummary ×2 each) plus one freepublish listing (100/day per account); a token at most
#: every two hours (2,000/day).
STEADY_CALLS = 7 + 2 + 2 + 1
FREEPUBLISH_DAILY = 100
TOKEN_DAILY = 2000


def plan_calls(options: Options) -> tuple[int, int]:
    """(steady, first-run) calls per account and cycle."""
    return STEADY_CALLS, options.backfill_days + 2 * 2 * math.ceil(options.backfill_days / 7) + 2


def plan_quota(cycles: int) -> tuple[str, float | None]:
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
                    state: dict[str, Any]) -> object:
        """POST one API call with the token; refresh a stale token at most ``token_refreshes`` times."""
        while True:
            token = state.get("token") or await self._token(appid, secret, now)
            state["token"] = token
            answer = await self.ctx.http.json(
                "POST", f"{self.ctx.options.wechat_base}{path}", where=path.rsplit("/", 1)[-1],
                params={"access_token": token}, json_body=body, retry_if=_busy, lane=self.lane, credential=appid)
            try:
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
        fetched = _cursor_day(target.cursor)
        if target.backfilled_from is None or fetched is None:
            first = last - dt.timedelta(days=self.ctx.options.backfill_days - 1)
        else:
            first = min(fetched + dt.timedelta(days=1), last - dt.timedelta(days=REFRESH_DAYS - 1))
        first = max(first, DATACUBE_START)
        origin = target.backfilled_from if target.backfilled_from and target.backfilled_from < first else first
        return first, last, origin

    async def collect(self, target: Target, now: dt.datetime) -> Success:
        """Collect posts, reads and followers of one official account."""
        cred = self.ctx.credential(target, "appid", "secret")
        appid, secret = cred.get("appid"), cred.get("secret")
        state: dict[str, Any] = {}
        first, last, origin = self._days(target, now)
        posts: dict[str, PostObs] = {}
        metrics: list[list[MetricObs]] = []
        day = first
        while day <= last:
            span = {"begin_date": day.isoformat(), "end_date": day.isoformat()}
            for p in parse_article_total(await self._call("/datacube/getarticletotal", span, appid, secret, now, state)):
                posts[p.post_id] = p
            day += dt.timedelta(days=1)
        start = first
        while start <= last:
            end = min(start + dt.timedelta(days=6), last)
            span = {"begin_date": start.isoformat(), "end_date": end.isoformat()}
            metrics.append(parse_user_cumulate(await self._call("/datacube/getusercumulate", span, appid, secret, now, state)))
            metrics.append(parse_user_summary(await self._call("/datacube/getusersummary", span, appid, secret, now, state)))
            start = end + dt.timedelta(days=1)
        known_until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), BEIJING) if last >= first else None
        fresh = await self._freepublish(appid, secret, now, state, since=known_until)
        for p in fresh:
            posts.setdefault(p.post_id, p)
        return Success(posts=list(posts.values()), metrics=merge_metrics(*metrics),
                       known_until=known_until or (target.known_until or now),
                       cursor=f"day={last.isoformat()}" if last >= first else target.cursor,
                       backfilled_from=origin,
                       supersede=(dt.datetime.combine(first, dt.time(0), BEIJING), known_until, "fp:")
                       if known_until else None)

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


def _cursor_day(cursor: str) -> dt.date | None:
    if cursor.startswith("day="):
        try:
            return dt.date.fromisoformat(cursor[4:])
        except ValueError:
            return None
    return None

