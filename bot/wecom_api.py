"""Shared plumbing of the WeCom and WeChat HTTP channels: one guarded call and errcode reading."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from bot.notifier import SendResult
from bot.redact import redact

#: errcodes worth retrying later: system busy, frequency limits, concurrency limit.
RETRYABLE_ERRCODES = frozenset({-1, 45009, 45011, 45033})
#: Seconds one call may take in all (the client's timeout is per read: a trickling server never trips it),
#: and the largest answer read (WeCom's are a few hundred bytes).
CALL_DEADLINE_S = 60.0
MAX_ANSWER_BYTES = 1024 * 1024


async def call_json(
    client: httpx.AsyncClient, method: str, url: str, secrets: tuple[str, ...], what: str, **kwargs: Any
) -> dict[str, Any] | SendResult:
    """The JSON object a platform answered, or a SendResult describing why there is none."""
    try:
        async with asyncio.timeout(CALL_DEADLINE_S):
            async with client.stream(method, url, **kwargs) as response:
                status, body = response.status_code, await _capped(response)
    except TimeoutError:
        return SendResult(False, True, f"{what}: no complete answer within {CALL_DEADLINE_S:g} s")
    except httpx.HTTPError as exc:
        # Network trouble is transient; the exception text may quote the URL, hence the redaction.
        return SendResult(False, True, redact(f"{what}: {type(exc).__name__}: {exc}", *secrets))
    if status != 200:
        retry = status >= 500 or status == 429
        return SendResult(False, retry, f"{what}: HTTP {status}")
    if body is None:
        return SendResult(False, True, f"{what}: the answer is over {MAX_ANSWER_BYTES} bytes")
    try:
        data = json.loads(body)
    except ValueError:
        return SendResult(False, True, f"{what}: the answer is not JSON")
    if not isinstance(data, dict):
        return SendResult(False, True, f"{what}: the answer is not a JSON object")
    return data


async def _capped(response: httpx.Response) -> bytes | None:
    """The answer's body, or None as soon as it passes MAX_ANSWER_BYTES."""
    parts: list[bytes] = []
    size = 0
    async for part in response.aiter_bytes():
        size += len(part)
        if size > MAX_ANSWER_BYTES:
            return None
        parts.append(part)
    return b"".join(parts)


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
