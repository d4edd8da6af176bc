"""Reading Weibo comments and the account's answers for the posts `collectors.threads` picked.

Open API accounts: `2/comments/show.json` with the account's token. Others: m.weibo.cn
`comments/hotflow`, and `comments/hotFlowChild` for a comment whose reply preview is shorter than its
reply count and shows no answer; both need the login cookie and go through the same paced host as the
profile calls. A post whose comment count is 0 needs no call. Threads longer than the page bounds stay
unknown (None), never counted as partly answered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from collectors.model import PostObs, ResponseObs
from collectors.parse_comments import Comment, summarize
from collectors.parse_weibo_comments import (
    ShowPage,
    WeiboComment,
    join_answers,
    parse_comments_show,
    parse_hotflow,
    parse_hotflow_child,
)
from collectors.threads import ThreadPick

#: Pages read per post and cycle at most: hotflow (20 comments each), hotFlowChild per comment, open API (50).
HOTFLOW_PAGES = 5
CHILD_PAGES = 3
CHILD_CALLS = 10
SHOW_PAGES = 4
SHOW_COUNT = 50

GetJson = Callable[[str, dict[str, Any], str], Awaitable[object]]


def _known_empty(post: PostObs | None) -> bool:
    return post is not None and post.comments == 0


def _as_comments(found: Sequence[WeiboComment]) -> list[Comment]:
    return [Comment(c.at, c.answered_at) for c in found]


async def read_mobile(get: GetJson, picks: Sequence[ThreadPick], posts: Mapping[str, PostObs], author: str,
                      now: dt.datetime) -> list[ResponseObs]:
    """Facts of each picked post from m.weibo.cn; `get(path, params, referer)` returns the decoded body."""
    out = []
    for pick in picks:
        if _known_empty(posts.get(pick.post_id)):
            out.append(summarize(pick.post_id, [], now))
            continue
        out.append(await _mobile_thread(get, pick.post_id, author, now))
    return out


async def _mobile_thread(get: GetJson, mid: str, author: str, now: dt.datetime) -> ResponseObs:
    referer = f"/detail/{mid}"
    found: list[WeiboComment] = []
    cursor: tuple[int, int] | None = None
    for _ in range(HOTFLOW_PAGES):
        params: dict[str, Any] = {"id": mid, "mid": mid, "max_id_type": cursor[1] if cursor else 0}
        if cursor:
            params["max_id"] = cursor[0]
        thread = parse_hotflow(await get("/comments/hotflow", params, referer), author, now)
        found += thread.comments
        cursor = thread.next_cursor
        if cursor is None:
            break
    if cursor is not None:
        return summarize(mid, [], now, complete=False)
    calls = 0
    resolved: list[WeiboComment] = []
    for c in found:
        if not c.more_replies:
            resolved.append(c)
            continue
        answered: dt.datetime | None = None
        child: tuple[int, int] | None = (0, 0)
        for _ in range(CHILD_PAGES):
            if child is None or answered is not None or calls >= CHILD_CALLS:
                break
            calls += 1
            answered, child = parse_hotflow_child(
                await get("/comments/hotFlowChild", {"cid": c.id, "max_id": child[0], "max_id_type": 0}, referer),
                author, now)
        if answered is None and child is not None:
            return summarize(mid, [], now, complete=False)  # replies left unread: unknown
        resolved.append(WeiboComment(c.id, c.at, answered, False))
    return summarize(mid, _as_comments(resolved), now)


async def read_open_api(get: Callable[[dict[str, Any]], Awaitable[object]], picks: Sequence[ThreadPick],
                        posts: Mapping[str, PostObs], author: str, now: dt.datetime) -> list[ResponseObs]:
    """Facts of each picked post from `2/comments/show.json`; `get(params)` adds the token."""
    out = []
    for pick in picks:
        if _known_empty(posts.get(pick.post_id)):
            out.append(summarize(pick.post_id, [], now))
            continue
        pages: list[ShowPage] = []
        complete = False
        for page_no in range(1, SHOW_PAGES + 1):
            page = parse_comments_show(await get({"id": pick.post_id, "count": SHOW_COUNT, "page": page_no}),
                                       author, now)
            pages.append(page)
            if page.size < SHOW_COUNT:
                complete = True
                break
        out.append(summarize(pick.post_id, _as_comments(join_answers(pages)), now, complete=complete))
    return out
