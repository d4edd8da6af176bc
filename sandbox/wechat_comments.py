"""WeChat 留言: `POST /cgi-bin/comment/list` (platform-apis-2.md §3).

Body `msg_data_id` (a mass send's id), `index` (0-based, default 0), `begin`, `count` (1-49: 50 or more
answers 88010), `type` (0 all, 1 normal only, 2 elected only). Accounts without the comment privilege
(ledger 互动渠道 无) answer 88000; ids that are not a mass send (free-published articles, unknown ids)
answer 88001 with `total:0,comment:[]`. Comments are the generated threads of `sandbox.comments`, oldest
first; answered ones carry `reply{content, create_time}`; every fourth is elected (`comment_type` 1).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from sandbox.comments import no_privilege, threads
from sandbox.county import Account
from sandbox.runtime import json_body
from sandbox.wechat import WeChatAPI, error


def routes(api: WeChatAPI) -> list[BaseRoute]:
    """The comment/list route, guarded by the official-account token checks."""

    async def comment_list(request: Request) -> Response:
        async def answer(account: Account) -> Response:
            sb = api.sandbox
            body = await json_body(request)
            if body is None or not all(isinstance(body.get(k), int) for k in ("msg_data_id", "begin", "count", "type")):
                return error(sb, 47001)
            index = body.get("index", 0)
            if not isinstance(index, int) or index < 0:
                return error(sb, 47001)
            if not 0 < body["count"] < 50:
                return error(sb, 88010)
            if no_privilege(account):
                return error(sb, 88000)
            post = next((p for p in account.posts_until(sb.now()) if p.mass_sent
                         and p.msg_data_id == body["msg_data_id"] and p.index == index + 1), None)
            if post is None:
                missing = error(sb, 88001)
                return JSONResponse({**_json(missing), "total": 0, "comment": []})
            items = []
            for k, thread in enumerate(threads(sb.county.seed, account, post, sb.now())):
                elected = k % 4 == 0
                if (body["type"] == 1 and elected) or (body["type"] == 2 and not elected):
                    continue
                item: dict[str, Any] = {
                    "user_comment_id": k + 1, "create_time": int(thread.at.timestamp()), "content": thread.text,
                    "comment_type": 1 if elected else 0,
                    "openid": "o" + hashlib.sha256(f"{thread.user_id}".encode()).hexdigest()[:27],
                }
                reply = thread.answer()
                if reply is not None:
                    item["reply"] = {"content": reply.text, "create_time": int(reply.at.timestamp())}
                items.append(item)
            page = items[body["begin"]:body["begin"] + body["count"]]
            return JSONResponse({"errcode": 0, "errmsg": "ok", "total": len(items), "comment": page})

        return await api.guard(request, "comment/list", answer)

    return [Route("/cgi-bin/comment/list", comment_list, methods=["POST"])]


def _json(response: JSONResponse) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(bytes(response.body))
    return data
