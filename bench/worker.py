"""Run one benchmark in this process and print its result as one JSON line (the runner starts one
process per benchmark, so that peak memory is the benchmark's own).

    python -m bench.worker check --db sqlite:///tmp/govmedia-bench/bench-2000.db --accounts 2000
"""

from __future__ import annotations

import argparse
import asyncio

from bench import b_check, b_collect, b_content, b_ingest, b_monthly, b_notify
from bench.common import Result

BENCHES = ("ingest", "check", "notify", "monthly", "content", "collect")


async def run_one(name: str, url: str, accounts: int, *, quick: bool = False, latency: float = 0.05,
                  concurrency: int = 32) -> Result:
    """Dispatch to one benchmark."""
    if name == "ingest":
        return await b_ingest.run(url, accounts, sample_accounts=min(accounts, 20 if quick else 200),
                                  posts=50 if quick else 200)
    if name == "check":
        return await b_check.run(url, accounts)
    if name == "notify":
        return await b_notify.run(url, accounts)
    if name == "monthly":
        return await b_monthly.run(url, accounts, trend_months=3 if quick else 12)
    if name == "content":
        return await b_content.run(url, accounts)
    if name == "collect":
        return await b_collect.run(url, accounts, latency=latency, concurrency=concurrency)
    raise ValueError(f"unknown benchmark {name!r}")


def main() -> None:
    """CLI entry point."""
    parser = argparse.ArgumentParser()
    parser.add_argument("bench", choices=BENCHES)
    parser.add_argument("--db", required=True, help="database URL")
    parser.add_argument("--accounts", type=int, required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    result = asyncio.run(run_one(args.bench, args.db, args.accounts, quick=args.quick, latency=args.latency,
                                 concurrency=args.concurrency))
    print(result.to_json())


if __name__ == "__main__":
    main()
