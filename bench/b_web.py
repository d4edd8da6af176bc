"""Web console: server time of every page at 2,000 and 20,000 accounts (issue 23's targets: ≤ 300 ms at
2,000, ≤ 1 s at 20,000), in-process through httpx's ASGI transport (the app's own time: routing, the
gate's session and user lookup, the registry queries, the template), as an admin (whole province) and
as a unit user (one unit's scope).

    python -m bench.b_web --db sqlite --sizes 2000,20000 [--posts 50] [--reps 5] [--reuse]

The dataset is bench/generate.py's, then one `check` so that findings and reviews exist. Prints a
Markdown table (median and worst of ``reps`` requests after one warm-up) for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.common import NOW, dataset_url
from bench.generate import generate
from registry.db.lifecycle import database

PASSWORD = "Bench-pass-2026"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _pages(account_id: int, last_page: int) -> list[str]:
    return ["/", "/accounts", f"/accounts?page={last_page}", "/accounts?verdict=fail", "/accounts?q=发布",
            f"/accounts/{account_id}", "/findings", "/findings?page=3", "/reviews", "/reports", "/content", "/users"]


async def _login(c: httpx.AsyncClient, name: str) -> None:
    page = await c.get("/login")
    found = CSRF.search(page.text)
    assert found
    r = await c.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": found.group(1)})
    assert r.status_code == 303, r.text


async def measure(url: str, folder: Path, reps: int) -> list[tuple[str, str, float, float]]:
    """Per role and page: (role, page, median s, worst s) over ``reps`` requests after a warm-up."""
    from cli_commands.app import App
    from cli_commands.runtime import Runtime
    from cli_commands.web import build_services
    from registry.config.settings import load
    from registry.db.models import Account, Unit
    from registry.ops.webusers import add_web_user, web_user_by_name
    from rules.config import DEFAULT_SETTINGS
    from rules.evaluate import run_check
    from web.app import create_app
    from web.passwords import hash_password
    from web.services import Throttle

    (folder / "govmedia.toml").write_text(f'[database]\nurl = "{url}"\n[county]\nname = "基准县"\n', encoding="utf-8")
    settings = load(folder / "govmedia.toml")
    rt = Runtime(App(settings=settings, db_url=url, actor="bench"))
    out = []
    async with database(url):
        if await web_user_by_name("bench-admin") is None:
            t = time.perf_counter()
            await run_check(NOW, DEFAULT_SETTINGS)
            print(f"  check {time.perf_counter() - t:.1f} s", file=sys.stderr)
            unit = await Unit.filter(kind="department").order_by("id").first()
            assert unit is not None
            await add_web_user("bench-admin", "admin", None, hash_password(PASSWORD), actor="bench")
            await add_web_user("bench-unit", "unit", unit.name, hash_password(PASSWORD), actor="bench")
        from dataclasses import replace

        services = replace(build_services(rt), now=lambda: NOW, throttle=Throttle(delay_s=0))
        app = create_app(services)
        total = await Account.all().count()
        for role, name in (("admin", "bench-admin"), ("unit", "bench-unit")):
            facts = await web_user_by_name(name)
            assert facts is not None
            mine = Account.all() if role == "admin" else Account.filter(unit_id=facts.unit_id)
            first = await mine.order_by("id").first()
            assert first is not None
            count = total if role == "admin" else await mine.count()
            transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 1))
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as c:
                await _login(c, name)
                for path in _pages(first.id, max(1, -(-count // 25))):
                    if role == "unit" and path == "/users":
                        continue
                    assert (await c.get(path)).status_code == 200, path
                    times = []
                    for _ in range(reps):
                        t = time.perf_counter()
                        r = await c.get(path)
                        times.append(time.perf_counter() - t)
                        assert r.status_code == 200
                    out.append((role, path.replace(str(first.id), "{id}"), statistics.median(times), max(times)))
    return out


def main() -> None:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--posts", type=int, default=50, help="mean posts per account (generate.py)")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="reuse the dataset already there")
    parser.add_argument("--pg-url", help="PostgreSQL database to fill (default: bench.common's bench_web database)")
    args = parser.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"\n{dt.date.today()} · commit {commit} · load {os.getloadavg()[0]:.2f} · posts/account ≈{args.posts}\n")
    print("| db | accounts | role | page | median ms | worst ms |\n|---|---|---|---|---|---|")
    for size in [int(s) for s in args.sizes.split(",")]:
        url = args.pg_url if args.db == "postgres" and args.pg_url else dataset_url(args.db, size, name="bench_web")
        path = Path(url.removeprefix("sqlite://"))
        if not (args.reuse and (args.db == "postgres" or path.exists())):
            s = asyncio.run(generate(url, size, args.posts))
            print(f"  generated {size} accounts, {s.posts} posts in {s.seconds:.0f} s", file=sys.stderr)
        with tempfile.TemporaryDirectory() as tmp:
            rows = asyncio.run(measure(url, Path(tmp), args.reps))
        for role, page, med, worst in rows:
            print(f"| {args.db} | {size:,} | {role} | `{page}` | {med * 1000:.0f} | {worst * 1000:.0f} |")
        print(f"  load {os.getloadavg()[0]:.2f}", file=sys.stderr)


if __name__ == "__main__":
    main()
