"""Pure parsers for the Weibo open API (api.weibo.com/2): users/show and statuses/user_timeline."""

from __future__ import annotations

from collectors.errors import ErrorKind, PlatformError, parse_error
from collectors.model import PostObs, ProfileObs
from collectors.parse_common import (
    Obj,
    as_obj,
    clean_title,
    get_bool,
    get_id,
    opt_int,
    opt_str,
    post_text,
    req_list,
    req_str,
    weibo_time,
)

_KINDS: dict[int, ErrorKind] = {
    # 10001 system error, 10002 service unavailable, 10003 remote service error: transient.
    10001: ErrorKind.NETWORK,
    10002: ErrorKind.NETWORK,
    10003: ErrorKind.NETWORK,
    10014: ErrorKind.UNAUTHORIZED,
    10022: ErrorKind.QUOTA,
    10023: ErrorKind.QUOTA,
    10024: ErrorKind.QUOTA,
    20003: ErrorKind.GONE,
}
# The v2 table puts OAuth token errors (expired, revoked, invalid…) in 21300-21399.
_AUTH_RANGE = range(21300, 21400)


# The rate limits (10022 per IP, 10023/10024 per user) count by the hour: rest an hour before calling again.
_COOLDOWN_S = {10022: 3600, 10023: 3600, 10024: 3600}


def weibo_error(code: int, text: str) -> PlatformError:
    """Classify a Weibo open API error_code; unknown codes mean our request broke the contract."""
    kind = ErrorKind.AUTH if code in _AUTH_RANGE else _KINDS.get(code, ErrorKind.PARSE)
    return PlatformError(kind, f"error_code {code}: {text}", code=str(code), cooldown_s=_COOLDOWN_S.get(code))


def raise_for_error(body: object) -> None:
    """Raise the classified PlatformError if the body carries `error_code` (a string or an int)."""
    obj = as_obj(body, "body")
    raw = obj.get("error_code")
    if raw is None:
        return
    if isinstance(raw, str) and raw.strip().isdigit():
        code = int(raw)
    elif isinstance(raw, int) and not isinstance(raw, bool):
        code = raw
    else:
        raise parse_error(f"body.error_code: expected integer or digit string, got {raw!r}")
    raise weibo_error(code, opt_str(obj, "error", "body") or "")


def _checked(body: object, where: str) -> Obj:
    raise_for_error(body)
    return as_obj(body, where)


def parse_user_show(body: object) -> ProfileObs:
    """The account's profile from users/show.json."""
    obj = _checked(body, "users/show")
    return ProfileObs(
        uid=get_id(obj, ("idstr", "id"), "users/show"),
        name=req_str(obj, "screen_name", "users/show"),
        followers=opt_int(obj, "followers_count", "users/show"),
        posts_total=opt_int(obj, "statuses_count", "users/show"),
        verified=get_bool(obj, "verified", "users/show"),
    )


def _status(status: Obj, where: str) -> PostObs:
    created = req_str(status, "created_at", where)
    published = weibo_time(created)
    if published is None:
        raise parse_error(f"{where}.created_at: unrecognised time {created!r}")
    post_id = get_id(status, ("idstr", "id"), where)
    text, coverage = post_text("", opt_str(status, "text", where) or "", status.get("isLongText") is True)
    return PostObs(
        post_id=post_id,
        published_at=published,
        title=clean_title(opt_str(status, "text", where) or ""),
        url=f"https://m.weibo.cn/detail/{post_id}",
        # A long post's text is folded (isLongText): only a part of it is known.
        text=text,
        text_coverage=coverage,
        original=status.get("retweeted_status") is None,
        shares=opt_int(status, "reposts_count", where),
        comments=opt_int(status, "comments_count", where),
        likes=opt_int(status, "attitudes_count", where),
    )


def parse_user_timeline(body: object) -> list[PostObs]:
    """Posts from statuses/user_timeline.json, in the order given (newest first)."""
    obj = _checked(body, "user_timeline")
    statuses = req_list(obj, "statuses", "user_timeline")
    posts = []
    for i, raw in enumerate(statuses):
        where = f"user_timeline.statuses[{i}]"
        posts.append(_status(as_obj(raw, where), where))
    return posts
