"""WeChat's current 发表内容 statistics: `POST /datacube/getarticletotaldetail` and `/datacube/getbizsummary`.

Rules reproduced (platform-apis-2.md §2): one day per call (61501 for longer spans, for days before
2025-11-01, for end_date today or later), 61500 for dates not written YYYY-MM-DD, answers
`{"list": [...], "is_delay": bool}`. `is_delay` is true for the newest `Limits.wechat_delay_days` ready
days, whose figures are still being completed. getarticletotaldetail lists every article published on
the day (mass-sent `publish_type` 0, published-only 1) with one cumulative `detail_list` row per stat
date, up to 30 days after publishing; `comment_count` counts the 留言 `comment/list` shows by that day.
getbizsummary gives the account's totals of the day, `send_page_count` the articles published that day.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from sandbox.comments import threads
from sandbox.county import TZ, Account, Post
from sandbox.datacube import _users, last_ready_day, span_endpoint
from sandbox.reach import cumulative, on_day
from sandbox.wechat import WeChatAPI, error

START = date(2025, 11, 1)
DETAIL_DAYS = 30
_SCENES = (("公众号消息", 45), ("聊天会话", 25), ("朋友圈", 15), ("公众号主页", 8), ("推荐", 4), ("搜一搜", 3))

Rows = list[dict[str, Any]]
Builder = Callable[[int, Account, date, date, datetime], Rows]


def routes(api: WeChatAPI) -> list[BaseRoute]:
    """The two POST routes, guarded by the official-account token checks."""
    return [Route(f"/datacube/{name}", _endpoint(api, name, build), methods=["POST"])
            for name, build in (("getarticletotaldetail", _detail), ("getbizsummary", _biz))]


def _endpoint(api: WeChatAPI, name: str, build: Builder) -> Callable[[Request], Any]:
    def handle(account: Account, begin: date, end: date) -> Response:
        sb = api.sandbox
        if begin != end or end >= sb.today() or begin < START:
            return error(sb, 61501)
        ready = last_ready_day(sb.now())
        rows = build(sb.county.seed, account, begin, ready, sb.now()) if begin <= ready else []
        delayed = begin > ready - timedelta(days=sb.limits.wechat_delay_days)
        return JSONResponse({"list": rows, "is_delay": delayed})

    return span_endpoint(api, name, handle)


_INDEX: dict[int, tuple[Account, dict[date, list[Post]]]] = {}


def _posts_by_day(account: Account) -> dict[date, list[Post]]:
    """The account's posts by publish day, built once per account object (accounts are immutable)."""
    cached = _INDEX.get(id(account))
    if cached is None or cached[0] is not account:
        index: dict[date, list[Post]] = {}
        for post in account.posts:
            index.setdefault(post.day, []).append(post)
        if len(_INDEX) > 10_000:
            _INDEX.clear()
        cached = _INDEX[id(account)] = (account, index)
    return cached[1]


def _sources(reads: int) -> list[dict[str, Any]]:
    users = _users(reads, 86)
    return [{"user_count": users, "scene_desc": "全部"}] + [
        {"user_count": users * share // 100, "scene_desc": scene} for scene, share in _SCENES if users * share // 100]


def _comments_by(seed: int, account: Account, post: Post, now: datetime) -> list[datetime]:
    return [t.at for t in threads(seed, account, post, now)]


def _row(seed: int, account: Account, post: Post, stat: date, now: datetime, comment_times: list[datetime]) -> dict[str, Any]:
    sent, today = post.day, account.today
    reads, shares, zaikan, likes, favs = (cumulative(n, sent, stat, today) for n in
                                          (post.reads, post.shares, post.zaikan, post.likes, post.favourites))
    end = datetime.combine(stat + timedelta(days=1), time(0), TZ)
    return {
        "stat_date": stat.isoformat(), "read_user": _users(reads, 86), "read_user_source": _sources(reads),
        "share_user": _users(shares, 80), "zaikan_user": zaikan, "like_user": likes,
        "comment_count": sum(1 for at in comment_times if at < end), "collection_user": _users(favs, 95),
        "praise_money": 0, "read_subscribe_user": reads // 150, "read_delivery_rate": 0.03,
        "read_finish_rate": 0.6, "read_avg_activetime": 1.1, "read_jump_position": [{"position": 1, "rate": 0.2}],
    }


def _detail(seed: int, account: Account, day: date, ready: date, now: datetime) -> Rows:
    rows = []
    for post in sorted(_posts_by_day(account).get(day, []), key=lambda p: (p.published_at, p.index)):
        times = _comments_by(seed, account, post, now)
        details = [_row(seed, account, post, day + timedelta(days=k), now, times)
                   for k in range(DETAIL_DAYS) if day + timedelta(days=k) <= ready]
        rows.append({"ref_date": day.isoformat(), "msgid": post.id, "publish_type": 0 if post.mass_sent else 1,
                     "title": post.title, "content_url": post.url, "detail_list": details})
    return rows


def _biz(seed: int, account: Account, day: date, ready: date, now: datetime) -> Rows:
    if account.opened_on is not None and day < account.opened_on:
        return []
    totals = dict.fromkeys(("reads", "shares", "zaikan", "likes", "favourites", "comments"), 0)
    index = _posts_by_day(account)
    recent = [p for k in range(DETAIL_DAYS + 1) for p in index.get(day - timedelta(days=k), [])]
    start = datetime.combine(day, time(0), TZ)
    for post in recent:
        for key in totals:
            if key != "comments":
                totals[key] += on_day(getattr(post, key), post.day, day, account.today)
        totals["comments"] += sum(1 for at in _comments_by(seed, account, post, now)
                                  if start <= at < start + timedelta(days=1))
    sent = len(index.get(day, []))
    return [{"ref_date": day.isoformat(), "detail": {
        "read_user": _users(totals["reads"], 86), "read_user_source": _sources(totals["reads"]),
        "share_user": _users(totals["shares"], 80), "zaikan_user": totals["zaikan"], "like_user": totals["likes"],
        "comment_count": totals["comments"], "collection_user": _users(totals["favourites"], 95),
        "redirect_ori_page_user": totals["reads"] // 200, "send_page_count": sent}}]
