"""HTTP for collectors: an injected `httpx.AsyncClient`, pacing and limits by lane, bounded retries with backoff.

Only transient failures are retried in the same pass (transport errors, timeouts, HTTP 5xx, and
bodies a source marks retryable such as WeChat's -1); auth, quota and gone never are. Error
messages are built from the failure class and redacted URLs, never from request parameters.
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


@dataclass
class Http:
    """An httpx client plus pacing, concurrency limits and retries; counts calls."""

    client: httpx.AsyncClient
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    lanes: LaneBook = field(default_factory=LaneBook)
    rng: random.Random = field(default_factory=random.Random)
    calls: int = 0

    async def request(self, method: str, url: str, *, where: str, lane: Lane, params: Mapping[str, Any] | None = None,
                      json_body: Any = None, headers: Mapping[str, str] | None = None,
                      retry_if: Callable[[Any], bool] | None = None,
                      check_status: Callable[[int], None] | None = None,
                      credential: str = "") -> httpx.Response:
        """Send with the lane's pacing and limit, and retries; return the response (status checked by ``check_status``).

        ``lane`` is required, so no call can skip its source's pacing; ``credential`` names the account's
        credential (never its value) for lanes keyed by credential.
        """
        last: PlatformError | None = None
        for attempt in range(self.retry.attempts):
            if attempt:
                await asyncio.sleep(self.retry.delay(attempt, self.rng))
            try:
                await self.lanes.pace(lane, credential)
                async with self.lanes.slot(lane, credential):
                    resp = await self._send(method, url, params, json_body, headers)
            except httpx.TimeoutException as exc:
                last = PlatformError(ErrorKind.NETWORK, f"{where}: timed out ({type(exc).__name__})")
                continue
            except httpx.HTTPError as exc:
                last = PlatformError(ErrorKind.NETWORK, f"{where}: {type(exc).__name__}")
                continue
            if check_status:
                check_status(resp.status_code)
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
                    headers: Mapping[str, str] | None) -> httpx.Response:
        self.calls += 1
        counter = CALLS.get()
        if counter is not None:
            counter[0] += 1
        return await self.client.request(method, url, params=params, json=json_body, headers=headers)

    async def json(self, method: str, url: str, *, where: str, lane: Lane, **kwargs: Any) -> object:
        """Send and decode a JSON body; non-2xx other than retried ones become errors."""
        resp = await self.request(method, url, where=where, lane=lane, **kwargs)
        if resp.status_code >= 400:
            raise PlatformError(ErrorKind.PARSE if resp.status_code == 404 else ErrorKind.NETWORK,
                                redact(f"{where}: HTTP {resp.status_code}"), code=str(resp.status_code))
        return decode_json(resp.content, where)
