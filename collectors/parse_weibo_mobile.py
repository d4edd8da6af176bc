"""Pure parsers for m.weibo.cn `api/container/getIndex` bodies: profiles, post pages, counts, dates."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from collectors.errors import ErrorKind, PlatformError, parse_error
from collectors.model import BEIJING, Page, PostObs, ProfileObs
from collectors.parse_common import (
    Obj,
    as_list,
    as_obj,
    clean_title,
    get_bool,
    get_id,
    opt_int,
    opt_str,
    post_text,
    req_obj,
    req_str,
    weibo_time,
)

# Suggested rest after a block or a lost session: crawlers report 418 IP blocks lasting 2-3 hours,
# and hammering a blocked host only extends the block.
COOLDOWN_S = 1800

# m.weibo.cn's "too many requests" answer: {"ok":0,"errno":"100005","msg":"请求过于频繁"}, with HTTP 200 or 403.
# It is an ok:0 like "nothing here", so without this check it read as a deleted account.
THROTTLE_ERRNOS = frozenset({"100005"})
_THROTTLE_WORDS = ("频繁", "频率")

_COUNT_RE = re.compile(r"(\d+(?:\.\d+)?)(万|亿)?\+?")
_UNITS = {None: 1, "万": 10_000, "亿": 100_000_000}


def _count(value: object, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise parse_error(f"{where}: negative count {value}")
        return value
    if isinstance(value, str):
        m = _COUNT_RE.fullmatch(value.strip().replace(",", ""))
        if m is not None:
            # Decimal keeps "693.2万" at exactly 6932000 where float would give 6931999.99….
            return int(Decimal(m.group(1)) * _UNITS[m.group(2)])
    raise parse_error(f"{where}: unparseable count {value!r}")


def is_approximate(value: object) -> bool:
    """Whether a count string is abbreviated ("693.2万", "1.2亿", "100万+"): exact only to its rounding step."""
    if not isinstance(value, str):
        return False
    m = _COUNT_RE.fullmatch(value.strip().replace(",", ""))
    return m is not None and (m.group(2) is not None or value.strip().endswith("+"))


def parse_count(v: int | str | None) -> int | None:
    """Read a Weibo count: ints pass, "693.2万", "1.2亿", "100万+", "1,234"; None stays None."""
    return _count(v, "count")


def _count_field(obj: Obj, key: str, where: str) -> int | None:
    return _count(obj.get(key), f"{where}.{key}")


# Each pattern maps a created_at style to a builder taking the match and `now` in Beijing time.
_Builder = Callable[[re.Match[str], datetime], datetime]


def _ago(unit: str) -> _Builder:
    return lambda m, now: now - timedelta(**{unit: int(m.group(1))})


def _on_day(days_back: int) -> _Builder:
    return lambda m, now: (now - timedelta(days=days_back)).replace(
        hour=int(m.group(1)), minute=int(m.group(2)), second=0, microsecond=0
    )


def _recent(month: int, day: int, hour: int, minute: int, now: datetime) -> datetime:
    # Year-less dates are this year's, unless that day is still ahead: then they are last year's.
    # Comparing days, not times, keeps a few minutes of clock skew from moving a post a year back.
    for year in (now.year, now.year - 1):
        try:
            candidate = datetime(year, month, day, hour, minute, tzinfo=BEIJING)
        except ValueError:  # 02-29 outside a leap year
            continue
        if candidate.date() <= now.date():
            return candidate
    raise ValueError(f"no recent year has {month:02d}-{day:02d}")


def _absolute(m: re.Match[str], _now: datetime) -> datetime:
    y, mo, d, hh, mi, ss = (int(g) if g else 0 for g in m.groups())
    return datetime(y, mo, d, hh, mi, ss, tzinfo=BEIJING)


_STYLES: list[tuple[re.Pattern[str], _Builder]] = [
    (re.compile("刚刚"), lambda m, now: now),
    (re.compile(r"(\d+)\s*秒前"), _ago("seconds")),
    (re.compile(r"(\d+)\s*分钟前"), _ago("minutes")),
    (re.compile(r"(\d+)\s*小时前"), _ago("hours")),
    (re.compile(r"今天\s*(\d{1,2}):(\d{2})"), _on_day(0)),
    (re.compile(r"昨天\s*(\d{1,2}):(\d{2})"), _on_day(1)),
    (re.compile(r"(\d{1,2})-(\d{1,2})"), lambda m, now: _recent(int(m[1]), int(m[2]), 0, 0, now)),
    (
        re.compile(r"(\d{1,2})月(\d{1,2})日\s*(\d{1,2}):(\d{2})"),
        lambda m, now: _recent(int(m[1]), int(m[2]), int(m[3]), int(m[4]), now),
    ),
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"), _absolute),
]


def parse_created_at(s: str, now: datetime) -> datetime:
    """Parse any m.weibo.cn created_at style into an aware Asia/Shanghai datetime; `now` anchors relative ones."""
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    text = s.strip()
    absolute = weibo_time(text)
    if absolute is not None:
        return absolute.astimezone(BEIJING)
    local_now = now.astimezone(BEIJING)
    for pattern, build in _STYLES:
        m = pattern.fullmatch(text)
        if m is None:
            continue
        try:
            return build(m, local_now)
        except ValueError:
            break
    raise parse_error(f"created_at: unrecognised time {s!r}")


def raise_for_http_status(status: int) -> None:
    """Raise for m.weibo.cn's block signals: 418 (rate limited) and 432 (visitor cookie refused)."""
    if status == 418:
        raise PlatformError(ErrorKind.QUOTA, "HTTP 418: rate limited", code="418", cooldown_s=COOLDOWN_S)
    if status == 432:
        raise PlatformError(ErrorKind.AUTH, "HTTP 432: cookie refused", code="432", cooldown_s=COOLDOWN_S)


