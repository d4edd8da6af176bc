"""WeChat datacube (数据统计) routes: `POST /datacube/<name>?access_token=…` with begin_date/end_date.

Rules reproduced: span limits per endpoint (61501 when exceeded, when end_date is today or later, when
begin_date is after end_date or before 2014-12-01), 61500 for dates not written YYYY-MM-DD, yesterday's
data only after 08:00 Beijing time (earlier it is simply absent), `{"list": []}` for days without data.
`getarticlesummary` lists the mass-sent (群发) articles sent on the day whose engagement that day
(reads + shares + favourites) is at least 3; `getarticletotal` lists every article sent on the day
(mass-sent and published) with cumulative `details` for at most 7 days.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from sandbox.county import Account, Post
from sandbox.reach import cumulative, on_day
from sandbox.runtime import json_body
from sandbox.wechat import WeChatAPI, error

SPANS = {"getusersummary": 7, "getusercumulate": 7, "getarticlesummary": 1, "getarticletotal": 1, "getuserread": 3}
EARLIEST = date(2014, 12, 1)
DETAIL_DAYS = 7
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Where reads come from (getarticletotal int_page_from_* and getuserread user_source), as shares of all reads.
_ARTICLE_SOURCES = (("session", 45), ("hist_msg", 8), ("feed", 25), ("friends", 12), ("other", 10))
_READ_SOURCES = ((0, 45), (1, 10), (2, 20), (4, 8), (5, 7), (6, 2), (7, 8))

Rows = list[dict[str, Any]]


def routes(api: WeChatAPI) -> list[BaseRoute]:
    """One POST route per datacube endpoint, guarded by the official-account token checks."""
    return [Route(f"/datacube/{name}", _endpoint(api, name), methods=["POST"]) for name in SPANS]


def last_ready_day(now: datetime) -> date:
    """The newest day whose statistics exist: yesterday from 08:00 on, else the day before."""
    return now.date() - timedelta(days=1 if now.hour >= 8 else 2)


SpanHandler = Callable[[Account, date, date], Response]


def span_endpoint(api: WeChatAPI, name: str, handle: SpanHandler) -> Callable[[Request], Any]:
    """A datacube route: the token checks, then the body's dates (47001 no JSON, 61500 not YYYY-MM-DD), then ``handle``."""

    async def endpoint(request: Request) -> Response:
        async def answer(account: Account) -> Response:
            body = await json_body(request)
            if body is None:
                return error(api.sandbox, 47001)
            begin, end = _parse(body.get("begin_date")), _parse(body.get("end_date"))
            if begin is None or end is None:
                return error(api.sandbox, 61500)
            return handle(account, begin, end)

        return await api.guard(request, f"datacube/{name}", answer)

    return endpoint


def _endpoint(api: WeChatAPI, name: str) -> Callable[[Request], Any]:
    build = _BUILDERS[name]

    def handle(account: Account, begin: date, end: date) -> Response:
        sb = api.sandbox
        if begin > end or (end - begin).days + 1 > SPANS[name] or end >= sb.today() or begin < EARLIEST:
            return error(sb, 61501)
        ready = last_ready_day(sb.now())
        rows: Rows = []
        day = begin
        while day <= min(end, ready):
            rows.extend(build(account, day, ready))
            day += timedelta(days=1)
        return JSONResponse({"list": rows})

    return span_endpoint(api, name, handle)


def _parse(value: Any) -> date | None:
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _share(total: int, percent: int) -> int:
    return total * percent // 100


def _users(count: int, percent: int) -> int:
    """Distinct users behind `count` actions: a share of it, but at least one when there was any."""
    return (count * percent + 99) // 100


def _metrics(reads: int, shares: int, favs: int) -> dict[str, int]:
    ori = reads // 200
    return {
        "int_page_read_user": _users(reads, 86), "int_page_read_count": reads,
        "ori_page_read_user": _users(ori, 90), "ori_page_read_count": ori,
        "share_user": _users(shares, 80), "share_count": shares,
        "add_to_fav_user": _users(favs, 95), "add_to_fav_count": favs,
    }


