"""Shared plumbing of the WeCom and WeChat HTTP channels: one guarded call and errcode reading."""

from __future__ import annotations

from typing import Any

import httpx

from bot.notifier import SendResult
from bot.redact import redact

#: errcodes worth retrying later: system busy, frequency limits, concurrency limit.
RETRYABLE_ERRCODES = frozenset({-1, 45009, 45011, 45033})


async def call_json(
    client: httpx.AsyncClient, method: str, url: str, secrets: tuple[str, ...], what: str, **kwargs: Any
) -> dict[str, Any] | SendResult:
    """The JSON object a platform answered, or a SendResult describing why there is none."""
    try:
        response = await client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        # Network trouble is transient; the exception text may quote the URL, hence the redaction.
        return SendResult(False, True, redact(f"{what}: {type(exc).__name__}: {exc}", *secrets))
    if response.status_code != 200:
        retry = response.status_code >= 500 or response.status_code == 429
        return SendResult(False, retry, f"{what}: HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError:
        return SendResult(False, True, f"{what}: the answer is not JSON")
    if not isinstance(data, dict):
        return SendResult(False, True, f"{what}: the answer is not a JSON object")
    return data


def errcode(data: dict[str, Any]) -> int:
    """The errcode of an answer (0 when absent, as in some successes)."""
    code = data.get("errcode", 0)
    try:
        return int(code)
    except (TypeError, ValueError):
        return -1


def describe(what: str, data: dict[str, Any], secrets: tuple[str, ...]) -> str:
    """"what: errcode N: message" without the hint/ip tail and without secrets."""
    message = str(data.get("errmsg", "")).split(", hint:")[0].split(" rid:")[0].strip()
    return redact(f"{what}: errcode {errcode(data)}: {message}", *secrets)
