"""Pure parsers for Weibo comment threads and the author's answers (platform-apis-2.md §5.2-5.6, §6.1).

m.weibo.cn `comments/hotflow` wraps comments in ``data{}``; `comments/hotFlowChild` does not. A reply
preview (`comments`) is a list or ``false``. The account answered a comment when one of its replies is
by the post's author; when the preview is shorter than `total_number`, `hotFlowChild` must be read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from collectors.errors import parse_error
from collectors.parse_common import Obj, as_list, as_obj, get_id, opt_int, req_list, req_str
from collectors.parse_weibo_api import raise_for_error
from collectors.parse_weibo_mobile import data_of, parse_created_at


@dataclass(frozen=True, slots=True)
class WeiboComment:
    """A top-level comment, the author's earliest answer seen, and whether more replies must be read."""

    id: str
    at: datetime
    answered_at: datetime | None
    more_replies: bool


@dataclass(frozen=True, slots=True)
class Thread:
    """One page of comments and the cursor of the next page (None: last page)."""

    comments: list[WeiboComment]
    next_cursor: tuple[int, int] | None
    total: int | None


def _user_id(comment: Obj, where: str) -> str | None:
    user = comment.get("user")
    if not isinstance(user, dict):
        return None  # deleted users come without one
    return get_id(user, ("idstr", "id"), f"{where}.user")


def _earliest_author_reply(replies: list[object], author: str, now: datetime, where: str) -> datetime | None:
    found: datetime | None = None
    for i, raw in enumerate(replies):
        at = f"{where}[{i}]"
        reply = as_obj(raw, at)
        if _user_id(reply, at) == author:
            moment = parse_created_at(req_str(reply, "created_at", at), now)
            found = moment if found is None or moment < found else found
    return found


def _preview(comment: Obj, where: str) -> list[object]:
    replies = comment.get("comments")
    if replies is None or replies is False:
        return []
    return as_list(replies, f"{where}.comments")


def _cursor(obj: Obj, where: str) -> tuple[int, int] | None:
    raw = obj.get("max_id")
    if isinstance(raw, str) and raw.isdigit():
        max_id = int(raw)  # one client's tests see the string "0"
    elif isinstance(raw, int) and not isinstance(raw, bool):
        max_id = raw
    elif raw is None:
        return None
    else:
        raise parse_error(f"{where}.max_id: expected integer, got {raw!r}")
    return (max_id, opt_int(obj, "max_id_type", where) or 0) if max_id else None


def parse_hotflow(body: object, author: str, now: datetime) -> Thread:
    """One page of m.weibo.cn `comments/hotflow` for a post by `author` (uid)."""
    data = data_of(body, "hotflow")
    if data is None:
        return Thread([], None, None)
    out = []
    for i, raw in enumerate(req_list(data, "data", "hotflow.data")):
        where = f"hotflow.data.data[{i}]"
        comment = as_obj(raw, where)
        if _user_id(comment, where) == author:
            continue  # the account's own top-level comment is not a question to answer
        replies = _preview(comment, where)
        answered = _earliest_author_reply(replies, author, now, f"{where}.comments")
        total = opt_int(comment, "total_number", where) or 0
        out.append(WeiboComment(
            id=get_id(comment, ("idstr", "id"), where),
            at=parse_created_at(req_str(comment, "created_at", where), now),
            answered_at=answered,
            more_replies=answered is None and total > len(replies),
        ))
    return Thread(out, _cursor(data, "hotflow.data"), opt_int(data, "total_number", "hotflow.data"))


def parse_hotflow_child(body: object, author: str, now: datetime) -> tuple[datetime | None, tuple[int, int] | None]:
    """The author's earliest answer on one page of `comments/hotFlowChild`, and the next page's cursor."""
    obj = as_obj(body, "hotFlowChild")
    if opt_int(obj, "ok", "hotFlowChild") != 1:
        # Not wrapped like hotflow, but the failure shapes are the same: -100 and captcha raise, ok:0 is empty.
        data_of(body, "hotFlowChild")
        return None, None
    replies = as_list(obj.get("data", []), "hotFlowChild.data")
    return _earliest_author_reply(replies, author, now, "hotFlowChild.data"), _cursor(obj, "hotFlowChild")


@dataclass(frozen=True, slots=True)
class ShowPage:
    """One open-API comments page: top-level comments by id, the author's answers by the id they answer."""

    tops: dict[str, datetime]
    answers: dict[str, datetime]
    size: int


def join_answers(pages: list[ShowPage]) -> list[WeiboComment]:
    """Top-level comments of every page with the author's earliest answer (which may sit on another page)."""
    tops: dict[str, datetime] = {}
    answers: dict[str, datetime] = {}
    for page in pages:
        tops.update(page.tops)
        for cid, at in page.answers.items():
            answers[cid] = min(at, answers.get(cid, at))
    return [WeiboComment(cid, at, answers.get(cid), False) for cid, at in tops.items()]


def parse_comments_show(body: object, author: str, now: datetime) -> ShowPage:
    """Open API `comments/show.json`: top-level comments and the author's answers (`reply_comment`)."""
    raise_for_error(body)
    obj = as_obj(body, "comments/show")
    items = req_list(obj, "comments", "comments/show")
    tops: dict[str, datetime] = {}
    answers: dict[str, datetime] = {}
    for i, raw in enumerate(items):
        where = f"comments/show.comments[{i}]"
        comment = as_obj(raw, where)
        at = parse_created_at(req_str(comment, "created_at", where), now)
        reply_to = comment.get("reply_comment")
        by_author = _user_id(comment, where) == author
        if reply_to is None:
            if not by_author:
                tops[get_id(comment, ("idstr", "id"), where)] = at
        elif by_author:
            target = get_id(as_obj(reply_to, f"{where}.reply_comment"), ("idstr", "id"), f"{where}.reply_comment")
            answers[target] = min(at, answers.get(target, at))
    return ShowPage(tops, answers, len(items))
