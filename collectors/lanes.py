"""Lanes: what collectors pace and limit by, instead of by host.

A source declares its lane (a name, the minimum interval between two calls, jitter, how many calls may
be in flight, and whether each credential gets a lane of its own, for per-account quotas). Sources on
one host share nothing unless they share a lane: WeChat, Weibo's open API and feeds behind one gateway,
proxy or sandbox are not slowed by m.weibo.cn's pacing.

Pacing reserves slots: a call claims the next free moment of its lane key and sleeps until then. The
claim is one atomic step, so the same scheme works in one process (`LocalSlots`) and across
``run --worker`` processes sharing PostgreSQL (`registry.observations.lanes.DbSlots`).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Protocol


@dataclass(frozen=True)
class Lane:
    """Pacing and concurrency of one stream of calls."""

    name: str
    min_interval: float = 0.0
    jitter: float = 0.0
    concurrency: int = 4
    per_credential: bool = False

    @property
    def paced(self) -> bool:
        """Whether calls on this lane wait for one another."""
        return self.min_interval > 0 or self.jitter > 0

    def key(self, credential: str = "") -> str:
        """The key a call is paced and limited under (one per credential when the lane says so)."""
        return f"{self.name}/{credential}" if self.per_credential and credential else self.name


class Slots(Protocol):
    """Where a lane's next free moment is kept."""

    async def claim(self, key: str, interval: float) -> float:
        """Reserve the next slot of ``key`` (``interval`` seconds long); return the seconds to wait for it."""
        ...


class LocalSlots:
    """Slots of one process (SQLite, tests): a dict of next free moments on a monotonic clock."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.monotonic = monotonic
        self._next: dict[str, float] = {}

    async def claim(self, key: str, interval: float) -> float:
        """Reserve the next slot; no await between read and write, so claims never interleave."""
        now = self.monotonic()
        start = max(now, self._next.get(key, now))
        self._next[key] = start + interval
        return start - now


@dataclass
class LaneBook:
    """The lanes of a collection pass: their slots, in-process limits, and the sleep pacing uses."""

    slots: Slots = field(default_factory=LocalSlots)
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep
    rng: random.Random = field(default_factory=random.Random)
    overrides: Mapping[str, Lane] = field(default_factory=dict)
    _limits: dict[str, asyncio.Semaphore] = field(default_factory=dict)

    def resolve(self, lane: Lane) -> Lane:
        """The lane as configured (config overrides the source's declared defaults)."""
        return self.overrides.get(lane.name, lane)

    async def pace(self, lane: Lane, credential: str = "") -> None:
        """Wait for this call's slot on the lane (nothing when the lane is unpaced)."""
        lane = self.resolve(lane)
        if not lane.paced:
            return
        interval = lane.min_interval + self.rng.uniform(0, lane.jitter)
        delay = await self.slots.claim(lane.key(credential), interval)
        if delay > 0:
            await self.sleep(delay)

    @asynccontextmanager
    async def slot(self, lane: Lane, credential: str = "") -> AsyncIterator[None]:
        """Hold one of the lane key's concurrent places (per process) for the call."""
        lane = self.resolve(lane)
        key = lane.key(credential)
        sem = self._limits.get(key)
        if sem is None:
            sem = self._limits[key] = asyncio.Semaphore(max(1, lane.concurrency))
        async with sem:
            yield


def configured(lane: Lane, section: Mapping[str, Any], default_concurrency: int) -> Lane:
    """``lane`` with the pacing keys found in a config table (min_interval, jitter, concurrency, per_credential)."""
    return replace(lane, min_interval=float(section.get("min_interval", lane.min_interval)),
                   jitter=float(section.get("jitter", lane.jitter)),
                   concurrency=int(section.get("concurrency", default_concurrency)),
                   per_credential=bool(section.get("per_credential", lane.per_credential)))
