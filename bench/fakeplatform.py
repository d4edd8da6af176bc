"""A minimal in-process WeChat official-account API and feed host for the collection benchmark.

An `httpx.MockTransport` handler answers `/cgi-bin/stable_token`, datacube `getarticletotal`,
`getarticletotaldetail`, `getbizsummary`, `getusercumulate`, `getusersummary`, `freepublish/batchget`,
`comment/list` (tiny valid bodies per shared/reference/platform-apis.md and platform-apis-2.md) and
`GET /feed/<n>` (RSS, 10 items), each after
`asyncio.sleep(latency)`. Bodies are cached per request, so the platform's own CPU cost is small
and identical for the collector and the bare loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections import Counter
from email.utils import format_datetime

import httpx

WECHAT = "http://wechat.bench"
FEED = "http://feed.bench"
BEIJING = dt.timezone(dt.timedelta(hours=8))


def _days(body: dict[str, str]) -> list[str]:
    start, end = dt.date.fromisoformat(body["begin_date"]), dt.date.fromisoformat(body["end_date"])
    return [(start + dt.timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]


def article_total(body: dict[str, str]) -> object:
    """One article sent on the requested day, with one cumulative detail row."""
    day = body["begin_date"]
    detail = {"stat_date": day, "target_user": 5000, "int_page_read_user": 100, "int_page_read_count": 120,
              "ori_page_read_user": 0, "ori_page_read_count": 0, "share_user": 3, "share_count": 4,
              "add_to_fav_user": 1, "add_to_fav_count": 1}
    return {"list": [{"ref_date": day, "msgid": f"{day.replace('-', '')}01_1", "title": f"{day} 政务信息",
                      "user_source": 0, "details": [detail]}]}


def article_msgid(day: str) -> str:
    """The msgid of the one mass-sent article of a day: `<msg_data_id>_1`."""
    return f"{day.replace('-', '')}01_1"


def article_total_detail(body: dict[str, str]) -> object:
    """One mass-sent article published on the requested day, with one cumulative detail row."""
    day = body["begin_date"]
    detail = {"stat_date": day, "read_user": 100, "read_user_source": [{"user_count": 100, "scene_desc": "全部"}],
              "share_user": 3, "zaikan_user": 2, "like_user": 4, "comment_count": 3, "collection_user": 1,
              "praise_money": 0, "read_subscribe_user": 0, "read_delivery_rate": 0.02, "read_finish_rate": 0.6,
              "read_avg_activetime": 1.0, "read_jump_position": []}
    return {"list": [{"ref_date": day, "msgid": article_msgid(day), "publish_type": 0, "title": f"{day} 政务信息",
                      "content_url": "https://mp.weixin.qq.com/s/bench", "detail_list": [detail]}], "is_delay": False}


def biz_summary(body: dict[str, str]) -> object:
    """The account's totals of the requested day."""
    return {"list": [{"ref_date": body["begin_date"], "detail": {
        "read_user": 100, "read_user_source": [{"user_count": 100, "scene_desc": "全部"}], "share_user": 3,
        "zaikan_user": 2, "like_user": 4, "comment_count": 3, "collection_user": 1, "redirect_ori_page_user": 0,
        "send_page_count": 1}}], "is_delay": False}


def comment_list(body: dict[str, int]) -> object:
    """Three 留言 on every article, the first answered an hour later."""
    base = 1_760_000_000 + body["msg_data_id"] % 1000
    return {"errcode": 0, "errmsg": "ok", "total": 3, "comment": [
        {"user_comment_id": 1, "create_time": base, "content": "请问", "comment_type": 0, "openid": "o1",
         "reply": {"content": "您好", "create_time": base + 3600}},
        {"user_comment_id": 2, "create_time": base + 60, "content": "点赞", "comment_type": 0, "openid": "o2"},
        {"user_comment_id": 3, "create_time": base + 120, "content": "同问", "comment_type": 0, "openid": "o3"}]}


