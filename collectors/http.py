"""HTTP for collectors: an injected `httpx.AsyncClient`, pacing and limits by lane, bounded retries with backoff.

Only transient failures are retried in the same pass (transport errors, timeouts, HTTP 5xx, and
bodies a source marks retryable such as WeChat's -1); auth, quota and gone never are. Error
messages are built from the failure class and redacted URLs, never from request parameters.

Every call is bounded twice over (`Bounds`): a total deadline (httpx's timeout is per read, so a server
trickling one byte every few seconds would never trip it) and a size cap on the body, read as a stream
and cut off at the cap of its endpoint kind (a JSON API or a feed). Over the deadline is a `network`
failure coded ``deadline``, over the cap a `parse` failure: the account fails, never the process, and
neither is retried in the same pass (the same server would only do it again).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import httpx

from collectors.errors import ErrorKind, PlatformError, mask, redact
from collectors.lanes import Lane, LaneBook
from collectors.parse_common import decode_json

#: Calls made by the current task (the run loop sets a fresh counter per attempt).
CALLS: ContextVar[list[int] | None] = ContextVar("govmedia_calls", default=None)


class RedactSecrets(logging.Filter):
    """Masks credential-looking `name=value` pairs in a log record.

    httpx logs every request URL at INFO (what `-v` shows), and the platforms want their credentials
    in the query string: access_token, corpsecret, the robot's webhook key.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message when it holds a credential; never drop it."""
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def redact_http_logs() -> None:
    """Put `RedactSecrets` on the loggers of the HTTP libraries (once)."""
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())


