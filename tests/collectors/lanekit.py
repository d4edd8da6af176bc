"""A virtual clock for lane pacing: tests keep the default pacing without waiting for it."""

from __future__ import annotations

from collectors.lanes import LaneBook, LocalSlots


class VirtualTime:
    """A monotonic clock that sleeping advances: lanes keep their default pacing, tests do not wait for it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def book(self) -> LaneBook:
        return LaneBook(slots=LocalSlots(self.monotonic), sleep=self.sleep)
