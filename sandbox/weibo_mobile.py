"""m.weibo.cn, served at `/api/container/getIndex` and `/statuses/extend` (what crawlers really use).

Profile: `type=uid&value=<uid>` or `containerid=100505<uid>`. Posts: `containerid=107603<uid>` or
`230413<uid>`, paged with `page=N` or `since_id=<id>` (`count` ≤ 25, default 10). Each answer
advertises the next page in `cardlistInfo` (`page` when paging by page, `since_id` whenever more posts
follow). Past the end, 107603 answers `{"ok":0,"msg":"这里还没有内容"}` and 230413 answers `ok:1` with
empty `cards`. A pinned old post leads page one (`isTop:1`, `mblogtype:2`, `title.text` 置顶). Counts
are strings where the app shows them so: followers ≥ 10,000 as "693.2万" (plus `followers_count_str`),
post counts ≥ 1,000,000 as "100万+". Visitors see only the newest 2,000 posts. A deleted account (persona
`gone`), an unknown uid or a non-Weibo uid answers `{"ok":0,"msg":"这里还没有内容"}`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from sandbox.county import Account, Post
from sandbox.runtime import Sandbox
from sandbox.weibo import avatar, following, weibo_time

NO_CONTENT = {"ok": 0, "msg": "这里还没有内容"}
VISITOR_CAP = 2000
LONG_TEXT = 140
_MESSAGES = {100005: "请求过于频繁，歇歇吧"}


def wan(count: int) -> int | str:
    """A follower count as the app shows it: 8123, "12.3万", "1.2亿"."""
    if count < 10_000:
        return count
    if count >= 100_000_000:
        return f"{count / 100_000_000:.1f}亿".replace(".0亿", "亿")
    return f"{count / 10_000:.1f}万".replace(".0万", "万")


def capped(count: int) -> int | str:
    """A post count as the app shows it: exact below a million, then "100万+"."""
    return "100万+" if count >= 1_000_000 else count


def legacy_time(moment: datetime, now: datetime) -> str:
    """The pre-2021 `created_at`: 刚刚, N分钟前, N小时前, 昨天 HH:MM, MM-DD, YYYY-MM-DD."""
    seconds = (now - moment).total_seconds()
    local, today = moment.astimezone(now.tzinfo), now.date()
    if seconds < 60:
        return "刚刚"
    if seconds < 3600:
        return f"{int(seconds // 60)}分钟前"
    if local.date() == today:
        return f"{int(seconds // 3600)}小时前"
    if (today - local.date()).days == 1:
        return f"昨天 {local:%H:%M}"
    return f"{local:%m-%d}" if local.year == now.year else f"{local:%Y-%m-%d}"


class WeiboMobile:
    """The m.weibo.cn routes of one sandbox."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self._by_mid = {p.id: (a, p) for a in sandbox.county.accounts if a.platform == "weibo" for p in a.posts}
        sandbox.faults.register("weibo_mobile", self._error)

    def routes(self) -> list[BaseRoute]:
        """getIndex and statuses/extend."""
        return [
            Route("/api/container/getIndex", self.get_index, methods=["GET"]),
            Route("/statuses/extend", self.extend, methods=["GET"]),
        ]

    @staticmethod
    def _error(request: Request, code: int) -> Response:
        return JSONResponse({"ok": 0, "errno": str(code), "msg": _MESSAGES.get(code, "系统繁忙，请稍后再试")})

    def _weibo_account(self, uid: str) -> Account | None:
        account = self.sandbox.county.account(uid)
        if account is None or account.platform != "weibo" or account.persona == "gone":
            return None
        return account

    async def get_index(self, request: Request) -> Response:
        """GET /api/container/getIndex: a profile or a page of posts."""
        query = request.query_params
        containerid = query.get("containerid", "")
        if containerid.startswith("100103"):
            return await self.search(request, containerid[6:])
        prefix, uid = containerid[:6], containerid[6:]
        if prefix not in ("100505", "107603", "230413"):
            prefix, uid = ("100505", query.get("value", "")) if query.get("type") == "uid" else ("", "")

        async def answer() -> Response:
            account = self._weibo_account(uid)
            if account is None or not prefix:
                return JSONResponse(NO_CONTENT)
            if prefix == "100505":
                return JSONResponse({"ok": 1, "data": self._profile(account)})
            return self._posts(request, account, prefix + uid, prefix)

        return await self.sandbox.faults.run(request, "weibo_mobile", uid or None, answer)

    async def search(self, request: Request, spec: str) -> Response:
        """The user search (`100103type=3&q=<name>`, platform-apis-2.md §5.1): users in a card_type 11 group.

        Similar names come back too (a personal fan account per match); the account named in
        `AMBIGUOUS_NAME` has a same-name twin whose verification also names its unit.
        """
        params = dict(p.partition("=")[::2] for p in spec.split("&"))
        q = params.get("q", "").strip()

        async def answer() -> Response:
            found = [a for a in self.sandbox.county.accounts
                     if a.platform == "weibo" and a.persona != "gone" and q and q in a.name]
            if params.get("type") != "3" or not found:
                return JSONResponse(NO_CONTENT)
            users = []
            for a in found:
                users.append(_search_user(self._user_info(a)))
                if a.name == AMBIGUOUS_NAME:
                    twin = {**self._user_info(a), "id": int("6" + a.uid[1:]), "verified_reason": f"{a.unit}直属单位官方微博"}
                    users.append(_search_user(twin))
                users.append({"card_type": 10, "user": {"id": int("7" + a.uid[1:]), "screen_name": f"{a.name}粉丝团",
                                                         "verified": False, "verified_type": -1, "followers_count": 12}})
            header = {"card_type": 11, "card_group": [{"card_type": 42, "desc": f"搜索“{q}”的用户"}]}
            return JSONResponse({"ok": 1, "data": {"cardlistInfo": {"page": 2, "v_p": 42},
                                                   "cards": [header, {"card_type": 11, "card_group": users}]}})

        return await self.sandbox.faults.run(request, "weibo_mobile", None, answer)

    async def extend(self, request: Request) -> Response:
        """GET /statuses/extend?id=…: the full text of a long post."""
        found = self._by_mid.get(request.query_params.get("id", ""))

        async def answer() -> Response:
            if found is None or self._weibo_account(found[0].uid) is None:
                return JSONResponse(NO_CONTENT)
            post = found[1]
            return JSONResponse({"ok": 1, "data": {
                "ok": 1, "longTextContent": post.text, "reposts_count": capped(post.shares),
                "comments_count": capped(post.comments), "attitudes_count": capped(post.likes),
            }})

        return await self.sandbox.faults.run(request, "weibo_mobile", found[0].uid if found else None, answer)

    def _posts(self, request: Request, account: Account, containerid: str, prefix: str) -> Response:
        query = request.query_params
        visible = account.posts_until(self.sandbox.now())
        pinned = [p for p in visible if p.pinned]
        rest = [p for p in visible if not p.pinned][:VISITOR_CAP]
        count = _int(query.get("count"), 10, 1, 25)
        since_id = _int(query.get("since_id"), 0, 0, None)
        page = _int(query.get("page"), 1, 1, None)
        if since_id:
            start = next((i for i, p in enumerate(rest) if int(p.id) <= since_id), len(rest))
            first_page = False
        else:
            start, first_page = (page - 1) * count, page == 1
        chunk = rest[start:start + count]
        info: dict[str, Any] = {"containerid": containerid, "v_p": 42, "show_style": 1, "total": account.statuses_count}
        if not chunk:
            if prefix == "107603":
                return JSONResponse(NO_CONTENT)
            return JSONResponse({"ok": 1, "data": {"cardlistInfo": info, "cards": []}})
        if start + count < len(rest):
            info["since_id"] = int(rest[start + count].id)
            if not since_id:
                info["page"] = page + 1
        shown = (pinned if first_page else []) + chunk
        cards = [self._card(account, p, containerid) for p in shown]
        scheme = f"sinaweibo://cardlist?containerid={containerid}&luicode=10000011&lfid=100505{account.uid}"
        return JSONResponse({"ok": 1, "data": {"cardlistInfo": info, "cards": cards, "scheme": scheme}})

    def _profile(self, account: Account) -> dict[str, Any]:
        uid = account.uid
        return {
            "avatar_guide": [],
            "isStarStyle": 0,
            "userInfo": self._user_info(account),
            "fans_scheme": f"https://m.weibo.cn/p/index?containerid=231051_-_fansrecomm_-_{uid}&luicode=10000011&lfid=100505{uid}",
            "follow_scheme": f"https://m.weibo.cn/p/index?containerid=231051_-_followersrecomm_-_{uid}&luicode=10000011&lfid=100505{uid}",
            "tabsInfo": {"selectedTab": 1, "tabs": [
                {"id": 1, "tabKey": "profile", "must_show": 1, "hidden": 0, "title": "主页", "tab_type": "profile",
                 "containerid": f"230283{uid}"},
                {"id": 2, "tabKey": "weibo", "must_show": 1, "hidden": 0, "title": "微博", "tab_type": "weibo",
                 "containerid": f"107603{uid}", "apipath": "/profile/statuses", "url": "/index/my"},
            ]},
            "showAppTips": 0,
            "scheme": f"sinaweibo://userinfo?uid={uid}&luicode=10000011&lfid=100505{uid}",
        }

    def _user_info(self, account: Account) -> dict[str, Any]:
        followers = account.followers[0] if account.followers else 0
        info: dict[str, Any] = {
            "id": int(account.uid), "screen_name": account.name,
            "profile_image_url": avatar(account, 180),
            "profile_url": f"https://m.weibo.cn/u/{account.uid}?uid={account.uid}&luicode=10000011&lfid=100505{account.uid}",
            "statuses_count": account.statuses_count, "verified": True, "verified_type": 1, "verified_type_ext": 0,
            "verified_reason": f"{account.unit}官方微博", "close_blue_v": False,
            "description": f"{account.unit}官方微博", "gender": "m", "mbtype": 0, "urank": 24, "mbrank": 0,
            "follow_me": False, "following": False, "follow_count": following(account),
            "followers_count": wan(followers),
            "cover_image_phone": "https://tva1.sinaimg.cn/crop.0.0.640.640.640/549d0121tw1egm1kjly3jj20hs0hsq4f.jpg",
            "avatar_hd": avatar(account, 1024), "like": False, "like_me": False, "badge": {},
        }
        if isinstance(info["followers_count"], str):
            info["followers_count_str"] = info["followers_count"]
        return info

    def _card(self, account: Account, post: Post, containerid: str) -> dict[str, Any]:
        return {
            "card_type": 9,
            "itemid": f"{containerid}_-_{post.id}",
            "scheme": f"https://m.weibo.cn/status/{post.bid}?mblogid={post.bid}&luicode=10000011&lfid={containerid}",
            "mblog": self._mblog(account, post),
            "show_type": 0,
        }

    def _mblog(self, account: Account, post: Post) -> dict[str, Any]:
        now = self.sandbox.now()
        legacy = account.uid in self.sandbox.legacy_date_uids
        tag = quote(f"#{account.name}#")
        long_text = len(post.text) > LONG_TEXT
        text = post.text[:LONG_TEXT] + f'...<a href="/status/{post.id}">全文</a>' if long_text else post.text
        mblog: dict[str, Any] = {
            "visible": {"type": 0, "list_id": 0},
            "created_at": legacy_time(post.published_at, now) if legacy else weibo_time(post.published_at),
            "id": post.id, "idstr": post.id, "mid": post.id, "bid": post.bid, "can_edit": False,
            "text": f'<a href="https://m.weibo.cn/search?containerid=231522type%3D1%26q%3D{tag}" data-hide="">'
                    f'<span class="surl-text">#{account.name}#</span></a>{text}',
            "textLength": sum(2 if ord(c) > 127 else 1 for c in post.text),
            "source": "微博 weibo.com", "favorited": False, "pic_ids": [], "pic_num": 0, "is_paid": False,
            "user": self._user_info(account),
            "reposts_count": capped(post.shares), "comments_count": capped(post.comments),
            "attitudes_count": capped(post.likes), "pending_approval_count": 0,
            "isLongText": long_text, "mblogtype": 2 if post.pinned else 0,
            "edit_config": {"edited": False},
        }
        if post.pinned:
            mblog["isTop"] = 1
            mblog["title"] = {"text": "置顶", "base_color": 1}
        if max(post.shares, post.comments, post.likes) >= 1_000_000:
            mblog["number_display_strategy"] = {
                "apply_scenario_flag": 3, "display_text_min_number": 1_000_000, "display_text": "100万+",
            }
        return mblog


#: The sample-county Weibo account whose name search is ambiguous (two verified accounts name its unit).
AMBIGUOUS_NAME = "滹沱健康"


def _search_user(info: dict[str, Any]) -> dict[str, Any]:
    """A search result item: the user fields clients read (§5.1)."""
    keys = ("id", "screen_name", "profile_image_url", "profile_url", "description", "follow_count",
            "followers_count", "avatar_hd", "verified", "verified_type", "verified_reason", "gender")
    return {"card_type": 10, "user": {k: info[k] for k in keys if k in info}}


def _int(raw: str | None, default: int, low: int, high: int | None) -> int:
    """A query integer clamped to [low, high]; anything unparsable is the default, as the app does."""
    try:
        value = int(raw) if raw else default
    except ValueError:
        value = default
    return max(low, value if high is None else min(value, high))
