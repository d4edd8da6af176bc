"""Several collection workers on one PostgreSQL database: throughput by number of workers, and leases.

    python -m bench.b_workers --db postgres://postgres@127.0.0.1:5432/gm_bench_workers --accounts 20000 --workers 1,2,4

For each number of workers K: a fresh database with N collectable accounts (as the collection
benchmark's: half `wechat_api` routine passes of 25 calls, half `feed`, one RSS GET), then K processes
started together, each running the scheduled cycle's pass (`collectors.service.collect` with
``due_interval``, as `govmedia run --worker` does every cycle) against its own in-process fake platform
(bench/fakeplatform.py, 50 ms latency). The workers share only the database: the accounts' leases and
due times, and the lanes' pacing slots. The `feed` lane is paced (``[lanes.feed] min_interval``,
default 0.02 s: at most 50 feed calls a second across all workers), so throughput grows with workers
until that pace, not the workers, is the limit.

Each worker reports which accounts its platform saw requests for; the benchmark checks that no account
was polled by two workers and that every account was polled, and reads the collection attempts back
(one per account). It is not a test: a violation is reported in the result's notes, and the runner
exits 3.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.b_collect import register, secrets_for
from bench.common import Result, max_rss_mb, timed
from bench.fakeplatform import BEIJING, FEED, WECHAT, FakePlatform
from collectors.service import collect
from registry.config.settings import load
from registry.db.lifecycle import database
from registry.db.models import CollectionAttempt

ROOT = Path(__file__).resolve().parent.parent
INTERVAL = dt.timedelta(minutes=60)


def settings_for(concurrency: int, feed_interval: float) -> Any:
    """The collection settings of a worker: the fake platform's bases, concurrency, the paced feed lane."""
    settings = load(None, environ={})
    settings.data["platforms"]["wechat"]["api_base"] = WECHAT
    settings.data["platforms"]["feed"]["base_url"] = FEED
    settings.data["collect"].update({"concurrency": concurrency, "per_host_concurrency": concurrency})
    settings.data["lanes"] = {"feed": {"min_interval": feed_interval, "jitter": 0.0}}
    return settings


async def worker(url: str, accounts: int, latency: float, concurrency: int, feed_interval: float) -> dict[str, Any]:
    """One worker's pass: what it collected and which accounts its platform saw."""
    platform = FakePlatform(latency)
    async with database(url, upgrade_schema=False), platform.client() as client:
        with timed() as t:
            summary = await collect(settings_for(concurrency, feed_interval), secrets_for(accounts), client,
                                    due_interval=INTERVAL)
    return {"pid": os.getpid(), "wall_s": round(t.wall, 3), "cpu_s": round(t.cpu, 3), "counts": dict(summary.counts),
            "polled": sorted(platform.polled), "calls": sum(platform.calls.values()),
            "max_rss_mb": round(max_rss_mb(), 1)}


def _account_keys(n: int, feed_only: bool = False) -> set[str]:
    """The platform keys of accounts 1..n (bench.b_collect.register: odd WeChat, even feed; or all feeds)."""
    return {f"wxbench{i:08d}" if i % 2 and not feed_only else f"/feed/{i}" for i in range(1, n + 1)}


async def _attempts_per_account(url: str) -> Counter[int]:
    async with database(url, upgrade_schema=False):
        return Counter(r["account_id"] for r in await CollectionAttempt.all().values("account_id"))


async def run(url: str, accounts: int, workers: int, *, latency: float = 0.05, concurrency: int = 32,
              feed_interval: float = 0.02, feed_only: bool = False, timeout: float = 7200) -> Result:
    """K workers over N accounts: wall time of the slowest, accounts per second, and the lease checks."""
    res = Result("workers", "postgres", accounts)
    if url.startswith("sqlite"):
        raise ValueError("several workers share accounts on PostgreSQL only")
    await register(url, accounts, dt.datetime.now(BEIJING), feed_only=feed_only)
    args = ["--db", url, "--accounts", str(accounts), "--latency", str(latency), "--concurrency", str(concurrency),
            "--feed-interval", str(feed_interval)]
    t0 = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-m", "bench.b_workers", "one", *args], cwd=ROOT, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(workers)]
    outs = [p.communicate(timeout=timeout) for p in procs]
    process_wall = time.perf_counter() - t0
    reports = []
    for p, (out, err) in zip(procs, outs, strict=True):
        lines = [line for line in out.splitlines() if line.startswith("{")]
        if p.returncode != 0 or not lines:
            res.notes.append("worker failed: " + " | ".join((err or out).strip().splitlines()[-3:]))
            continue
        reports.append(json.loads(lines[-1]))
    seen: Counter[str] = Counter(key for r in reports for key in r["polled"])
    twice = [k for k, n in seen.items() if n > 1]
    missing = _account_keys(accounts, feed_only) - set(seen)
    attempts = await _attempts_per_account(url)
    ok = sum(r["counts"].get("ok", 0) for r in reports)
    # The pass itself: the slowest worker's, without the processes' start-up (imports, connecting).
    wall = max((r["wall_s"] for r in reports), default=process_wall)
    res.values.update({
        "at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "load1": round(os.getloadavg()[0], 1),
        "workers": workers, "mix": "feed" if feed_only else "wechat+feed", "latency_ms": round(latency * 1000), "concurrency": concurrency,
        "feed_min_interval_s": feed_interval, "wall_s": round(wall, 1), "process_wall_s": round(process_wall, 1),
        "accounts_per_s": round(accounts / wall, 1), "ok": ok,
        "skipped": sum(r["counts"].get("skipped", 0) for r in reports),
        "per_worker_ok": "/".join(str(r["counts"].get("ok", 0)) for r in reports),
        "cpu_ms_per_account": round(1000 * sum(r["cpu_s"] for r in reports) / max(ok, 1), 2),
        "calls": sum(r["calls"] for r in reports),
        "polled_by_two": len(twice), "not_polled": len(missing),
        "attempts_max_per_account": max(attempts.values(), default=0), "accounts_attempted": len(attempts),
        "max_rss_mb": max((r["max_rss_mb"] for r in reports), default=0.0),
    })
    if twice:
        res.notes.append(f"LEASE VIOLATION: {len(twice)} accounts polled by two workers, e.g. {twice[:3]}")
    if missing or ok != accounts:
        res.notes.append(f"{len(missing)} accounts never polled; {ok} of {accounts} collected")
    if attempts and max(attempts.values()) > 1:
        res.notes.append("LEASE VIOLATION: an account has two collection attempts in one cycle")
    return res


def main() -> None:
    """CLI entry point: ``one`` runs a single worker (the runner starts them), otherwise the whole benchmark."""
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", nargs="?", default="run", choices=("run", "one"))
    parser.add_argument("--db", required=True)
    parser.add_argument("--accounts", type=int, default=20000)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--feed-interval", type=float, default=0.02)
    parser.add_argument("--feed-only", action="store_true",
                        help="every account a feed (one call per pass): a province-size pass in minutes on 2 cores")
    args = parser.parse_args()
    if args.mode == "one":
        print(json.dumps(asyncio.run(worker(args.db, args.accounts, args.latency, args.concurrency,
                                            args.feed_interval))))
        return
    bad = False
    for k in (int(x) for x in args.workers.split(",")):
        result = asyncio.run(run(args.db, args.accounts, k, latency=args.latency, concurrency=args.concurrency,
                                 feed_interval=args.feed_interval, feed_only=args.feed_only))
        print(result.to_json(), flush=True)
        bad = bad or any("VIOLATION" in n for n in result.notes)
    if bad:
        sys.exit(3)


if __name__ == "__main__":
    main()
