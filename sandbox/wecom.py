"""WeCom (企业微信, qyapi.weixin.qq.com), mounted under `/wecom`: app messages and group robots.

Routes: `GET /wecom/cgi-bin/gettoken`, `POST /wecom/cgi-bin/message/send`, `POST /wecom/cgi-bin/webhook/send?key=`
(sign-in's `GET /wecom/cgi-bin/auth/getuserinfo` is `sandbox.wecom_oauth`'s).
App messages (text, markdown, textcard) go to the county's members (`county.wecom.users`; `toparty=1` is
everyone, `@all` too; tags are unknown). Unknown users are listed lower-cased in `invaliduser` while the
others receive the message; if nobody is valid the answer is 81013. Past 30 messages a minute or 1000 an
hour per member, messages are dropped silently although the API answers ok. Robots take 20 messages a
minute per key (then 45009); a bad key answers 93000. Every message is recorded (`sandbox.recorder`).
Size errors: app messages 45002, robots 40058 ("… exceed max length …"); platform-apis.md gives the
limits but not these codes, so they are our best reading.
"""

from __future__ import annotations

import string
import threading
from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from sandbox.recorder import Status
from sandbox.runtime import Sandbox, client_ip, json_body

ERRMSG = {
    -1: "system busy",
    40001: "invalid secret",
    40008: "invalid message type",
    40013: "invalid corpid",
    40014: "invalid access_token",
    40056: "invalid agentid",
    40058: "invalid Request Parameter",
    41001: "access_token missing",
    42001: "access_token expired",
    44004: "empty content",
    45002: "content size out of limit",
    45009: "api freq out of limit",
    47001: "data format error",
    60020: "not allow to access from your ip",
    81013: "user & party & tag all invalid",
    93000: "invalid webhook url",
}
APP_LIMITS = {"text": 2048, "markdown": 2048}
ROBOT_LIMITS = {"text": 2048, "markdown": 4096}
ROBOT_TYPES = ("text", "markdown", "news", "image", "file", "template_card")
_CHARS = string.ascii_letters + string.digits