def user_cumulate(body: dict[str, str]) -> object:
    """Total followers per day of the span."""
    return {"list": [{"ref_date": d, "user_source": 0, "cumulate_user": 5000 + i} for i, d in enumerate(_days(body))]}


def user_summary(body: dict[str, str]) -> object:
    """Follows and unfollows per day of the span."""
    return {"list": [{"ref_date": d, "user_source": 0, "new_user": 3, "cancel_user": 1} for d in _days(body)]}


def freepublish(now: dt.datetime) -> object:
    """One article published a minute ago without a mass send."""
    item = {"title": "今日发布", "author": "", "digest": "", "content": "", "content_source_url": "",
            "thumb_media_id": "", "thumb_url": "", "need_open_comment": 0, "only_fans_can_comment": 0,
            "url": "http://mp.weixin.qq.com/s?bench", "is_deleted": False}
    return {"total_count": 1, "item_count": 1,
            "item": [{"article_id": "bench_article", "update_time": int(now.timestamp()) - 60,
                      "content": {"news_item": [item]}}]}


def rss(now: dt.datetime, items: int = 10) -> bytes:
    """An RSS 2.0 feed with ``items`` posts, one every 20 hours back from now."""
    entries = "".join(
        f"<item><title>政务动态第{k}期</title><link>https://feed.example/{k}</link><guid>bench-{k}</guid>"
        f"<pubDate>{format_datetime((now - dt.timedelta(hours=20 * k + 1)).astimezone(dt.UTC))}</pubDate></item>"
        for k in range(items))
    return f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>基准</title>{entries}</channel></rss>'.encode()


def _account_key(request: httpx.Request) -> str:
    """Which account a request polls: the feed path, or the appid behind a token or a token request."""
    path = request.url.path
    if path.startswith("/feed/"):
        return path
    token = request.url.params.get("access_token")
    if token:
        return token.removeprefix("TOKEN-")
    return str(json.loads(request.content).get("appid", "?"))


class FakePlatform:
    """The handler, with a request counter per endpoint."""

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.calls: Counter[str] = Counter()
        #: Requests per polled account (a WeChat appid, a feed path): the platform's own record of who was polled.
        self.polled: Counter[str] = Counter()
        self._cache: dict[tuple[str, bytes], bytes] = {}

    def _body(self, path: str, content: bytes) -> bytes:
        key = (path, content if not path.endswith("stable_token") else b"")
        if path.endswith("stable_token"):
            appid = json.loads(content)["appid"]
            return json.dumps({"access_token": f"TOKEN-{appid}", "expires_in": 7200}).encode()
        if key in self._cache:
            return self._cache[key]
        now = dt.datetime.now(BEIJING)
        name = path.rsplit("/", 1)[-1]
        if path.startswith("/feed/"):
            body = rss(now)
        elif name == "batchget":
            body = json.dumps(freepublish(now)).encode()
        else:
            request = json.loads(content)
            maker = {"getarticletotal": article_total, "getusercumulate": user_cumulate,
                     "getusersummary": user_summary, "getarticletotaldetail": article_total_detail,
                     "getbizsummary": biz_summary, "list": comment_list}[name]
            body = json.dumps(maker(request), ensure_ascii=False).encode()
        self._cache[key] = body
        return body

    async def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request after the injected latency."""
        path = request.url.path
        self.calls["feed" if path.startswith("/feed/") else path.rsplit("/", 1)[-1]] += 1
        self.polled[_account_key(request)] += 1
        if self.latency:
            await asyncio.sleep(self.latency)
        content = self._body(path, request.content)
        kind = "application/rss+xml" if path.startswith("/feed/") else "application/json"
        return httpx.Response(200, content=content, headers={"content-type": kind})

    def client(self) -> httpx.AsyncClient:
        """An httpx client whose transport is this platform."""
        return httpx.AsyncClient(transport=httpx.MockTransport(self.handle), timeout=20.0)
