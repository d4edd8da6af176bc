"""Run every benchmark and write bench/RESULTS.md.

    python -m bench.run [--db sqlite|postgres|both] [--sizes 2000,20000] [--quick]

Per backend and size: generate the dataset, then ingest, check, notify, monthly and content, each in its
own process (peak memory is then that benchmark's). The collection benchmark runs over its own
accounts (``--collect-sizes``). Results are merged into bench/results.json (so backends can be run
one at a time) and RESULTS.md is rendered from it; the slowest path is then profiled.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import PG_BASE, WORK_DIR, dataset_url, pg_connect
from bench.report import MAIN_METRIC, render

HERE = Path(__file__).resolve().parent
RESULTS_JSON = HERE / "results.json"
DATASET_BENCHES = ("ingest", "check", "notify", "monthly", "content")


def _python(*args: str, timeout: float) -> tuple[int, str, str]:
    proc = subprocess.run([sys.executable, *args], cwd=HERE.parent, capture_output=True, text=True, timeout=timeout,
                          check=False)
    return proc.returncode, proc.stdout, proc.stderr


def run_worker(bench: str, url: str, accounts: int, extra: list[str], timeout: float) -> dict[str, Any]:
    """One benchmark in a subprocess; its JSON result (or an error entry)."""
    db = "sqlite" if url.startswith("sqlite") else "postgres"
    t0 = time.perf_counter()
    try:
        code, out, err = _python("-m", "bench.worker", bench, "--db", url, "--accounts", str(accounts), *extra,
                                 timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"bench": bench, "db": db, "accounts": accounts, "values": {}, "notes": [f"timed out after {timeout:.0f} s"]}
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if code != 0 or not lines:
        tail = (err or out).strip().splitlines()[-3:]
        return {"bench": bench, "db": db, "accounts": accounts, "values": {}, "notes": ["failed: " + " | ".join(tail)]}
    result: dict[str, Any] = json.loads(lines[-1])
    result["values"]["process_s"] = round(time.perf_counter() - t0, 1)
    return result


def generate(url: str, accounts: int, posts: int, timeout: float) -> dict[str, Any]:
    """Generate a dataset in a subprocess."""
    db = "sqlite" if url.startswith("sqlite") else "postgres"
    code, out, err = _python("-m", "bench.generate", "--db", url, "--accounts", str(accounts), "--posts", str(posts),
                             timeout=timeout)
    entry: dict[str, Any] = {"bench": "generate", "db": db, "accounts": accounts, "values": {}, "notes": []}
    if code != 0:
        entry["notes"].append("failed: " + " | ".join(err.strip().splitlines()[-3:]))
        return entry
    entry["values"] = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
    return entry


def pg_version() -> str:
    """The PostgreSQL server version, or "" when it cannot be reached."""
    async def query() -> str:
        conn = await pg_connect(f"{PG_BASE}/postgres")  # the bench databases may not exist yet
        try:
            return str(await conn.fetchval("SHOW server_version"))
        finally:
            await conn.close()

    try:
        return asyncio.run(query())
    except (OSError, ValueError, ImportError) as exc:
        return f"unreachable ({type(exc).__name__})"


def load_results() -> dict[str, dict[str, Any]]:
    """Earlier results, keyed bench/db/accounts."""
    if not RESULTS_JSON.exists():
        return {}
    return {f"{r['bench']}/{r['db']}/{r['accounts']}": r for r in json.loads(RESULTS_JSON.read_text())}


def save(results: dict[str, dict[str, Any]], meta: dict[str, Any]) -> None:
    """Write results.json and RESULTS.md (a quick run writes beside its datasets, never over bench/'s)."""
    ordered = sorted(results.values(), key=lambda r: (r["bench"], r["db"], r["accounts"]))
    json_path, md_path = RESULTS_JSON, HERE / "RESULTS.md"
    if meta.get("quick"):
        WORK_DIR.mkdir(parents=True, exist_ok=True)
        json_path, md_path = WORK_DIR / "quick-results.json", WORK_DIR / "QUICK-RESULTS.md"
    json_path.write_text(json.dumps(ordered, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    md_path.write_text(render(ordered, meta), encoding="utf-8")
    print(f"wrote {md_path}", file=sys.stderr)


def profile_slowest(results: dict[str, dict[str, Any]], dbs: list[str], size: int, posts: int, timeout: float) -> None:
    """Profile the benchmark whose main time is largest at the largest size run, on ``size`` accounts
    (the dataset of that size must exist; a profile of the smaller dataset shows the same hot spots)."""
    candidates = [r for r in results.values() if r["bench"] in MAIN_METRIC and r["db"] in dbs
                  and r["bench"] != "collect" and MAIN_METRIC[r["bench"]] in r["values"]]
    if not candidates:
        return
    worst = max(candidates, key=lambda r: (r["accounts"], r["values"][MAIN_METRIC[r["bench"]]]))
    url = dataset_url(worst["db"], size)
    if worst["db"] == "postgres":
        generate(url, size, posts, timeout)
    code, _out, err = _python("-m", "bench.profile", worst["bench"], "--db", url, "--accounts", str(size),
                              timeout=timeout)
    if code != 0:
        print("profile failed:", err.strip().splitlines()[-1:], file=sys.stderr)


def main() -> None:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description="govmedia benchmarks")
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--sizes", default=None, help="accounts per dataset, e.g. 2000,20000")
    parser.add_argument("--collect-sizes", default=None, help="accounts per collection pass, e.g. 500,5000")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes and samples, no profile; results go to the work dir, not bench/")
    parser.add_argument("--only", default=",".join((*DATASET_BENCHES, "collect")), help="benchmarks to run")
    parser.add_argument("--posts", type=int, default=None, help="mean posts per account (default 200, quick 50)")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--profile-size", type=int, default=None, help="accounts of the profiled run (default: smallest size)")
    parser.add_argument("--fresh", action="store_true", help="forget earlier results in bench/results.json")
    parser.add_argument("--reuse", action="store_true", help="reuse an existing SQLite dataset file of the same size")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds allowed per benchmark process")
    args = parser.parse_args()
    sizes = [int(s) for s in (args.sizes or ("200,2000" if args.quick else "2000,20000")).split(",")]
    collect_sizes = [int(s) for s in (args.collect_sizes or ("100,500" if args.quick else "500,5000")).split(",")]
    posts = args.posts or (50 if args.quick else 200)
    only = set(args.only.split(","))
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    extra = ["--quick"] if args.quick else []
    results = {} if args.fresh or args.quick else load_results()
    meta = {"quick": args.quick, "posts": posts, "work_dir": str(WORK_DIR),
            "postgres": pg_version() if "postgres" in dbs else ""}

    def record(entry: dict[str, Any]) -> None:
        entry["at"] = time.strftime("%Y-%m-%d %H:%M", time.gmtime()) + " UTC"
        # The 1-minute load average when it finished: other work on the machine skews timings.
        entry["values"]["load1"] = round(os.getloadavg()[0], 1)
        results[f"{entry['bench']}/{entry['db']}/{entry['accounts']}"] = entry
        print(json.dumps(entry, ensure_ascii=False), flush=True)
        save(results, meta)

    for db in dbs:
        for n in sizes:
            if not only & set(DATASET_BENCHES):
                break
            url = dataset_url(db, n)
            if not (args.reuse and db == "sqlite" and Path(url.removeprefix("sqlite://")).exists()):
                record(generate(url, n, posts, args.timeout))
            for bench in DATASET_BENCHES:
                if bench in only:
                    record(run_worker(bench, url, n, extra, args.timeout))
        if "collect" in only:
            for n in collect_sizes:
                record(run_worker("collect", dataset_url(db, n, "bench_collect"), n, extra, args.timeout))
    if not (args.no_profile or args.quick):
        profile_slowest(results, dbs, args.profile_size or min(sizes), posts, args.timeout)
    save(results, meta)


if __name__ == "__main__":
    main()
