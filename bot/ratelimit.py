"""Client-side sliding-window limits (per WeCom member, per robot key), in memory, per process."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class SlidingWindow:
    """At most `limit` events per `window` seconds for each key."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a sliding window needs limit >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._events: dict[str, deque[float]] = {}

    def _prune(self, key: str, now: float) -> deque[float]:
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.window:
            events.popleft()
        return events

    def wait_time(self, key: str) -> float:
        """Seconds until one more event is allowed for `key` (0 = now)."""
        now = self._clock()
        events = self._prune(key, now)
        return 0.0 if len(events) < self.limit else max(events[0] + self.window - now, 0.0)

    def acquire(self, key: str) -> bool:
        """Take one slot for `key` if free; False (and nothing taken) when the window is full."""
        now = self._clock()
        events = self._prune(key, now)
        if len(events) >= self.limit:
            return False
        events.append(now)
        return True

    def saturate(self, key: str) -> None:
        """Mark the window full from now (the platform said we are over its limit)."""
        now = self._clock()
        events = self._prune(key, now)
        events.extend([now] * (self.limit - len(events)))
