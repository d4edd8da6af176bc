"""One collection pass: lease each due account, collect it, store what was seen or why not.

Failures are data: every attempt is recorded with its error kind and a redacted message, and a
failing account keeps its old coverage. An account whose lease another live process holds is
skipped, so two `govmedia collect` processes never poll the same account at once.

A pass has deadlines: each account's collection gets at most ``account_deadline`` seconds and never
runs past the pass's own ``pass_deadline``; an account cut off fails as a `network` timeout (coded
``deadline``), and accounts not yet started when the pass's time is up are skipped and stay due, so a
hanging platform can delay a pass but never stall `collect`, `run --once` or the daemon's later cycles.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from collectors.base import Source
from collectors.claims import TakenFilter, rotated
from collectors.errors import ErrorKind, PlatformError, redact
from collectors.http import CALLS
from registry.config.credentials import scrub
from registry.config.killpoint import killpoint
from registry.observations import store as obs
from registry.observations.store import Success, Target

log = logging.getLogger("govmedia.collect")


def worker_name() -> str:
    """A name for this process in leases and attempts."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Outcome:
    """What happened to one account in a pass."""

    target: Target
    status: str  # ok / failed / skipped
    error_kind: str | None = None
    message: str = ""
    new_posts: int = 0
    updated_posts: int = 0
    calls: int = 0


@dataclass
class PassSummary:
    """The result of one pass."""

    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def counts(self) -> Counter[str]:
        """Accounts by status."""
        return Counter(o.status for o in self.outcomes)

    @property
    def errors(self) -> Counter[str]:
        """Failed accounts by error kind."""
        return Counter(o.error_kind or "" for o in self.outcomes if o.status == "failed")

    @property
    def new_posts(self) -> int:
        """Posts seen for the first time."""
        return sum(o.new_posts for o in self.outcomes)


Progress = Callable[[Outcome, int, int], None]


