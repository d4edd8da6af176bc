"""Pure parsers for WeChat Official Account API bodies (token, datacube, freepublish)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time, tzinfo
from typing import TypeVar

from collectors.errors import ErrorKind, PlatformError, parse_error
from collectors.model import BEIJING, ArticleDayObs, MetricObs, PostObs
from collectors.parse_common import (
    Obj,
    as_list,
    as_obj,
    get_bool,
    iso_day,
    opt_int,
    opt_str,
    post_text,
    req_int,
    req_list,
    req_obj,
    req_str,
)

T = TypeVar("T")

# Codes after which a fresh access_token makes the same call succeed.
TOKEN_STALE_CODES = frozenset({40001, 40014, 42001})
_KINDS: dict[int, ErrorKind] = {
    -1: ErrorKind.NETWORK,
    40001: ErrorKind.AUTH,
    40014: ErrorKind.AUTH,
    42001: ErrorKind.AUTH,
    40013: ErrorKind.AUTH,
    40125: ErrorKind.AUTH,
    40164: ErrorKind.AUTH,
    48001: ErrorKind.UNAUTHORIZED,
    45009: ErrorKind.QUOTA,
    45011: ErrorKind.QUOTA,
    # clear_quota's own monthly allowance is used up: still a quota, not a broken request.
    48006: ErrorKind.QUOTA,
    50002: ErrorKind.GONE,
    61500: ErrorKind.PARSE,
    61501: ErrorKind.PARSE,
    53600: ErrorKind.PARSE,
}
# 45011 is the per-minute limit; the platform says to retry in the next minute. 45009 (the daily quota)
# and 48006 (clear_quota's monthly allowance) do not clear within the day's cycles: rest an hour.
_COOLDOWN_S = {45011: 60, 45009: 3600, 48006: 3600}


def errcode_error(errcode: int, errmsg: str) -> PlatformError:
    """Classify a non-zero WeChat errcode; unknown codes mean our request broke the contract."""
    return PlatformError(
        _KINDS.get(errcode, ErrorKind.PARSE),
        f"errcode {errcode}: {errmsg}",
        code=str(errcode),
        token_stale=errcode in TOKEN_STALE_CODES,
        cooldown_s=_COOLDOWN_S.get(errcode),
    )


def raise_for_errcode(body: object) -> None:
    """Raise the classified PlatformError for an HTTP-200 errcode body; errcode 0 or absent is success."""
    obj = as_obj(body, "body")
    errcode = opt_int(obj, "errcode", "body")
    if errcode:
        raise errcode_error(errcode, opt_str(obj, "errmsg", "body") or "")


def _checked(body: object, where: str) -> Obj:
    raise_for_errcode(body)
    return as_obj(body, where)


def _rows(body: object, endpoint: str, parse_row: Callable[[Obj, str], T]) -> list[T]:
    obj = _checked(body, endpoint)
    rows = req_list(obj, "list", endpoint)
    return [
        parse_row(as_obj(row, f"{endpoint}.list[{i}]"), f"{endpoint}.list[{i}]") for i, row in enumerate(rows)
    ]


def parse_token(body: object) -> tuple[str, int]:
    """Return (access_token, expires_in seconds) from /cgi-bin/token or /cgi-bin/stable_token."""
    obj = _checked(body, "token")
    token = req_str(obj, "access_token", "token")
    expires_in = req_int(obj, "expires_in", "token")
    if not token or expires_in <= 0:
        raise parse_error(f"token: empty access_token or non-positive expires_in ({expires_in})")
    return token, expires_in


def msgid_of(row: Obj, where: str) -> str:
    """The row's non-empty ``msgid`` (a parse error when missing or empty)."""
    msgid = req_str(row, "msgid", where)
    if not msgid:
        raise parse_error(f"{where}.msgid: empty")
    return msgid


def latest_detail(row: Obj, where: str, key: str = "details") -> tuple[date, Obj, str] | None:
    """The newest of the row's cumulative snapshots under ``key`` (day, snapshot, where), or None."""
    # One cumulative snapshot per stat_date (details[]: up to 7 days; detail_list[]: up to 30); order is not promised.
    latest: tuple[date, Obj, str] | None = None
    for i, raw in enumerate(req_list(row, key, where)):
        at = f"{where}.{key}[{i}]"
        detail = as_obj(raw, at)
        day = iso_day(detail, "stat_date", at)
        if latest is None or day >= latest[0]:
            latest = (day, detail, at)
    return latest


def _total_row(row: Obj, where: str, tz: tzinfo) -> tuple[date, PostObs]:
    post = PostObs(
        post_id=msgid_of(row, where),
        # Datacube knows only the send date; midnight keeps "last posted" on the right day
        # without pretending to know the hour.
        published_at=datetime.combine(iso_day(row, "ref_date", where), time(0, 0), tzinfo=tz),
        title=req_str(row, "title", where),
    )
    latest = latest_detail(row, where)
    if latest is None:
        return date.min, post
    stat_day, detail, at = latest
    return stat_day, replace(
        post,
        reads=req_int(detail, "int_page_read_count", at),
        shares=req_int(detail, "share_count", at),
        favorites=req_int(detail, "add_to_fav_count", at),
    )


