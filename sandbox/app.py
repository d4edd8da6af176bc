"""The sandbox ASGI app: every simulated platform on one host, plus `/_sandbox/…` control routes.

URL layout (set each platform's api_base to the left column, with host:port of the sandbox):

| platform              | api_base                 | paths                                                   |
|-----------------------|--------------------------|---------------------------------------------------------|
| WeChat official acct. | http://host:port         | /cgi-bin/token, /cgi-bin/stable_token, /datacube/…,     |
|                       |                          | /cgi-bin/freepublish/batchget, /cgi-bin/message/template/send, |
|                       |                          | /cgi-bin/comment/list, /datacube/getarticletotaldetail, getbizsummary |
| WeCom app and robots  | http://host:port/wecom   | /cgi-bin/gettoken, /cgi-bin/message/send, /cgi-bin/webhook/send |
| Weibo open API        | http://host:port         | /2/users/show.json, /2/statuses/user_timeline.json,     |
|                       |                          | /2/comments/show.json                                   |
| m.weibo.cn            | http://host:port         | /api/container/getIndex, /statuses/extend,              |
|                       |                          | /comments/hotflow, /comments/hotFlowChild               |
| feeds (RSSHub-like)   | http://host:port         | /feeds/{uid}.xml (the ledger's 订阅地址)                |

Control: `GET /_sandbox/accounts`; `GET|DELETE /_sandbox/messages` (`?channel=&status=` filters);
`GET|POST|DELETE /_sandbox/faults` (see `sandbox.faults`).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from datetime import datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from sandbox import datacube, datacube_detail, wechat_comments
from sandbox.county import TZ, build_county
from sandbox.faults import Fault, FaultInjector, parse_faults
from sandbox.feeds import Feeds
from sandbox.recorder import Recorder
from sandbox.runtime import Limits, Sandbox
from sandbox.wechat import WeChatAPI
from sandbox.wecom import WeComAPI
from sandbox.wecom_oauth import WeComSignIn
from sandbox.weibo import WeiboAPI
from sandbox.weibo_comments import WeiboComments
from sandbox.weibo_mobile import WeiboMobile


def create_app(
    *,
    seed: int = 7,
    now: Callable[[], datetime] | None = None,
    faults: Iterable[Fault] | None = None,
    limits: Limits | None = None,
    legacy_date_uids: Collection[str] | None = None,
) -> Starlette:
    """The sandbox app for the county of `seed`, built at `now()` (default: the real clock)."""
    clock = now if now is not None else (lambda: datetime.now(TZ))
    county = build_county(seed, clock())
    sandbox = Sandbox(
        county=county,
        clock=clock,
        limits=limits or Limits(),
        # Copies: the injector spends fault counts and must not change the caller's objects.
        faults=FaultInjector([replace(f) for f in faults or ()], seed=seed, valid_cookie=county.weibo_cookie),
        recorder=Recorder(),
        legacy_date_uids=frozenset(county.legacy_date_uids if legacy_date_uids is None else legacy_date_uids),
        rng=random.Random(seed),
    )
    wechat = WeChatAPI(sandbox)
    weibo = WeiboAPI(sandbox)
    wecom = WeComAPI(sandbox)
    signin = WeComSignIn(sandbox, wecom)
    routes: list[BaseRoute] = [
        *wechat.routes(),
        *datacube.routes(wechat),
        *datacube_detail.routes(wechat),
        *wechat_comments.routes(wechat),
        *weibo.routes(),
        *WeiboComments(sandbox, weibo).routes(),
        *WeiboMobile(sandbox).routes(),
        *wecom.routes(signin.api_routes()),
        *signin.routes(),
        *Feeds(sandbox).routes(),
        *_control_routes(sandbox),
    ]
    app = Starlette(routes=routes)
    app.state.sandbox = sandbox
    return app


def _control_routes(sandbox: Sandbox) -> list[BaseRoute]:
    async def accounts(request: Request) -> Response:
        now = sandbox.now()
        listing = []
        for a in sandbox.county.accounts:
            posts = a.posts_until(now)
            latest = next((p for p in posts if not p.pinned), None)
            listing.append({
                "uid": a.uid, "platform": a.platform, "platform_name": a.platform_name, "name": a.name,
                "unit": a.unit, "persona": a.persona, "method": a.method, "credential": a.credential,
                "feed_path": a.feed_path, "feed_format": a.feed_format, "posts": len(posts),
                "followers": a.followers[0] if a.followers else None,
                "last_post_at": latest.published_at.isoformat() if latest else None,
            })
        return JSONResponse(listing)

    async def messages(request: Request) -> Response:
        if request.method == "DELETE":
            sandbox.recorder.clear()
            return JSONResponse({"cleared": True})
        query = request.query_params
        return JSONResponse(sandbox.recorder.as_json(query.get("channel"), query.get("status")))

    async def faults(request: Request) -> Response:
        if request.method == "POST":
            try:
                sandbox.faults.replace(parse_faults(await request.json()))
            except (ValueError, TypeError) as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
        elif request.method == "DELETE":
            sandbox.faults.replace([])
        return JSONResponse(sandbox.faults.active())

    return [
        Route("/_sandbox/accounts", accounts, methods=["GET"]),
        Route("/_sandbox/messages", messages, methods=["GET", "DELETE"]),
        Route("/_sandbox/faults", faults, methods=["GET", "POST", "DELETE"]),
    ]
