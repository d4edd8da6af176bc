"""Weibo open API (api.weibo.com), served under `/2/…`: users/show and statuses/user_timeline.

Only accounts whose ledger method is `weibo_api` hold an OAuth token (see `demo_secrets`). Errors are
`{"request": "/2/…", "error_code": "<code as a string>", "error": "…"}`: HTTP 400 for token and
parameter errors, 403 for the rate limits 10022 (per IP and hour), 10023 (per token and hour) and
10024 (per token, endpoint and hour). The HTTP statuses are our choice: platform-apis.md does not give
them. A missing token answers 21301, an unknown one 21327 expired_token; user_timeline for another
user than the token's answers 21335, as v2 only serves the authorising user's own timeline.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from sandbox.county import TZ, Account, Post
from sandbox.runtime import Sandbox, client_ip

ERRORS = {
    10008: "Param error, see doc for more info.",
    10022: "IP requests out of rate limit",
    10023: "User requests out of rate limit",
    10024: "User requests for ({}) out of rate limit",
    20003: "User does not exists!",
    21301: "auth faild!",
    21327: "expired_token",
    21335: "Request uid's value must be the current user",
}
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SOURCE = '<a href="https://weibo.com/" rel="nofollow">微博 weibo.com</a>'


def weibo_time(moment: datetime) -> str:
    """Weibo's `created_at`: `Sat Jan 16 20:07:31 +0800 2021` (locale-independent)."""
    local = moment.astimezone(TZ)
    return f"{_DAYS[local.weekday()]} {_MONTHS[local.month - 1]} {local:%d %H:%M:%S} +0800 {local.year}"


def following(account: Account) -> int:
    """How many accounts this account follows (stable per account)."""
    return 40 + int(hashlib.sha256(account.uid.encode()).hexdigest()[:4], 16) % 360


def avatar(account: Account, size: int) -> str:
    """A sinaimg-style avatar URL."""
    digest = hashlib.sha256(account.uid.encode()).hexdigest()[:32]
    return f"https://tvax1.sinaimg.cn/crop.0.0.512.512.{size}/{digest}.jpg"


def error(request: Request, code: int, what: str = "") -> JSONResponse:
    """An open-API error body; error_code is a string, as the platform documents it."""
    text = ERRORS.get(code, "system error!").format(what)
    status = 403 if code in (10022, 10023, 10024) else 400
    return JSONResponse({"request": request.url.path, "error_code": str(code), "error": text}, status_code=status)