def _sent_on(account: Account, day: date) -> list[Post]:
    return sorted((p for p in account.posts if p.day == day), key=lambda p: (p.published_at, p.index))


def _user_summary(account: Account, day: date, ready: date) -> Rows:
    today_count, before = account.followers_on(day), account.followers_on(day - timedelta(days=1))
    if today_count is None:
        return []
    # A few people leave every day; whoever joined is the net change plus them.
    noise = int(hashlib.sha256(f"{account.uid}{day}".encode()).hexdigest()[:6], 16)
    cancel = today_count * 3 // 10_000 + noise % 3
    new = today_count - (before if before is not None else today_count) + cancel
    if new < 0:
        cancel, new = cancel - new, 0
    search, qr = _share(new, 15), _share(new, 25)
    rows = [{"ref_date": day.isoformat(), "user_source": 0, "new_user": new - search - qr, "cancel_user": cancel}]
    rows += [
        {"ref_date": day.isoformat(), "user_source": source, "new_user": n, "cancel_user": 0}
        for source, n in ((1, search), (30, qr)) if n
    ]
    return rows


def _user_cumulate(account: Account, day: date, ready: date) -> Rows:
    count = account.followers_on(day)
    return [] if count is None else [{"ref_date": day.isoformat(), "user_source": 0, "cumulate_user": count}]


def _article_summary(account: Account, day: date, ready: date) -> Rows:
    rows = []
    for post in _sent_on(account, day):
        if not post.mass_sent:
            continue
        reads, shares, favs = (on_day(n, day, day, account.today) for n in (post.reads, post.shares, post.favourites))
        if reads + shares + favs >= 3:  # below that WeChat does not list the article at all
            rows.append({"ref_date": day.isoformat(), "msgid": post.id, "title": post.title, **_metrics(reads, shares, favs)})
    return rows


def _article_total(account: Account, day: date, ready: date) -> Rows:
    rows = []
    for post in _sent_on(account, day):
        target = (account.followers_on(day) or 0) if post.mass_sent else 0
        details = []
        for k in range(DETAIL_DAYS):
            stat = day + timedelta(days=k)
            if stat > ready:
                break
            reads, shares, favs = (
                cumulative(n, day, stat, account.today) for n in (post.reads, post.shares, post.favourites)
            )
            detail: dict[str, Any] = {"stat_date": stat.isoformat(), "target_user": target, **_metrics(reads, shares, favs)}
            for source, percent in _ARTICLE_SOURCES:
                detail[f"int_page_from_{source}_read_user"] = _users(_share(reads, percent), 86)
                detail[f"int_page_from_{source}_read_count"] = _share(reads, percent)
            for source, percent in (("session", 50), ("feed", 30), ("other", 20)):
                detail[f"feed_share_from_{source}_user"] = _users(_share(shares, percent), 80)
                detail[f"feed_share_from_{source}_cnt"] = _share(shares, percent)
            details.append(detail)
        rows.append({"ref_date": day.isoformat(), "msgid": post.id, "title": post.title, "user_source": 0, "details": details})
    return rows


def _user_read(account: Account, day: date, ready: date) -> Rows:
    reads = shares = favs = 0
    for post in account.posts:
        if post.day <= day:
            reads += on_day(post.reads, post.day, day, account.today)
            shares += on_day(post.shares, post.day, day, account.today)
            favs += on_day(post.favourites, post.day, day, account.today)
    if reads + shares + favs == 0:
        return []
    rows = [{"ref_date": day.isoformat(), "user_source": 99999999, **_metrics(reads, shares, favs)}]
    rows += [
        {"ref_date": day.isoformat(), "user_source": source,
         **_metrics(_share(reads, percent), _share(shares, percent), _share(favs, percent))}
        for source, percent in _READ_SOURCES if _share(reads, percent)
    ]
    return rows


_BUILDERS: dict[str, Callable[[Account, date, date], Rows]] = {
    "getusersummary": _user_summary,
    "getusercumulate": _user_cumulate,
    "getarticlesummary": _article_summary,
    "getarticletotal": _article_total,
    "getuserread": _user_read,
}
