"""Comment threads and answers: WeChat `comment/list` pages and the per-post summary both platforms share.

A comment is (when it was written, when the account answered it or None). The summary of a post's
comments is a `ResponseObs`; anything the thread does not show stays None, never 0.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from collectors.errors import parse_error
from collectors.model import BEIJING, ResponseObs
from collectors.parse_common import as_list, as_obj, opt_int, req_int
from collectors.parse_wechat import errcode_error

#: WeChat comment/list codes that are facts about the article, not failures of the call.
NOT_OPEN = 88000  # the account has no comment (留言) privilege
NO_SUCH_MESSAGE = 88001  # not a mass send (free-published) or unknown id: comments cannot be read
#: Largest page the API takes (the doc refuses 50 or more).
PAGE_SIZE = 49


@dataclass(frozen=True, slots=True)
class Comment:
    """One top-level comment: when it was written and when the account answered (None: not answered)."""

    at: datetime
    answered_at: datetime | None


@dataclass(frozen=True, slots=True)
class CommentPage:
    """One `comment/list` page: the comments, the total the platform reports, and what it said about access."""

    comments: list[Comment]
    total: int | None
    #: False: 88000, comments not open. None with `readable` False: 88001, cannot be read through the API.
    open: bool | None = True
    readable: bool = True
    #: `comment_cnt` when the platform reports comments but lists none (seen in a real answer).
    hidden: int | None = None


def _stamp(value: int, where: str) -> datetime:
    try:
        return datetime.fromtimestamp(value, BEIJING)
    except (OverflowError, OSError, ValueError):
        raise parse_error(f"{where}: time out of range ({value})") from None


def parse_comment_list(body: object) -> CommentPage:
    """One page of WeChat `cgi-bin/comment/list`; 88000 and 88001 are facts, other errcodes raise."""
    obj = as_obj(body, "comment/list")
    errcode = opt_int(obj, "errcode", "comment/list") or 0
    if errcode == NOT_OPEN:
        return CommentPage([], None, open=False)
    if errcode == NO_SUCH_MESSAGE:
        return CommentPage([], None, open=None, readable=False)
    if errcode:
        raise errcode_error(errcode, str(obj.get("errmsg") or ""))
    total = req_int(obj, "total", "comment/list")
    comments = []
    for i, raw in enumerate(as_list(obj.get("comment", []), "comment/list.comment")):
        where = f"comment/list.comment[{i}]"
        item = as_obj(raw, where)
        at = _stamp(req_int(item, "create_time", where), f"{where}.create_time")
        reply = item.get("reply")
        answered = None
        if reply is not None:
            reply_obj = as_obj(reply, f"{where}.reply")
            answered = _stamp(req_int(reply_obj, "create_time", f"{where}.reply"), f"{where}.reply.create_time")
        comments.append(Comment(at, answered))
    hidden = opt_int(obj, "comment_cnt", "comment/list")
    return CommentPage(comments, total, hidden=hidden if hidden and not comments else None)


def summarize(post_id: str, comments: list[Comment], checked_at: datetime, *, complete: bool = True,
              comments_open: bool | None = True) -> ResponseObs:
    """A post's responsiveness facts from its comments; `complete=False` when not every comment was seen."""
    if comments_open is False:
        return ResponseObs(post_id=post_id, checked_at=checked_at, comments_open=False)
    if not complete:
        # Part of the thread could not be read: counts of what was seen would read as the whole.
        return ResponseObs(post_id=post_id, checked_at=checked_at, comments_open=comments_open)
    answered = [c for c in comments if c.answered_at is not None]
    delays = [max(0, int((c.answered_at - c.at).total_seconds())) for c in answered if c.answered_at is not None]
    first_answer = min((c.answered_at for c in answered if c.answered_at is not None), default=None)
    first_comment = min((c.at for c in comments), default=None)
    unanswered = [c.at for c in comments if c.answered_at is None]
    return ResponseObs(
        post_id=post_id,
        checked_at=checked_at,
        comments_open=comments_open,
        comments_seen=len(comments),
        comments_answered=len(answered),
        first_answer_delay_s=max(0, int((first_answer - first_comment).total_seconds()))
        if first_answer is not None and first_comment is not None else None,
        median_answer_delay_s=int(statistics.median(delays)) if delays else None,
        oldest_unanswered_at=min(unanswered) if unanswered else None,
    )
