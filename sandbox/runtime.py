"""Shared runtime of one sandbox app: the clock, platform limits, request counters and the context object."""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from starlette.requests import Request

from sandbox.county import TZ, County
from sandbox.faults import FaultInjector
from sandbox.recorder import Recorder

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Limits:
    """Platform quotas and rate limits; defaults follow platform-apis.md (where it names a number)."""

    token_ttl: int = 7200
    # A replaced /cgi-bin/token token keeps working this long; stable tokens renew this long before expiry.
    token_overlap: int = 300
    wechat_token_daily: int = 2000
    wechat_stable_daily: int = 500_000
    wechat_stable_per_minute: int = 10_000
    wechat_force_refresh_daily: int = 20
    wechat_force_refresh_interval: int = 30
    wechat_freepublish_daily: int = 100
    # Not published by WeChat: a per-account, per-endpoint minute limit so 45011 can be provoked.
    wechat_per_minute: int = 100
    # getarticletotaldetail/getbizsummary answer is_delay:true for this many newest ready days.
    wechat_delay_days: int = 2
    weibo_ip_hourly: int = 1000
    weibo_user_hourly: int = 150
    weibo_user_endpoint_hourly: int = 100
    wecom_member_per_minute: int = 30
    wecom_member_per_hour: int = 1000
    robot_per_minute: int = 20


class Counters:
    """Fixed-window hit counters (per minute, hour or county day), keyed by any hashable scope."""

    def __init__(self) -> None:
        self._counts: dict[tuple[Hashable, ...], int] = {}
        self._lock = threading.Lock()

    def hit(self, *key: Hashable) -> int:
        """Count one more hit for `key` and return the new total."""
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + 1
            return self._counts[key]

    def get(self, *key: Hashable) -> int:
        """The hits counted so far for `key`."""
        with self._lock:
            return self._counts.get(key, 0)


@dataclass
class Sandbox:
    """Everything a route needs: the county, the clock, limits, counters, faults and the message log."""

    county: County
    clock: Clock
    limits: Limits
    faults: FaultInjector
    recorder: Recorder
    legacy_date_uids: frozenset[str]
    counters: Counters = field(default_factory=Counters)
    rng: random.Random = field(default_factory=random.Random)

    def now(self) -> datetime:
        """The current time in the county's zone."""
        return self.clock().astimezone(TZ)

    def today(self) -> date:
        """The current county-calendar day."""
        return self.now().date()

    def minute(self) -> int:
        """Index of the current clock minute (a fixed window)."""
        return int(self.now().timestamp() // 60)

    def hour(self) -> int:
        """Index of the current clock hour (a fixed window)."""
        return int(self.now().timestamp() // 3600)

    def rid(self) -> str:
        """A WeChat-style request id (`xxxxxxxx-xxxxxxxx-xxxxxxxx`), seeded."""
        return "-".join(f"{self.rng.getrandbits(32):08x}" for _ in range(3))


def client_ip(request: Request) -> str:
    """The caller's IPv4 address as the platforms would report it (test clients get 127.0.0.1)."""
    host = request.client.host if request.client else ""
    return host if host.count(".") == 3 else "127.0.0.1"


async def json_body(request: Request) -> dict[str, Any] | None:
    """The request body as a JSON object, or None when it is not one."""
    try:
        data = json.loads(await request.body() or b"null")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
