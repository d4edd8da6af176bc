"""`weibo_api` (open API with the account's OAuth token) and `weibo_public` (m.weibo.cn, paced).

m.weibo.cn answers HTTP 418 when called too fast, 432 or ``ok:-100`` when it wants a cookie: both
put the whole source into a cool-down for the rest of the pass. ``ok:0`` on a profile means the
account is gone. Pinned posts are listed first and may be old: they never end paging early and are
never taken as the latest post unless they truly are the newest.

Both read the comments of posts inside the responsiveness window and whether the account answered
(`collectors.weibo_comments`), bounded per cycle; a failure there leaves those posts unknown and never
fails the collection of the posts themselves.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from collectors.base import Context, Options
from collectors.errors import ErrorKind, PlatformError
from collectors.lanes import Lane
from collectors.model import BEIJING, MetricObs, PostObs, ResponseObs
from collectors.parse_common import decode_json
from collectors.parse_weibo_api import parse_user_show, parse_user_timeline, raise_for_error
from collectors.parse_weibo_mobile import (
    parse_posts_containerid,
    parse_posts_page,
    parse_profile,
    raise_for_http_status,
    raise_for_throttled_body,
)
from collectors.threads import comment_threads, pick_threads
from collectors.weibo_comments import read_mobile, read_open_api
from registry.config.i18n import tr
from registry.observations.store import Success, Target

MOBILE_HEADERS = {
    "MWeibo-Pwa": "1",
    "X-Requested-With": "XMLHttpRequest",
    "User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
}


WEIBO_USER_HOURLY = 150  # open-API default tier per user per app


def api_plan_calls(options: Options) -> tuple[int, int]:
    """weibo_api: (steady, first-run) calls per account and cycle (profile and a timeline page)."""
    threads = comment_threads(options)
    return 2 + threads, 2 + options.weibo_max_pages + threads


def api_plan_quota(cycles: int, options: Options) -> tuple[str, float | None]:
    """weibo_api: calls per user and hour against the open API's tier."""
    hourly = api_plan_calls(options)[0] * cycles / 24
    return tr(f"每用户每小时{hourly:.1f}/{WEIBO_USER_HOURLY}次", f"{hourly:.1f}/{WEIBO_USER_HOURLY} calls per user per hour"), \
        1 - hourly / WEIBO_USER_HOURLY


def public_plan_calls(options: Options) -> tuple[int, int]:
    """weibo_public: (steady, first-run) calls per account and cycle (a profile and up to two pages)."""
    threads = comment_threads(options)
    return 3 + threads, 1 + options.weibo_max_pages + threads


