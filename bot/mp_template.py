"""Official-account template messages (服务号模板消息) to openids: an optional, minimal channel.

Recipients are mapped to openids by their WeCom userid (the office keeps that table). Keyword
names depend on the template picked in the MP admin, so `data_for` builds the `data` object; the
default fills `thing1` (title) and `thing2` (first problem), clipped to 20 characters as `thing`
keywords require. Tokens come from `token_provider` (the collectors' WeChat token store, say).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx

from bot.limits import clip_chars
from bot.model import Message
from bot.notifier import SendResult
from bot.redact import redact
from bot.wecom_api import RETRYABLE_ERRCODES, call_json, describe, errcode

TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
NOT_FOLLOWING = frozenset({43004, 40003})


def template_data(message: Message) -> dict[str, dict[str, str]]:
    """Default keyword data: the title and the first body line after the header."""
    lines = [ln.strip() for ln in message.body.splitlines() if ln.strip()]
    first = next((ln for ln in lines[1:] if ln[:1].isdigit()), lines[1] if len(lines) > 1 else message.title)
    return {"thing1": {"value": clip_chars(message.title, 20)}, "thing2": {"value": clip_chars(first, 20)}}


class MpTemplateNotifier:
    """Sends messages as template messages of one service account."""

    channel = "mp_template"

    def __init__(
        self,
        client: httpx.AsyncClient,
        api_base: str,
        token_provider: Callable[[], Awaitable[str]],
        template_id: str,
        openids: Mapping[str, str],
        *,
        url: str = "",
        data_for: Callable[[Message], dict[str, Any]] = template_data,
    ) -> None:
        self._client = client
        self._base = api_base.rstrip("/")
        self._token = token_provider
        self._template_id = template_id
        self._openids = {k.lower(): v for k, v in openids.items()}
        self._url = url
        self._data_for = data_for

    async def send(self, message: Message) -> SendResult:
        """Send one template message to the recipient's openid."""
        userid = message.recipient.wecom_userid.strip().lower()
        openid = self._openids.get(userid, "")
        if not openid:
            return SendResult(False, False, f"no openid for {message.recipient.name or userid!r}")
        try:
            token = await self._token()
        except Exception as exc:  # the provider's failure is this send's failure, not a crash
            return SendResult(False, True, redact(f"mp token: {type(exc).__name__}: {exc}"))
        body: dict[str, Any] = {"touser": openid, "template_id": self._template_id, "data": self._data_for(message)}
        if message.url or self._url:
            body["url"] = message.url or self._url
        what = "mp template/send"
        data = await call_json(self._client, "POST", f"{self._base}/cgi-bin/message/template/send", (token,), what,
                               params={"access_token": token}, json=body)
        if isinstance(data, SendResult):
            return data
        code = errcode(data)
        if code == 0:
            return SendResult(True, platform_msgid=str(data.get("msgid", "")))
        error = describe(what, data, (token,))
        if code in NOT_FOLLOWING:
            return SendResult(False, False, error, invalid_users=(userid,))
        # A refused token is retryable: the provider refreshes it before the next attempt.
        return SendResult(False, code in RETRYABLE_ERRCODES or code in TOKEN_ERRCODES, error)