class WeiboAPI:
    """The open-API routes of one sandbox."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        sandbox.faults.register("weibo", error)

    def routes(self) -> list[BaseRoute]:
        """users/show and statuses/user_timeline."""
        return [
            Route("/2/users/show.json", self.users_show, methods=["GET"]),
            Route("/2/statuses/user_timeline.json", self.user_timeline, methods=["GET"]),
        ]

    async def _guard(
        self, request: Request, endpoint: str, handler: Callable[[Account], Awaitable[Response]]
    ) -> Response:
        sb = self.sandbox
        token = request.query_params.get("access_token", "")
        owner = sb.county.by_weibo_token(token) if token else None

        async def answer() -> Response:
            if not token:
                return error(request, 21301)
            if owner is None:
                return error(request, 21327)
            limits, hour = sb.limits, sb.hour()
            if sb.counters.hit("weibo-ip", client_ip(request), hour) > limits.weibo_ip_hourly:
                return error(request, 10022)
            if sb.counters.hit("weibo-user", token, hour) > limits.weibo_user_hourly:
                return error(request, 10023)
            if sb.counters.hit("weibo-endpoint", token, endpoint, hour) > limits.weibo_user_endpoint_hourly:
                return error(request, 10024, endpoint)
            return await handler(owner)

        return await sb.faults.run(request, "weibo", owner.uid if owner else None, answer)

    async def guarded(
        self, request: Request, endpoint: str, handler: Callable[[Account], Awaitable[Response]]
    ) -> Response:
        """Token, rate-limit and fault checks of the open API, then `handler(token owner)`."""
        return await self._guard(request, endpoint, handler)

    async def users_show(self, request: Request) -> Response:
        """GET /2/users/show.json?uid=… or screen_name=…: a user's public profile and latest post."""

        async def answer(owner: Account) -> Response:
            uid, name = request.query_params.get("uid"), request.query_params.get("screen_name")
            if not uid and not name:
                return error(request, 10008)
            target = next(
                (a for a in self.sandbox.county.accounts
                 if a.platform == "weibo" and (a.uid == uid or (uid is None and a.name == name))),
                None,
            )
            if target is None or target.persona == "gone":
                return error(request, 20003)
            return JSONResponse(self.user_json(target, with_status=True))

        return await self._guard(request, "users/show", answer)

    async def user_timeline(self, request: Request) -> Response:
        """GET /2/statuses/user_timeline.json: the token owner's posts, newest first."""

        async def answer(owner: Account) -> Response:
            query = request.query_params
            if query.get("uid") not in (None, owner.uid):
                return error(request, 21335)
            try:
                since_id, max_id = int(query.get("since_id", 0)), int(query.get("max_id", 0))
                count, page = min(int(query.get("count", 20)), 100), int(query.get("page", 1))
            except ValueError:
                return error(request, 10008)
            if count < 1 or page < 1:
                return error(request, 10008)
            posts = [
                p for p in owner.posts_until(self.sandbox.now())
                if int(p.id) > since_id and (not max_id or int(p.id) <= max_id)
            ]
            if query.get("feature", "0") not in ("0", "1"):
                posts = []  # the generated posts are all original text: no pictures, video or music
            chunk = posts[(page - 1) * count: page * count]
            following_post = posts[page * count] if len(posts) > page * count else None
            trim = query.get("trim_user") == "1"
            return JSONResponse({
                "statuses": [self.status_json(owner, p, trim) for p in chunk],
                "hasvisible": False,
                "previous_cursor": 0,
                "next_cursor": int(following_post.id) if following_post else 0,
                "total_number": len(posts),
            })

        return await self._guard(request, "statuses/user_timeline", answer)

    def user_json(self, account: Account, with_status: bool) -> dict[str, Any]:
        """The open-API user object."""
        opened = account.opened_on or date(2012, 1, 1)
        user: dict[str, Any] = {
            "id": int(account.uid), "idstr": account.uid, "class": 1,
            "screen_name": account.name, "name": account.name,
            "province": "13", "city": "1", "location": "河北 石家庄",
            "description": f"{account.unit}官方微博", "url": "",
            "profile_image_url": avatar(account, 50), "profile_url": f"u/{account.uid}",
            "domain": "", "gender": "m",
            "followers_count": account.followers[0] if account.followers else 0,
            "friends_count": following(account), "statuses_count": account.statuses_count,
            "favourites_count": 0, "created_at": weibo_time(datetime.combine(opened, time(9, 0), TZ)),
            "following": False, "allow_all_act_msg": False, "geo_enabled": True,
            "verified": True, "verified_type": 1, "verified_reason": f"{account.unit}官方微博",
            "allow_all_comment": True, "avatar_large": avatar(account, 180), "avatar_hd": avatar(account, 1024),
            "follow_me": False, "online_status": 0, "bi_followers_count": following(account) // 3, "lang": "zh-cn",
        }
        latest = next((p for p in account.posts_until(self.sandbox.now()) if not p.pinned), None)
        if with_status and latest is not None:
            user["status"] = self.status_json(account, latest, trim_user=True, with_user=False)
        return user

    def status_json(self, account: Account, post: Post, trim_user: bool, with_user: bool = True) -> dict[str, Any]:
        """The open-API status object."""
        status: dict[str, Any] = {
            "created_at": weibo_time(post.published_at), "id": int(post.id), "idstr": post.id, "mid": post.id,
            "text": post.text, "source": SOURCE, "favorited": False, "truncated": False,
            "in_reply_to_status_id": "", "in_reply_to_user_id": "", "in_reply_to_screen_name": "",
            "pic_urls": [], "geo": None,
            "reposts_count": post.shares, "comments_count": post.comments, "attitudes_count": post.likes,
            "visible": {"type": 0, "list_id": 0},
        }
        if with_user:
            status["user"] = {"id": int(account.uid)} if trim_user else self.user_json(account, with_status=False)
        return status