class WeComAPI:
    """Token state and routes of the sandbox's WeCom corp."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self._tokens: dict[str, float] = {}
        self._current: str | None = None
        self._lock = threading.Lock()
        sandbox.faults.register("wecom", lambda request, code: self.error(request, code))

    def routes(self, extra: Sequence[BaseRoute] = ()) -> list[BaseRoute]:
        """The WeCom routes (and ``extra`` ones of the same API, such as sign-in's), mounted under /wecom."""
        return [Mount("/wecom", routes=[
            Route("/cgi-bin/gettoken", self.gettoken, methods=["GET"]),
            Route("/cgi-bin/message/send", self.message_send, methods=["POST"]),
            Route("/cgi-bin/webhook/send", self.webhook_send, methods=["POST"]),
            *extra,
        ])]

    @staticmethod
    def ok(extra: dict[str, Any]) -> JSONResponse:
        """A successful WeCom answer with ``extra`` fields."""
        return JSONResponse({"errcode": 0, "errmsg": "ok", **extra})

    def error(self, request: Request, code: int, text: str | None = None, **extra: Any) -> JSONResponse:
        """A WeCom error body (HTTP 200) with its hint, caller IP and help link."""
        hint = f"{int(self.sandbox.now().timestamp())}_{self.sandbox.rng.getrandbits(40):012x}"
        message = (
            f"{text or ERRMSG.get(code, 'system error')}, hint: [{hint}], from ip: {client_ip(request)}, "
            f"more info at https://open.work.weixin.qq.com/devtool/query?e={code}"
        )
        return JSONResponse({"errcode": code, "errmsg": message, **extra})

    async def gettoken(self, request: Request) -> Response:
        """GET /cgi-bin/gettoken?corpid&corpsecret: the same token for as long as it is valid."""
        wecom = self.sandbox.county.wecom

        async def answer() -> Response:
            query = request.query_params
            if query.get("corpid") != wecom.corp_id:
                return self.error(request, 40013)
            if query.get("corpsecret") != wecom.corp_secret:
                return self.error(request, 40001)
            now = self.sandbox.now().timestamp()
            with self._lock:
                if self._current is None or self._tokens[self._current] <= now:
                    self._current = "".join(self.sandbox.rng.choices(_CHARS + "-_", k=214))
                    self._tokens[self._current] = now + self.sandbox.limits.token_ttl
                token, expires = self._current, self._tokens[self._current]
            return JSONResponse({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": int(expires - now)})

        return await self.sandbox.faults.run(request, "wecom", None, answer)

    def _token_error(self, request: Request) -> int:
        token = request.query_params.get("access_token", "")
        if not token:
            return 41001
        expires = self._tokens.get(token)
        if expires is None:
            return 40014
        return 42001 if expires <= self.sandbox.now().timestamp() else 0

    async def message_send(self, request: Request) -> Response:
        """POST /cgi-bin/message/send: deliver to the valid members, list the invalid, drop the excess."""
        sb = self.sandbox

        async def answer() -> Response:
            code = self._token_error(request)
            if code:
                return self.error(request, code)
            body = await json_body(request)
            if body is None:
                return self.error(request, 47001)
            msgtype = str(body.get("msgtype", ""))
            part = body.get(msgtype)
            to = str(body.get("touser", ""))
            code = self._check_app_message(body, msgtype, part)
            if code:
                sb.recorder.add("wecom_app", sb.now(), to, msgtype, body, "rejected", str(code))
                return self.error(request, code)
            assert isinstance(part, dict)
            valid, invalid_users, invalid_parties, invalid_tags = self._recipients(body)
            invalid = {"invaliduser": invalid_users, "invalidparty": invalid_parties, "invalidtag": invalid_tags}
            listed = {k: "|".join(v) for k, v in invalid.items() if v}
            for user in invalid_users:
                reason = "81013: no valid recipient" if not valid else "unknown userid"
                sb.recorder.add("wecom_app", sb.now(), user, msgtype, part, "invalid", reason)
            if not valid:
                return self.error(request, 81013, **listed)
            msgid = "".join(sb.rng.choices(_CHARS + "-_", k=40))
            for user in valid:
                status, reason = self._deliver(user)
                sb.recorder.add("wecom_app", sb.now(), user, msgtype, part, status, reason, msgid)
            return JSONResponse({"errcode": 0, "errmsg": "ok", **listed, "msgid": msgid})

        return await sb.faults.run(request, "wecom", None, answer)

    def _check_app_message(self, body: dict[str, Any], msgtype: str, part: Any) -> int:
        if str(body.get("agentid")) != str(self.sandbox.county.wecom.agent_id):
            return 40056
        if msgtype not in ("text", "markdown", "textcard"):
            return 40008
        if not isinstance(part, dict):
            return 44004
        if msgtype in APP_LIMITS:
            content = part.get("content")
            if not isinstance(content, str) or not content:
                return 44004
            return 45002 if len(content.encode()) > APP_LIMITS[msgtype] else 0
        title, description, url = part.get("title"), part.get("description"), part.get("url")
        if not all(isinstance(v, str) and v for v in (title, description, url)):
            return 40058
        assert isinstance(title, str) and isinstance(description, str)
        if len(title.encode()) > 128 or len(description.encode()) > 512:
            return 45002
        return 40058 if len(str(part.get("btntxt", ""))) > 4 else 0

    def _recipients(self, body: dict[str, Any]) -> tuple[list[str], list[str], list[str], list[str]]:
        members = self.sandbox.county.wecom.users
        known = set(members)
        valid: list[str] = []
        invalid_users: list[str] = []
        for user in filter(None, str(body.get("touser", "")).split("|")):
            if user == "@all":
                valid.extend(members)
            elif user.lower() in known:
                valid.append(user.lower())
            else:
                invalid_users.append(user.lower())
        parties = [p for p in str(body.get("toparty", "")).split("|") if p]
        if "1" in parties:  # department 1 is the whole county
            valid.extend(members)
        invalid_parties = [p for p in parties if p != "1"]
        invalid_tags = [t for t in str(body.get("totag", "")).split("|") if t]
        return list(dict.fromkeys(valid)), invalid_users, invalid_parties, invalid_tags

    def _deliver(self, user: str) -> tuple[Status, str]:
        sb, limits = self.sandbox, self.sandbox.limits
        minute, hour = sb.minute(), sb.hour()
        if sb.counters.get("member-minute", user, minute) >= limits.wecom_member_per_minute:
            return "dropped", f"over {limits.wecom_member_per_minute}/minute for this member"
        if sb.counters.get("member-hour", user, hour) >= limits.wecom_member_per_hour:
            return "dropped", f"over {limits.wecom_member_per_hour}/hour for this member"
        sb.counters.hit("member-minute", user, minute)
        sb.counters.hit("member-hour", user, hour)
        return "delivered", ""

    async def webhook_send(self, request: Request) -> Response:
        """POST /cgi-bin/webhook/send?key=: a group robot message, 20 a minute per robot."""
        sb = self.sandbox
        key = request.query_params.get("key", "")
        robot = next((name for name, value in sb.county.wecom.robot_keys.items() if value == key), None)

        async def answer() -> Response:
            if robot is None:
                return self.error(request, 93000)
            body = await json_body(request)
            if body is None:
                return self.error(request, 47001)
            msgtype = str(body.get("msgtype", ""))
            rejected, text = self._check_robot_message(body, msgtype)
            if not rejected and sb.counters.hit("robot", key, sb.minute()) > sb.limits.robot_per_minute:
                rejected = 45009
            if rejected:
                sb.recorder.add("wecom_robot", sb.now(), robot, msgtype, body, "rejected", str(rejected))
                return self.error(request, rejected, text)
            sb.recorder.add("wecom_robot", sb.now(), robot, msgtype, body, "delivered")
            return JSONResponse({"errcode": 0, "errmsg": "ok"})

        return await sb.faults.run(request, "wecom", key or None, answer)

    @staticmethod
    def _check_robot_message(body: dict[str, Any], msgtype: str) -> tuple[int, str | None]:
        if msgtype not in ROBOT_TYPES:
            return 40008, None
        part = body.get(msgtype)
        if not isinstance(part, dict):
            return 44004, None
        if msgtype in ROBOT_LIMITS:
            content = part.get("content")
            if not isinstance(content, str) or not content:
                return 44004, None
            limit = ROBOT_LIMITS[msgtype]
            if len(content.encode()) > limit:
                return 40058, f"{msgtype}.content exceed max length {limit}. invalid Request Parameter"
        return 0, None