def throttled(body: object) -> PlatformError | None:
    """The `quota` error of a throttle answer (errno 100005, or an ok:0 whose msg says 频繁), else None."""
    if not isinstance(body, dict) or body.get("ok") in (1, "1"):
        return None
    errno = str(body.get("errno", "")).strip()
    msg = body.get("msg") if isinstance(body.get("msg"), str) else ""
    if errno in THROTTLE_ERRNOS or any(word in str(msg) for word in _THROTTLE_WORDS):
        return PlatformError(ErrorKind.QUOTA, f"m.weibo.cn throttled: errno {errno or '-'} {msg}".strip(),
                             code=errno or "throttled", cooldown_s=COOLDOWN_S)
    return None


def raise_for_throttled_body(content: bytes) -> None:
    """Raise the `quota` error when an error status (403, say) carries the throttle answer."""
    if not content.lstrip().startswith(b"{"):
        return
    try:
        body = json.loads(content)
    except ValueError:
        return
    error = throttled(body)
    if error is not None:
        raise error


def _data(body: object, where: str) -> Obj | None:
    """The `data` object of an ok:1 body; None for ok:0 ("这里还没有内容"); a throttle answer raises `quota`."""
    obj = as_obj(body, where)
    error = throttled(obj)
    if error is not None:
        raise error
    ok = opt_int(obj, "ok", where)
    msg = opt_str(obj, "msg", where) or ""
    if ok == -100:
        raise PlatformError(
            ErrorKind.AUTH, f"ok:-100 login required {msg}".strip(), code="-100", cooldown_s=COOLDOWN_S
        )
    if "data" not in obj and "url" in obj:
        # The captcha answer: a verification URL and nothing else.
        raise PlatformError(
            ErrorKind.QUOTA, f"captcha required {msg}".strip(), code="captcha", cooldown_s=COOLDOWN_S
        )
    if ok == 0:
        return None
    if ok != 1:
        raise parse_error(f"{where}.ok: unexpected value {obj.get('ok')!r}")
    return req_obj(obj, "data", where)


def data_of(body: object, where: str) -> Obj | None:
    """The `data` object of an ok:1 m.weibo.cn body, None for ok:0; login, captcha and odd `ok` values raise."""
    return _data(body, where)


def _profile_data(body: object) -> Obj:
    data = _data(body, "profile")
    if data is None:
        # On a profile, "nothing here" means the account was deleted or the uid is wrong.
        raise PlatformError(ErrorKind.GONE, "ok:0 on profile: account deleted or wrong uid", code="0")
    return data


def parse_profile(body: object) -> ProfileObs:
    """The account's profile from a `type=uid&value=<uid>` or `containerid=100505<uid>` body."""
    data = _profile_data(body)
    info = req_obj(data, "userInfo", "profile.data")
    where = "profile.data.userInfo"
    key = "followers_count"
    followers = _count_field(info, key, where)
    if followers is None:
        key = "followers_count_str"
        followers = _count_field(info, key, where)
    return ProfileObs(
        uid=get_id(info, ("id",), where),
        name=req_str(info, "screen_name", where),
        followers=followers,
        followers_approx=followers is not None and is_approximate(info.get(key)),
        posts_total=_count_field(info, "statuses_count", where),
        verified=get_bool(info, "verified", where),
    )


