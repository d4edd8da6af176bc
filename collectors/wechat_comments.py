"""Reading WeChat 留言 through `cgi-bin/comment/list` for the posts `collectors.threads` picked.

Only mass sends (群发) can be read: the msg_data_id and 0-based index come from the datacube msgid
`<msg_data_id>_<1-based index>`. 88000 (the account has no comment privilege) is stored as "comments not
open" for every picked post without further calls; 88001 (published without a mass send) is stored as
read-but-unknown, so the post is not tried again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from collectors.model import ResponseObs
from collectors.parse_comments import (
    NO_SUCH_MESSAGE,
    NOT_OPEN,
    PAGE_SIZE,
    Comment,
    parse_comment_list,
    summarize,
)
from collectors.parse_wechat_stats import msg_data_id
from collectors.threads import ThreadPick

#: comment/list errcodes that are facts for the parser, not failed calls.
COMMENT_FACTS = frozenset({NOT_OPEN, NO_SUCH_MESSAGE})
#: Pages of one article's comments read per cycle at most (49 each); longer threads stay unknown.
MAX_PAGES = 4

Call = Callable[[str, dict[str, Any]], Awaitable[object]]


async def read_comments(call: Call, picks: Sequence[ThreadPick], now: dt.datetime) -> list[ResponseObs]:
    """Responsiveness facts of each picked post (one or more comment/list calls per mass-sent article)."""
    out: list[ResponseObs] = []
    closed = False
    for pick in picks:
        ids = msg_data_id(pick.post_id)
        if closed:
            out.append(summarize(pick.post_id, [], now, comments_open=False))
            continue
        if ids is None:
            # Provisional free-publish ids: comment/list takes only mass-send ids.
            out.append(ResponseObs(post_id=pick.post_id, checked_at=now))
            continue
        facts = await _read_one(call, pick.post_id, ids, now)
        closed = facts.comments_open is False
        out.append(facts)
    return out


async def _read_one(call: Call, post_id: str, ids: tuple[int, int], now: dt.datetime) -> ResponseObs:
    comments: list[Comment] = []
    for page_no in range(MAX_PAGES):
        body = {"msg_data_id": ids[0], "index": ids[1], "begin": page_no * PAGE_SIZE, "count": PAGE_SIZE, "type": 0}
        page = parse_comment_list(await call("/cgi-bin/comment/list", body))
        if not page.readable:
            return ResponseObs(post_id=post_id, checked_at=now)
        if page.open is False:
            return summarize(post_id, [], now, comments_open=False)
        if page.hidden:
            # Comments exist (comment_cnt) but none are listed: whether they were answered is unknown.
            return summarize(post_id, [], now, complete=False)
        comments += page.comments
        if len(page.comments) < PAGE_SIZE or (page.total is not None and len(comments) >= page.total):
            return summarize(post_id, comments, now)
    return summarize(post_id, comments, now, complete=False)