def parse_article_total(body: object, tz: tzinfo = BEIJING) -> list[PostObs]:
    """Posts sent on one day (datacube getarticletotal), one per msgid, with their latest cumulative figures."""
    best: dict[str, tuple[date, PostObs]] = {}
    for stat_day, post in _rows(body, "getarticletotal", lambda row, where: _total_row(row, where, tz)):
        # One row per msgid is normal; should one repeat, the freshest statistics win.
        seen = best.get(post.post_id)
        if seen is None or stat_day >= seen[0]:
            best[post.post_id] = (stat_day, post)
    return [post for _, post in best.values()]


def _summary_row(row: Obj, where: str) -> ArticleDayObs:
    return ArticleDayObs(
        day=iso_day(row, "ref_date", where),
        post_id=msgid_of(row, where),
        title=req_str(row, "title", where),
        reads=req_int(row, "int_page_read_count", where),
        read_users=req_int(row, "int_page_read_user", where),
        shares=req_int(row, "share_count", where),
        favorites=req_int(row, "add_to_fav_count", where),
    )


def parse_article_summary(body: object) -> list[ArticleDayObs]:
    """Per-article figures for one day (datacube getarticlesummary); empty does not mean no post."""
    return _rows(body, "getarticlesummary", _summary_row)


def _cumulate_row(row: Obj, where: str) -> tuple[date, int]:
    return iso_day(row, "ref_date", where), req_int(row, "cumulate_user", where)


def parse_user_cumulate(body: object) -> list[MetricObs]:
    """Total followers per day (datacube getusercumulate)."""
    totals: dict[date, int] = {}
    for day, count in _rows(body, "getusercumulate", _cumulate_row):
        # Rows carry user_source 0 (all sources); should a per-source split ever appear, the
        # all-sources figure is the largest one for the day.
        totals[day] = max(count, totals.get(day, count))
    return [MetricObs(day=day, followers=totals[day]) for day in sorted(totals)]


def _summary_user_row(row: Obj, where: str) -> tuple[date, int, int]:
    return (
        iso_day(row, "ref_date", where),
        req_int(row, "new_user", where),
        req_int(row, "cancel_user", where),
    )


def parse_user_summary(body: object) -> list[MetricObs]:
    """New and lost followers per day, summed over every user_source (datacube getusersummary)."""
    sums: dict[date, tuple[int, int]] = {}
    for day, new, lost in _rows(body, "getusersummary", _summary_user_row):
        old_new, old_lost = sums.get(day, (0, 0))
        sums[day] = (old_new + new, old_lost + lost)
    return [MetricObs(day=d, new_followers=sums[d][0], lost_followers=sums[d][1]) for d in sorted(sums)]


def _time_field(obj: Obj, key: str, where: str) -> int | None:
    """A unix-seconds field given as an int or a numeric string (WxJava types it String); None if absent."""
    value = obj.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise parse_error(f"{where}.{key}: expected unix seconds, got {value!r}")


def _published_stamp(item: Obj, content: Obj, where: str) -> int:
    """item.update_time, else content.update_time, else content.create_time (platform-apis-2.md §4)."""
    for obj, key, at in ((item, "update_time", where), (content, "update_time", f"{where}.content"),
                         (content, "create_time", f"{where}.content")):
        stamp = _time_field(obj, key, at)
        if stamp is not None:
            return stamp
    raise parse_error(f"{where}.update_time: missing (also content.update_time and content.create_time)")


def _news_posts(item: Obj, where: str) -> list[PostObs]:
    article_id = req_str(item, "article_id", where)
    if not article_id:
        raise parse_error(f"{where}.article_id: empty")
    content = req_obj(item, "content", where)
    # update_time is the last change, the closest the list offers to the publish time.
    stamp = _published_stamp(item, content, where)
    try:
        published = datetime.fromtimestamp(stamp, BEIJING)
    except (OverflowError, OSError, ValueError):
        raise parse_error(f"{where}.update_time: out of range ({stamp})") from None
    news = req_list(content, "news_item", f"{where}.content")
    posts = []
    for idx, raw in enumerate(news, start=1):
        at = f"{where}.content.news_item[{idx - 1}]"
        entry = as_obj(raw, at)
        # One SDK models the flag as is_delete: the same fact.
        if get_bool(entry, "is_deleted", at) or get_bool(entry, "is_delete", at):
            # idx stays positional so the surviving articles keep their ids.
            continue
        title = req_str(entry, "title", at)
        # The body when the list was asked with content (no_content=0), else the digest: a part only.
        body = opt_str(entry, "content", at) or ""
        text, coverage = post_text(title, body or opt_str(entry, "digest", at) or "", partial=not body)
        posts.append(
            PostObs(
                post_id=f"{article_id}_{idx}",
                published_at=published,
                title=title,
                url=opt_str(entry, "url", at) or None,
                text=text,
                text_coverage=coverage,
            )
        )
    return posts


def parse_freepublish(body: object) -> tuple[list[PostObs], int]:
    """Posts from freepublish/batchget (deleted articles skipped) and the list's total_count."""
    obj = _checked(body, "freepublish")
    total = req_int(obj, "total_count", "freepublish")
    # An empty account may omit `item` altogether rather than send [].
    items = as_list(obj.get("item", []), "freepublish.item")
    posts: list[PostObs] = []
    for i, raw in enumerate(items):
        where = f"freepublish.item[{i}]"
        posts.extend(_news_posts(as_obj(raw, where), where))
    return posts, total