def parse_posts_containerid(body: object) -> str | None:
    """The posts tab's containerid from a profile body (normally `107603<uid>`), if it lists one."""
    data = _profile_data(body)
    tabs_info = data.get("tabsInfo")
    if tabs_info is None:
        return None
    tabs = as_list(as_obj(tabs_info, "profile.data.tabsInfo").get("tabs", []), "profile.data.tabsInfo.tabs")
    for i, raw in enumerate(tabs):
        tab = as_obj(raw, f"profile.data.tabsInfo.tabs[{i}]")
        if tab.get("tab_type") == "weibo":
            return opt_str(tab, "containerid", f"profile.data.tabsInfo.tabs[{i}]")
    return None


def _is_pinned(mblog: Obj, where: str) -> bool:
    title = mblog.get("title")
    title_text = (
        opt_str(as_obj(title, f"{where}.title"), "text", f"{where}.title") if title is not None else None
    )
    return (
        opt_int(mblog, "isTop", where) == 1 or opt_int(mblog, "mblogtype", where) == 2 or title_text == "置顶"
    )


def _mblog_post(mblog: Obj, where: str, now: datetime) -> PostObs | None:
    # Deleted posts linger in the list with deleted:"1" (or state 7/8); they are not activity.
    if mblog.get("deleted") in ("1", 1) or mblog.get("state") in (7, 8):
        return None
    post_id = get_id(mblog, ("idstr", "id"), where)
    text, coverage = post_text("", opt_str(mblog, "text", where) or "", mblog.get("isLongText") is True)
    return PostObs(
        post_id=post_id,
        published_at=parse_created_at(req_str(mblog, "created_at", where), now),
        title=clean_title(opt_str(mblog, "text", where) or ""),
        url=f"https://m.weibo.cn/detail/{post_id}",
        # A long post shows its first 140 characters and a 全文 link (isLongText): a part only.
        text=text,
        text_coverage=coverage,
        pinned=_is_pinned(mblog, where),
        original=mblog.get("retweeted_status") is None,
        shares=_count_field(mblog, "reposts_count", where),
        comments=_count_field(mblog, "comments_count", where),
        likes=_count_field(mblog, "attitudes_count", where),
    )


def _mblogs(cards: Iterable[object], where: str) -> Iterable[tuple[Obj, str]]:
    """Yield each post's mblog: card_type 9 directly, card_type 11 through its card_group."""
    for i, raw in enumerate(cards):
        at = f"{where}[{i}]"
        card = as_obj(raw, at)
        card_type = opt_int(card, "card_type", at)
        if card_type == 9:
            yield req_obj(card, "mblog", at), f"{at}.mblog"
        elif card_type == 11:
            yield from _mblogs(as_list(card.get("card_group", []), f"{at}.card_group"), f"{at}.card_group")


def _next_cursor(data: Obj) -> str | None:
    """`since_id=<n>` (newer pages) or `page=<n>` (older ones): the query parameter for the next page."""
    info = as_obj(data.get("cardlistInfo", {}), "posts.data.cardlistInfo")
    since_id = info.get("since_id")
    if since_id:
        return f"since_id={get_id(info, ('since_id',), 'posts.data.cardlistInfo')}"
    page = opt_int(info, "page", "posts.data.cardlistInfo")
    return f"page={page}" if page else None


def parse_posts_page(body: object, now: datetime) -> Page:
    """Posts on one getIndex page and the query parameter for the next; ok:0 or no cards ends paging."""
    data = _data(body, "posts")
    if data is None:
        return Page([], None)
    # A page past the end may drop `cards` entirely rather than send [].
    raw_cards = data.get("cards")
    cards = [] if raw_cards is None else as_list(raw_cards, "posts.data.cards")
    if not cards:
        return Page([], None)
    posts = [
        post for mblog, at in _mblogs(cards, "posts.data.cards") if (post := _mblog_post(mblog, at, now))
    ]
    return Page(posts, _next_cursor(data))


def latest_post(posts: Iterable[PostObs]) -> PostObs | None:
    """The newest post by time; a pinned post wins only if it is genuinely newer than every other."""
    # Pinned posts come first on the page and may be years old, so position means nothing here;
    # on a tie the ordinary post is preferred.
    return max(posts, key=lambda p: (p.published_at, not p.pinned), default=None)
