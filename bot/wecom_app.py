"""WeCom self-built app messages (text, markdown, textcard) to members' userids, over httpx.

The access token is cached in memory per process (shared by every notifier of one corp and
secret) until shortly before it expires; a send answered 40014/42001 refreshes it once and tries
again. Members take at most 30 app messages a minute and 1000 an hour, and WeCom silently drops
the excess while answering ok, so a client-side limiter per userid holds messages back instead:
a held message is a retryable failure with `retry_after`.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

import httpx

from bot.limits import TEXTCARD_BUTTON
from bot.model import Message
from bot.notifier import SendResult
from bot.ratelimit import SlidingWindow
from bot.wecom_api import RETRYABLE_ERRCODES, call_json, describe, errcode

TOKEN_ERRCODES = frozenset({40014, 42001, 41001})
ALL_INVALID = 81013
# Refresh this long before the platform's expiry, so a token never dies in flight.
TOKEN_MARGIN_S = 300
PER_MEMBER_MINUTE = 30
PER_MEMBER_HOUR = 1000


class TokenCache:
    """Access tokens in memory, keyed by API base, corp and a digest of the secret."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._tokens: dict[str, tuple[str, float]] = {}

    def get(self, key: str) -> str | None:
        """The cached token if it is still fresh."""
        entry = self._tokens.get(key)
        return entry[0] if entry and entry[1] > self._clock() else None

    def put(self, key: str, token: str, expires_in: float) -> None:
        """Remember a token for `expires_in` seconds minus a safety margin."""
        self._tokens[key] = (token, self._clock() + max(expires_in - TOKEN_MARGIN_S, 0))

    def drop(self, key: str) -> None:
        """Forget the token (the platform refused it)."""
        self._tokens.pop(key, None)


#: The per-process cache. Concurrent first sends may each fetch a token; WeCom answers the same one.
PROCESS_TOKENS = TokenCache()


def token_key(api_base: str, corp_id: str, secret: str) -> str:
    """The cache key of a corp app's token: base, corp and a digest of the secret (never the secret)."""
    return f"{api_base.rstrip('/')}|{corp_id}|{hashlib.sha256(secret.encode()).hexdigest()[:16]}"


async def app_token(client: httpx.AsyncClient, api_base: str, corp_id: str, secret: str, tokens: TokenCache, *,
                    refresh: bool = False) -> str | SendResult:
    """The app's access token (cached until shortly before it expires), or why there is none."""
    base, key = api_base.rstrip("/"), token_key(api_base, corp_id, secret)
    if refresh:
        tokens.drop(key)
    cached = tokens.get(key)
    if cached:
        return cached
    data = await call_json(client, "GET", f"{base}/cgi-bin/gettoken", (secret,), "wecom gettoken",
                           params={"corpid": corp_id, "corpsecret": secret})
    if isinstance(data, SendResult):
        return data
    token = data.get("access_token")
    if errcode(data) != 0 or not isinstance(token, str) or not token:
        # 40001 bad secret, 40013 bad corp, 60020 untrusted IP: only the office can fix these.
        return SendResult(False, errcode(data) in RETRYABLE_ERRCODES, describe("wecom gettoken", data, (secret,)))
    expires = data.get("expires_in", 7200)
    tokens.put(key, token, float(expires) if isinstance(expires, int | float) else 7200.0)
    return token


def member_limiters(clock: Callable[[], float] = time.monotonic) -> tuple[SlidingWindow, ...]:
    """The per-member windows of WeCom app messages: 30 a minute, 1000 an hour."""
    return SlidingWindow(PER_MEMBER_MINUTE, 60, clock), SlidingWindow(PER_MEMBER_HOUR, 3600, clock)


class WeComAppNotifier:
    """Sends messages through a WeCom self-built app (`[wecom] corp_id`, `agent_id`, credential `secret`)."""

    channel = "wecom_app"

    def __init__(
        self,
        client: httpx.AsyncClient,
        api_base: str,
        corp_id: str,
        secret: str,
        agent_id: int,
        *,
        tokens: TokenCache | None = None,
        limiters: tuple[SlidingWindow, ...] | None = None,
        duplicate_check_s: int | None = 1800,
    ) -> None:
        self._client = client
        self._base = api_base.rstrip("/")
        self._corp_id = corp_id
        self._secret = secret
        self._agent_id = agent_id
        self._tokens = tokens if tokens is not None else PROCESS_TOKENS
        self._limiters = limiters if limiters is not None else member_limiters()
        self._dup = duplicate_check_s

    def _secrets(self, token: str = "") -> tuple[str, ...]:
        return (self._secret, token)

    async def _token(self, refresh: bool = False) -> str | SendResult:
        return await app_token(self._client, self._base, self._corp_id, self._secret, self._tokens, refresh=refresh)

    def payload(self, message: Message, userid: str) -> dict[str, Any]:
        """The message/send request body for one member."""
        body: dict[str, Any] = {"touser": userid, "msgtype": message.msgtype, "agentid": self._agent_id}
        if message.msgtype == "textcard":
            body["textcard"] = {"title": message.title, "description": message.body, "url": message.url,
                                "btntxt": TEXTCARD_BUTTON}
        else:
            body[message.msgtype] = {"content": message.body}
        if self._dup:
            # WeCom drops an identical message inside the interval: a crash-and-resend cannot double it.
            body["enable_duplicate_check"] = 1
            body["duplicate_check_interval"] = self._dup
        return body

    async def send(self, message: Message) -> SendResult:
        """Send one message to its recipient's WeCom userid."""
        userid = message.recipient.wecom_userid.strip()
        if not userid:
            return SendResult(False, False, f"{message.recipient.name or 'recipient'} has no WeCom userid")
        if message.msgtype not in ("text", "markdown", "textcard"):
            return SendResult(False, False, f"wecom_app cannot send {message.msgtype} messages")
        if message.msgtype == "textcard" and not message.url:
            return SendResult(False, False, "a textcard needs a url")
        member = userid.lower()
        wait = max(w.wait_time(member) for w in self._limiters)
        if wait > 0:
            return SendResult(False, True, f"held: per-member message limit reached for {member}", retry_after=wait)
        token = await self._token()
        if isinstance(token, SendResult):
            return token
        for window in self._limiters:
            window.acquire(member)
        data = await self._post(token, message, userid)
        if isinstance(data, dict) and errcode(data) in TOKEN_ERRCODES:
            token = await self._token(refresh=True)
            if isinstance(token, SendResult):
                return token
            data = await self._post(token, message, userid)
        return self._result(data, member, token)

    async def _post(self, token: str, message: Message, userid: str) -> dict[str, Any] | SendResult:
        return await call_json(
            self._client, "POST", f"{self._base}/cgi-bin/message/send", self._secrets(token), "wecom message/send",
            params={"access_token": token}, json=self.payload(message, userid),
        )

    def _result(self, data: dict[str, Any] | SendResult, member: str, token: str) -> SendResult:
        if isinstance(data, SendResult):
            return data
        code = errcode(data)
        invalid = tuple(u.lower() for u in str(data.get("invaliduser", "") or "").split("|") if u)
        if code == 0:
            return SendResult(True, invalid_users=invalid, platform_msgid=str(data.get("msgid", "")))
        error = describe("wecom message/send", data, self._secrets(token))
        if code == ALL_INVALID:
            return SendResult(False, False, error, invalid_users=invalid or (member,))
        return SendResult(False, code in RETRYABLE_ERRCODES or code in TOKEN_ERRCODES, error)