@dataclass
class Runner:
    """Runs passes with bounded concurrency over a set of sources."""

    sources: Mapping[str, Source]
    clock: Callable[[], dt.datetime]
    worker: str = field(default_factory=worker_name)
    concurrency: int = 8
    lease_ttl: dt.timedelta = dt.timedelta(minutes=15)
    #: Secret values to scrub from any message before it is stored or shown.
    secret_values: Sequence[str] = ()
    #: When set, a collected account is due again this long after its attempt started.
    due_interval: dt.timedelta | None = None
    #: Shorter interval for accounts near the veto (``urgent_after_days`` or more without a post).
    urgent_interval: dt.timedelta | None = None
    #: Days without a post from which an account is near the veto (the county's stale_warning days).
    urgent_after_days: int = obs.FALLBACK_URGENT_AFTER_DAYS
    #: Seconds one account's collection may take (None: unbounded).
    account_deadline: float | None = None
    #: Seconds the whole pass may take; accounts not started by then are skipped (None: unbounded).
    pass_deadline: float | None = None

    async def run_pass(self, targets: Sequence[Target], progress: Progress | None = None) -> PassSummary:
        """Collect every target once, within the pass deadline."""
        summary = PassSummary()
        sem = asyncio.Semaphore(self.concurrency)
        total = len(targets)
        taken: TakenFilter | None = None
        if self.due_interval is not None:  # a scheduled pass: other workers may share these accounts
            targets = rotated(targets, self.worker)
            taken = TakenFilter([t.account_id for t in targets], self.worker, self.clock)
        loop = asyncio.get_running_loop()
        ends = loop.time() + self.pass_deadline if self.pass_deadline is not None else None

        async def one(target: Target) -> None:
            async with sem:
                left = ends - loop.time() if ends is not None else None
                if left is not None and left <= 0:
                    outcome = Outcome(target, "skipped", message="pass deadline reached; still due for the next pass")
                elif taken is not None and await taken.is_taken(target.account_id):
                    outcome = Outcome(target, "skipped", message="leased by another worker")
                else:
                    caps = [x for x in (left, self.account_deadline) if x is not None]
                    outcome = await self.collect_one(target, min(caps) if caps else None)
            summary.outcomes.append(outcome)
            if progress:
                progress(outcome, len(summary.outcomes), total)

        await _all_or_cancel([one(t) for t in targets])
        return summary

    async def collect_one(self, target: Target, budget: float | None = None) -> Outcome:
        """Lease, collect and record one account (its collection cut off after ``budget`` seconds)."""
        source = self.sources.get(target.method)
        if source is None:
            return Outcome(target, "skipped", message=f"no source for method {target.method}")
        now = self.clock()
        if target.cooldown_until and target.cooldown_until > now:
            return Outcome(target, "skipped", message=f"cooling down until {target.cooldown_until.isoformat()}")
        if not await obs.acquire_lease(target.account_id, self.worker, now, self.lease_ttl,
                                       only_if_due=self.due_interval is not None, attempt=True):
            return Outcome(target, "skipped", message="leased by another worker")
        # The attempt starts now that the lease is ours: taking the lease may have waited for another
        # process's commit (SQLite's write lock), and an attempt must never seem to start before the
        # previous holder's attempt finished.
        now = self.clock()
        counter = [0]
        CALLS.set(counter)
        # The outcome's state update also gives the lease back (and sets the next due time), so a
        # pass costs one statement less per account; `finally` covers any path that did not get there.
        release = obs.Release(self.worker, now, self.due_interval, self.urgent_interval, self.urgent_after_days)
        released = False
        try:
            attempt = await obs.start_attempt(target.account_id, target.method, self.worker, now, stamp=False)
            killpoint("collect.attempt")
            error: PlatformError | None = None
            try:
                result = await _within(source.collect(target, now), budget)
            except PlatformError as exc:
                error = exc
            except Exception as exc:  # a parser or source bug must not stop the pass
                log.warning("collector bug on %s: %s", target.platform + ":" + target.uid, type(exc).__name__)
                error = PlatformError(ErrorKind.PARSE, f"unexpected {type(exc).__name__}: {redact(str(exc))}")
            if error is not None:
                outcome = await self._failed(attempt, target, error, counter[0], release)
            else:
                new, updated = await obs.record_success(attempt, target.account_id, target.method,
                                                        replace(result, calls=counter[0]), self.clock(),
                                                        release=release)
                outcome = Outcome(target, "ok", new_posts=new, updated_posts=updated, calls=counter[0])
                killpoint("collect.stored")
            released = True
            return outcome
        finally:
            if not released:
                if self.due_interval is not None:
                    await obs.set_next_due(target.account_id, self.worker, now, self.due_interval,
                                           self.urgent_interval, self.urgent_after_days)
                await obs.release_lease(target.account_id, self.worker)

    async def _failed(self, attempt: int, target: Target, exc: PlatformError, calls: int,
                      release: obs.Release) -> Outcome:
        now = self.clock()
        cooldown = now + dt.timedelta(seconds=exc.cooldown_s) if exc.cooldown_s else None
        message = scrub(exc.message, list(self.secret_values))
        await obs.record_failure(attempt, target.account_id, kind=exc.kind.value, code=exc.code,
                                 message=message, now=now, calls=calls, cooldown_until=cooldown, release=release)
        return Outcome(target, "failed", error_kind=exc.kind.value, message=message, calls=calls)


async def _all_or_cancel(work: Sequence[Coroutine[Any, Any, None]]) -> None:
    """Run every coroutine; when one fails (a full disk), cancel the others, wait for them, then raise.

    `asyncio.gather` leaves the others running: the command then closed the database under them and
    `asyncio.run` printed each one's traceback at shutdown beside the right exit code. Waiting here
    lets their `finally` (giving back leases) run while the database is still open.
    """
    tasks = [asyncio.ensure_future(w) for w in work]
    try:
        if tasks:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    failed = [t.exception() for t in tasks if not t.cancelled() and t.exception() is not None]
    if failed:
        raise failed[0]  # type: ignore[misc]


async def _within(work: Awaitable[Success], budget: float | None) -> Success:
    """``work``, or a `network` timeout (coded ``deadline``) once it has run ``budget`` seconds."""
    if budget is None:
        return await work
    limit = asyncio.timeout(budget)
    try:
        async with limit:
            return await work
    except TimeoutError:
        if not limit.expired():
            raise
        raise PlatformError(ErrorKind.NETWORK, f"timed out: the account was not collected within {budget:.0f} s",
                            code="deadline", retryable=False) from None