@dataclass
class RetryPolicy:
    """How many times and how long to wait between transient failures."""

    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Exponential backoff with full jitter."""
        return rng.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))


#: Body caps by endpoint kind (bytes): JSON APIs answer a few hundred KB at most; feeds may be larger.
DEFAULT_MAX_BODY = {"api": 8 * 1024 * 1024, "feed": 32 * 1024 * 1024}
DEFAULT_CALL_DEADLINE = 120.0
_FRAMING = frozenset({"content-encoding", "content-length", "transfer-encoding"})


@dataclass(frozen=True)
class Bounds:
    """The most one call may take: seconds from sending to its last body byte, and body bytes by endpoint kind."""

    call_deadline: float = DEFAULT_CALL_DEADLINE
    max_body: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_MAX_BODY))

    def cap(self, kind: str) -> int:
        """The body cap of an endpoint kind ("api" for any kind not listed)."""
        return self.max_body.get(kind, self.max_body.get("api", DEFAULT_MAX_BODY["api"]))


@dataclass
class Http:
    """An httpx client plus pacing, concurrency limits and retries; counts calls."""

    client: httpx.AsyncClient
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    lanes: LaneBook = field(default_factory=LaneBook)
    rng: random.Random = field(default_factory=random.Random)
    bounds: Bounds = field(default_factory=Bounds)
    calls: int = 0

    async def request(self, method: str, url: str, *, where: str, lane: Lane, params: Mapping[str, Any] | None = None,
                      json_body: Any = None, headers: Mapping[str, str] | None = None,
                      retry_if: Callable[[Any], bool] | None = None,
                      check_status: Callable[[int], None] | None = None,
                      credential: str = "", body_kind: str = "api",
                      gate: Callable[[], None] | None = None) -> httpx.Response:
        """Send with the lane's pacing and limit, and retries; return the response (status checked by ``check_status``).

        ``lane`` is required, so no call can skip its source's pacing; ``credential`` names the account's
        credential (never its value) for lanes keyed by credential; ``body_kind`` picks the body cap; ``gate``
        runs once the call has its lane slot, just before sending, and may raise (a lane that has been told to
        back off while this call waited for its turn).
        """
        last: PlatformError | None = None
        for attempt in range(self.retry.attempts):
            if attempt:
                await asyncio.sleep(self.retry.delay(attempt, self.rng))
            try:
                await self.lanes.pace(lane, credential)
                async with self.lanes.slot(lane, credential):
                    if gate is not None:
                        gate()
                    resp = await self._send(method, url, params, json_body, headers, where, body_kind)
            except httpx.TimeoutException as exc:
                last = PlatformError(ErrorKind.NETWORK, f"{where}: timed out ({type(exc).__name__})")
                continue
            except httpx.HTTPError as exc:
                last = PlatformError(ErrorKind.NETWORK, f"{where}: {type(exc).__name__}")
                continue
            if check_status:
                check_status(resp.status_code)
            if resp.status_code == 429:  # any platform's "too many requests": a quota, never retried now
                raise PlatformError(ErrorKind.QUOTA, f"{where}: HTTP 429 (rate limited)", code="429",
                                    cooldown_s=_retry_after(resp.headers.get("Retry-After", "")))
            if resp.status_code >= 500:
                last = PlatformError(ErrorKind.NETWORK, f"{where}: HTTP {resp.status_code}", code=str(resp.status_code))
                continue
            if retry_if is not None and resp.status_code == 200:
                try:
                    body = resp.json()
                except ValueError:
                    body = None
                if body is not None and retry_if(body):
                    last = PlatformError(ErrorKind.NETWORK, f"{where}: platform busy", code="-1")
                    continue
            return resp
        assert last is not None
        raise last

    async def _send(self, method: str, url: str, params: Mapping[str, Any] | None, json_body: Any,
                    headers: Mapping[str, str] | None, where: str, body_kind: str) -> httpx.Response:
        self.calls += 1
        counter = CALLS.get()
        if counter is not None:
            counter[0] += 1
        deadline = self.bounds.call_deadline
        try:
            async with asyncio.timeout(deadline):
                async with self.client.stream(method, url, params=params, json=json_body, headers=headers) as resp:
                    body = await _bounded_body(resp, self.bounds.cap(body_kind), where)
        except TimeoutError:
            raise PlatformError(ErrorKind.NETWORK, f"{where}: timed out (no complete answer within {deadline:g} s)",
                                code="deadline", retryable=False) from None
        # A plain response holding the decoded body: its framing headers no longer describe it.
        kept = [(k, v) for k, v in resp.headers.multi_items() if k.lower() not in _FRAMING]
        return httpx.Response(resp.status_code, headers=kept, content=body, request=resp.request)

    async def json(self, method: str, url: str, *, where: str, lane: Lane, **kwargs: Any) -> object:
        """Send and decode a JSON body; non-2xx other than retried ones become errors."""
        resp = await self.request(method, url, where=where, lane=lane, **kwargs)
        if resp.status_code >= 400:
            raise PlatformError(ErrorKind.PARSE if resp.status_code == 404 else ErrorKind.NETWORK,
                                redact(f"{where}: HTTP {resp.status_code}"), code=str(resp.status_code))
        return decode_json(resp.content, where)


def _retry_after(value: str, default: int = 60, most: int = 6 * 3600) -> int:
    """Seconds to rest from a Retry-After header in seconds (dates and junk: ``default``), at most ``most``."""
    value = value.strip()
    return min(int(value), most) if value.isascii() and value.isdigit() else default


async def _bounded_body(resp: httpx.Response, cap: int, where: str) -> bytes:
    """The (decoded) body, read chunk by chunk and refused as soon as it passes ``cap`` bytes."""
    declared = resp.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > cap:
        raise PlatformError(ErrorKind.PARSE, f"{where}: answer of {int(declared)} bytes is over the {cap} byte cap",
                            code="too_large")
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.aiter_bytes():
        size += len(chunk)
        if size > cap:
            raise PlatformError(ErrorKind.PARSE, f"{where}: answer over the {cap} byte cap", code="too_large")
        chunks.append(chunk)
    return b"".join(chunks)
