"""Pure parsers for WeChat's current 发表内容 statistics (from 2025-11-01): getarticletotaldetail, getbizsummary.

Both answer ``{"list": [...], "is_delay": bool}``; ``is_delay: true`` means the numbers are still
provisional, so the day must be read again later (platform-apis-2.md §2).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, tzinfo
from typing import TypedDict

from collectors.model import BEIJING, MetricObs, PostObs
from collectors.parse_common import (
    Obj,
    as_obj,
    get_bool,
    iso_day,
    opt_int,
    opt_str,
    req_int,
    req_list,
)
from collectors.parse_wechat import latest_detail, msgid_of, raise_for_errcode

#: The first day the new endpoints have data for.
STATS_START = date(2025, 11, 1)
DETAIL = "getarticletotaldetail"
BIZ = "getbizsummary"


@dataclass(frozen=True, slots=True)
class DetailDay:
    """Articles published on one day with their latest cumulative figures."""

    posts: list[PostObs]
    #: msgids sent with a notification (群发, publish_type 0): only those have readable comments.
    mass_sent: frozenset[str]
    provisional: bool


def _checked(body: object, where: str) -> tuple[Obj, bool]:
    raise_for_errcode(body)
    obj = as_obj(body, where)
    delay = get_bool(obj, "is_delay", where)
    # Absent is_delay: treat as provisional, so the day is read again rather than frozen too early.
    return obj, True if delay is None else delay


class _Engagement(TypedDict):
    shares: int | None
    zaikan: int | None
    likes: int | None
    comments: int | None
    favorites: int | None


def _engagement(detail: Obj, at: str) -> _Engagement:
    """The figures both endpoints give under the same names (reads differ: required per article only)."""
    return _Engagement(shares=opt_int(detail, "share_user", at), zaikan=opt_int(detail, "zaikan_user", at),
                       likes=opt_int(detail, "like_user", at), comments=opt_int(detail, "comment_count", at),
                       favorites=opt_int(detail, "collection_user", at))


def _detail_post(row: Obj, where: str, provisional: bool, tz: tzinfo) -> tuple[PostObs, bool]:
    msgid = msgid_of(row, where)
    publish_type = req_int(row, "publish_type", where)
    post = PostObs(
        post_id=msgid,
        # The endpoint gives only the publish date: midnight keeps "last posted" on the right day.
        published_at=datetime.combine(iso_day(row, "ref_date", where), time(0, 0), tzinfo=tz),
        title=opt_str(row, "title", where) or "",
        url=opt_str(row, "content_url", where) or None,
        stats_source=DETAIL,
        stats_provisional=provisional,
    )
    latest = latest_detail(row, where, "detail_list")
    if latest is not None:
        _, detail, at = latest
        post = replace(post, reads=req_int(detail, "read_user", at), **_engagement(detail, at))
    return post, publish_type == 0


def parse_article_total_detail(body: object, tz: tzinfo = BEIJING) -> DetailDay:
    """Articles of one publish day (getarticletotaldetail): reads, 在看, likes, comments, shares, favourites."""
    obj, provisional = _checked(body, DETAIL)
    posts: dict[str, PostObs] = {}
    mass: set[str] = set()
    for i, raw in enumerate(req_list(obj, "list", DETAIL)):
        where = f"{DETAIL}.list[{i}]"
        post, mass_sent = _detail_post(as_obj(raw, where), where, provisional, tz)
        posts[post.post_id] = post
        if mass_sent:
            mass.add(post.post_id)
    return DetailDay(list(posts.values()), frozenset(mass), provisional)


def parse_biz_summary(body: object) -> tuple[list[MetricObs], bool]:
    """Account totals per day (getbizsummary) and whether they are still provisional."""
    obj, provisional = _checked(body, BIZ)
    out = []
    for i, raw in enumerate(req_list(obj, "list", BIZ)):
        where = f"{BIZ}.list[{i}]"
        row = as_obj(raw, where)
        detail = as_obj(row.get("detail"), f"{where}.detail")
        at = f"{where}.detail"
        out.append(MetricObs(
            day=iso_day(row, "ref_date", where),
            reads=opt_int(detail, "read_user", at),
            **_engagement(detail, at),
            posts_sent=opt_int(detail, "send_page_count", at),
        ))
    return out, provisional


def msg_data_id(msgid: str) -> tuple[int, int] | None:
    """(msg_data_id, 0-based index) for comment/list from a datacube msgid `<id>_<1-based index>`."""
    head, sep, tail = msgid.partition("_")
    if not sep or not head.isdigit() or not tail.isdigit() or int(tail) < 1:
        return None
    return int(head), int(tail) - 1