class WeiboApiSource:
    """Collector for Weibo accounts that authorised our app (open API)."""

    method = "weibo_api"
    #: The open API's limits are per user and hour (a quota the planner checks), not a pace.
    lane = Lane("weibo_api", concurrency=4)

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def _get(self, path: str, params: dict[str, Any], credential: str) -> object:
        resp = await self.ctx.http.request("GET", f"{self.ctx.options.weibo_base}{path}", where=path, params=params,
                                           lane=self.lane, credential=credential)
        try:
            body: object = resp.json()
        except ValueError:
            raise PlatformError(ErrorKind.PARSE, f"{path}: body is not JSON (HTTP {resp.status_code})") from None
        raise_for_error(body)
        if resp.status_code >= 400:
            raise PlatformError(ErrorKind.NETWORK, f"{path}: HTTP {resp.status_code}", code=str(resp.status_code))
        return body

    async def collect(self, target: Target, now: dt.datetime) -> Success:
        """Profile (followers) and the timeline since the last seen post."""
        token = self.ctx.credential(target, "access_token").get("access_token")
        profile = parse_user_show(await self._get("/2/users/show.json", {"access_token": token, "uid": target.uid},
                                                   target.credential))
        since = target.cursor.removeprefix("since_id=") if target.cursor.startswith("since_id=") else ""
        posts: list[PostObs] = []
        for page in range(1, self.ctx.options.weibo_max_pages + 1):
            params: dict[str, Any] = {"access_token": token, "uid": target.uid, "count": 100, "page": page}
            if since:
                params["since_id"] = since
            batch = parse_user_timeline(await self._get("/2/statuses/user_timeline.json", params, target.credential))
            posts.extend(batch)
            if len(batch) < 100:
                break
        newest = max((int(p.post_id) for p in posts if p.post_id.isdigit()), default=0)
        cursor = f"since_id={newest}" if newest else target.cursor
        today = now.astimezone(BEIJING).date()
        answers = await self._answers(target, token, posts, now)
        return Success(posts=posts, metrics=[MetricObs(day=today, followers=profile.followers,
                                                          followers_approx=profile.followers_approx)], known_until=now,
                       cursor=cursor, backfilled_from=today, responses=answers)

    async def _answers(self, target: Target, token: str, posts: list[PostObs], now: dt.datetime) -> list[ResponseObs]:
        opts = self.ctx.options
        picks = await pick_threads(target.account_id, posts, now, opts.response_window_days,
                                   opts.response_posts_per_cycle)

        async def get(params: dict[str, Any]) -> object:
            return await self._get("/2/comments/show.json", {"access_token": token, **params}, target.credential)

        try:
            return await read_open_api(get, picks, {p.post_id: p for p in posts}, target.uid, now)
        except PlatformError:
            return []  # the posts stand; their comments stay unknown until a later cycle


