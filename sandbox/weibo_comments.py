"""Weibo comment threads: m.weibo.cn `comments/hotflow` and `comments/hotFlowChild`, open API `2/comments/show.json`.

m.weibo.cn (platform-apis-2.md §5.2-5.3) needs the county's login cookie (`SUB=<county.weibo_cookie>`):
without it the answer is an HTML page, not JSON. hotflow pages hold `PAGE` top-level comments
wrapped in `data{}`, paged by `max_id`/`max_id_type` until `max_id` 0; each comment's reply preview
`comments` is its first `PREVIEW` replies or `false` when it has none, `total_number` the reply count.
hotFlowChild (`cid`, `max_id`) lists a comment's replies unwrapped, with `rootComment`. The account's
answers are replies whose `user.id` is the post author's. The open API (§6.1, token of the authorising
account) lists top-level comments and replies flat, newest first; replies carry `reply_comment`.
Threads come from `sandbox.comments` (which accounts answer slowly is documented there).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from sandbox.comments import THREAD_CAP, Reply, Thread, threads
from sandbox.county import Account, Post, mid_to_bid
from sandbox.runtime import Sandbox
from sandbox.weibo import WeiboAPI, avatar, weibo_time

PAGE = 20
PREVIEW = 2
CHILD_PAGE = 10
_LOGIN_PAGE = "<html><head><title>微博</title></head><body>请先登录</body></html>"


def _user(sandbox_account: Account | None, user_id: int) -> dict[str, Any]:
    if sandbox_account is not None:
        return {"id": int(sandbox_account.uid), "screen_name": sandbox_account.name,
                "profile_image_url": avatar(sandbox_account, 180), "verified": True, "verified_type": 1}
    return {"id": user_id, "screen_name": f"用户{user_id % 100000:05d}", "verified": False, "verified_type": -1,
            "profile_image_url": f"https://tvax1.sinaimg.cn/crop.0.0.180.180.180/{user_id:x}.jpg"}


def _reply_json(account: Account, thread: Thread, reply: Reply) -> dict[str, Any]:
    return {"id": str(reply.id), "mid": str(reply.id), "rootid": str(thread.id), "rootidstr": str(thread.id),
            "created_at": weibo_time(reply.at), "text": reply.text, "source": "来自河北",
            "user": _user(account if reply.by_author else None, reply.user_id),
            "like_count": 0, "liked": False, "total_number": 0, "comments": False}


def _comment_json(account: Account, thread: Thread, floor: int) -> dict[str, Any]:
    preview = [_reply_json(account, thread, r) for r in thread.replies[:PREVIEW]]
    return {"id": str(thread.id), "mid": str(thread.id), "bid": mid_to_bid(str(thread.id)), "rootid": str(thread.id),
            "rootidstr": str(thread.id), "created_at": weibo_time(thread.at), "text": thread.text, "source": "来自河北",
            "user": _user(None, thread.user_id), "like_count": floor % 3, "liked": False, "floor_number": floor,
            "disable_reply": 0, "more_info_type": 0, "readtimetype": "comment", "comment_badge": [],
            "total_number": len(thread.replies), "max_id": 0, "isLikedByMblogAuthor": floor % 7 == 0,
            "comments": preview or False}


class WeiboComments:
    """The comment routes of one sandbox."""

    def __init__(self, sandbox: Sandbox, api: WeiboAPI) -> None:
        self.sandbox = sandbox
        self.api = api
        self._by_mid = {p.id: (a, p) for a in sandbox.county.accounts if a.platform == "weibo" for p in a.posts}

    def routes(self) -> list[BaseRoute]:
        """hotflow, hotFlowChild and the open API's comments/show."""
        return [
            Route("/comments/hotflow", self.hotflow, methods=["GET"]),
            Route("/comments/hotFlowChild", self.hotflow_child, methods=["GET"]),
            Route("/2/comments/show.json", self.show, methods=["GET"]),
        ]

    def _threads(self, account: Account, post: Post) -> list[Thread]:
        # Hot order: most replied first, then newest; stable for paging.
        found = threads(self.sandbox.county.seed, account, post, self.sandbox.now())
        return sorted(found, key=lambda t: (-len(t.replies), -t.at.timestamp(), t.id))

    def _root(self, cid: str) -> tuple[Account, Post] | None:
        """The post a top-level comment id belongs to: comment ids follow their post's mid (`sandbox.comments`)."""
        if not cid.isdigit():
            return None
        for offset in range(1, THREAD_CAP + 1):
            found = self._visible(str(int(cid) - offset))
            if found is not None:
                return found
        return None

    def _logged_in(self, request: Request) -> bool:
        return request.cookies.get("SUB") == self.sandbox.county.weibo_cookie

    def _visible(self, mid: str) -> tuple[Account, Post] | None:
        found = self._by_mid.get(mid)
        if found is None or found[0].persona == "gone" or found[1].published_at > self.sandbox.now():
            return None
        return found

    async def hotflow(self, request: Request) -> Response:
        """GET /comments/hotflow?id=&mid=&max_id=&max_id_type=: one page of top-level comments."""
        query = request.query_params
        found = self._visible(query.get("mid") or query.get("id") or "")

        async def answer() -> Response:
            if not self._logged_in(request):
                return Response(_LOGIN_PAGE, media_type="text/html")
            if found is None:
                return JSONResponse({"ok": 0, "msg": "这里还没有内容"})
            ordered = self._threads(*found)
            start = _start(ordered, query.get("max_id"))
            chunk = ordered[start:start + PAGE]
            nxt = int(ordered[start + PAGE].id) if start + PAGE < len(ordered) else 0
            return JSONResponse({"ok": 1, "data": {
                "data": [_comment_json(found[0], t, start + i + 1) for i, t in enumerate(chunk)],
                "total_number": len(ordered), "max_id": nxt, "max_id_type": 0, "max": -(-len(ordered) // PAGE),
                "status": {"id": found[1].id, "mid": found[1].id, "user": {"id": int(found[0].uid)}}}})

        return await self.sandbox.faults.run(request, "weibo_mobile", found[0].uid if found else None, answer)

    async def hotflow_child(self, request: Request) -> Response:
        """GET /comments/hotFlowChild?cid=&max_id=&max_id_type=0: a comment's replies, not wrapped in data{}."""
        query = request.query_params
        cid = query.get("cid", "")
        root = self._root(cid)

        async def answer() -> Response:
            if not self._logged_in(request):
                return Response(_LOGIN_PAGE, media_type="text/html")
            thread = next((t for t in self._threads(*root) if str(t.id) == cid), None) if root else None
            if root is None or thread is None:
                return JSONResponse({"ok": 0, "msg": "这里还没有内容"})
            replies = list(thread.replies)
            start = next((i for i, r in enumerate(replies) if str(r.id) == query.get("max_id")), 0)
            chunk = replies[start:start + CHILD_PAGE]
            nxt = replies[start + CHILD_PAGE].id if start + CHILD_PAGE < len(replies) else 0
            return JSONResponse({
                "ok": 1, "data": [_reply_json(root[0], thread, r) for r in chunk], "total_number": len(replies),
                "max_id": nxt, "max_id_type": 0, "max": -(-len(replies) // CHILD_PAGE),
                "rootComment": [{**_comment_json(root[0], thread, 1), "comments": False}]})

        return await self.sandbox.faults.run(request, "weibo_mobile", root[0].uid if root else None, answer)

    async def show(self, request: Request) -> Response:
        """GET /2/comments/show.json?id=&count=&page=: comments and replies, flat, newest first."""
        query = request.query_params
        found = self._visible(query.get("id", ""))

        async def answer(owner: Account) -> Response:
            if found is None:
                return JSONResponse({"request": request.url.path, "error_code": "20101",
                                     "error": "target weibo does not exist!"}, status_code=400)
            try:
                count, page = min(int(query.get("count", 50)), 200), int(query.get("page", 1))
            except ValueError:
                return JSONResponse({"request": request.url.path, "error_code": "10008",
                                     "error": "Param error, see doc for more info."}, status_code=400)
            account, post = found
            items: list[tuple[datetime, dict[str, Any]]] = []
            status = {"id": int(post.id), "idstr": post.id, "text": post.text[:40]}
            for t in threads(self.sandbox.county.seed, account, post, self.sandbox.now()):
                commenter = _user(None, t.user_id)
                top: dict[str, Any] = {"created_at": weibo_time(t.at), "id": t.id, "idstr": str(t.id), "mid": str(t.id),
                       "text": t.text, "source": '<a href="https://weibo.com/" rel="nofollow">微博 weibo.com</a>',
                       "user": commenter, "status": status}
                items.append((t.at, top))
                for r in t.replies:
                    reply = {**top, "created_at": weibo_time(r.at), "id": r.id, "idstr": str(r.id), "mid": str(r.id),
                             "text": f"回复@{commenter['screen_name']}:{r.text}",
                             "user": _user(account if r.by_author else None, r.user_id),
                             "reply_comment": {"id": t.id, "idstr": str(t.id), "text": t.text,
                                               "user": commenter}}
                    items.append((r.at, reply))
            items.sort(key=lambda pair: pair[0], reverse=True)
            chunk = [item for _, item in items[(page - 1) * count: page * count]]
            more = len(items) > page * count
            return JSONResponse({"comments": chunk, "hasvisible": False, "previous_cursor": 0,
                                 "next_cursor": int(chunk[-1]["id"]) if more and chunk else 0,
                                 "total_number": len(items)})

        return await self.api.guarded(request, "comments/show", answer)


def _start(ordered: list[Thread], max_id: str | None) -> int:
    if not max_id or max_id == "0":
        return 0
    return next((i for i, t in enumerate(ordered) if str(t.id) == max_id), len(ordered))