class WeiboPublicSource:
    """Collector for Weibo accounts through m.weibo.cn's public JSON (paced, cookie-aware)."""

    method = "weibo_public"
    #: m.weibo.cn answers 418 to fast callers: one call at a time, 3-5 s apart (``[platforms.weibo]``).
    lane = Lane("weibo_public", min_interval=3.0, jitter=2.0, concurrency=1)

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.cooldown_until: dt.datetime | None = None
        self.cooldown_reason: PlatformError | None = None

    async def _get(self, target: Target, params: dict[str, Any], cookie: str) -> object:
        headers = {**MOBILE_HEADERS, "Referer": f"{self.ctx.options.weibo_mobile_base}/u/{target.uid}"}
        if cookie:
            headers["Cookie"] = cookie
        resp = await self.ctx.http.request("GET", f"{self.ctx.options.weibo_mobile_base}/api/container/getIndex",
                                           where="getIndex", params=params, headers=headers,
                                           check_status=raise_for_http_status, lane=self.lane,
                                           credential=target.credential, gate=self._not_cooling)
        if resp.status_code >= 400:
            raise_for_throttled_body(resp.content)
            raise PlatformError(ErrorKind.NETWORK, f"getIndex: HTTP {resp.status_code}", code=str(resp.status_code))
        try:
            body: object = resp.json()
        except ValueError:
            raise PlatformError(ErrorKind.PARSE, "getIndex: body is not JSON") from None
        return body

    def _not_cooling(self, now: dt.datetime | None = None) -> None:
        """Raise the cool-down while one runs: also for a call that was waiting its turn when it began."""
        now = now or self.ctx.clock()
        if self.cooldown_until and self.cooldown_reason and now < self.cooldown_until:
            # Same kind as the failure that started the cool-down: a cookie problem stays "auth".
            reason = self.cooldown_reason
            raise PlatformError(reason.kind, f"m.weibo.cn cool-down until {self.cooldown_until:%H:%M} after: {reason.message}",
                                code=reason.code, cooldown_s=int((self.cooldown_until - now).total_seconds()))

    async def collect(self, target: Target, now: dt.datetime) -> Success:
        """Profile and newest pages of posts, until known history or the back-fill horizon."""
        self._not_cooling(now)
        cookie = ""
        if target.credential:
            cookie = self.ctx.credential(target, "cookie").get("cookie")
        try:
            return await self._collect(target, now, cookie)
        except PlatformError as exc:
            if exc.cooldown_s and exc.kind in (ErrorKind.QUOTA, ErrorKind.AUTH):
                self.cooldown_until = now + dt.timedelta(seconds=exc.cooldown_s)
                self.cooldown_reason = exc
            raise

    async def _collect(self, target: Target, now: dt.datetime, cookie: str) -> Success:
        body = await self._get(target, {"type": "uid", "value": target.uid}, cookie)
        profile = parse_profile(body)
        containerid = parse_posts_containerid(body) or f"107603{target.uid}"
        horizon = (target.known_until - dt.timedelta(days=1)) if target.known_until else (
            now - dt.timedelta(days=self.ctx.options.backfill_days))
        posts: list[PostObs] = []
        cursor = ""
        for _ in range(self.ctx.options.weibo_max_pages):
            params: dict[str, Any] = {"type": "uid", "value": target.uid, "containerid": containerid}
            if cursor:
                key, _, value = cursor.partition("=")
                params[key] = value
            page = parse_posts_page(await self._get(target, params, cookie), now)
            posts.extend(page.posts)
            ordinary = [p.published_at for p in page.posts if not p.pinned]
            if not page.next_cursor or (ordinary and min(ordinary) < horizon):
                break
            cursor = page.next_cursor
        today = now.astimezone(BEIJING).date()
        answers = await self._answers(target, posts, now, cookie)
        return Success(posts=posts, metrics=[MetricObs(day=today, followers=profile.followers,
                                                          followers_approx=profile.followers_approx)], known_until=now,
                       backfilled_from=(horizon.astimezone(BEIJING).date()), responses=answers)

    def _comment_cookie(self, own: str) -> str:
        """The account's own cookie, else the shared one named by ``[platforms.weibo] cookie_credential``."""
        if own:
            return own
        shared = self.ctx.secrets.get(self.ctx.options.weibo_cookie_credential)
        return shared.get("cookie") if shared is not None else ""

    async def _answers(self, target: Target, posts: list[PostObs], now: dt.datetime, own: str) -> list[ResponseObs]:
        cookie = self._comment_cookie(own)
        if not cookie:
            return []  # hotflow needs a login: without one, answers stay unknown
        opts = self.ctx.options
        picks = await pick_threads(target.account_id, posts, now, opts.response_window_days,
                                   opts.response_posts_per_cycle)
        base = self.ctx.options.weibo_mobile_base

        async def get(path: str, params: dict[str, Any], referer: str) -> object:
            headers = {**MOBILE_HEADERS, "Referer": f"{base}{referer}", "Cookie": cookie}
            resp = await self.ctx.http.request("GET", f"{base}{path}", where=path.rsplit("/", 1)[-1], params=params,
                                               headers=headers, check_status=raise_for_http_status,
                                               lane=self.lane, gate=self._not_cooling)
            if resp.status_code >= 400:
                raise_for_throttled_body(resp.content)
                raise PlatformError(ErrorKind.NETWORK, f"{path}: HTTP {resp.status_code}", code=str(resp.status_code))
            if not resp.content.lstrip().startswith((b"{", b"[")):
                raise PlatformError(ErrorKind.AUTH, f"{path}: body is not JSON (login cookie refused or expired)")
            return decode_json(resp.content, path)

        try:
            return await read_mobile(get, picks, {p.post_id: p for p in posts}, target.uid, now)
        except PlatformError as exc:
            if exc.cooldown_s and exc.kind in (ErrorKind.QUOTA, ErrorKind.AUTH):
                # A block on the comment calls is a block on the host: the next accounts wait too.
                self.cooldown_until = now + dt.timedelta(seconds=exc.cooldown_s)
                self.cooldown_reason = exc
            return []  # the posts stand; their comments stay unknown until a later cycle
