"""Render bench/RESULTS.md from the collected results (bench/results.json)."""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
import sqlite3
import sys
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
#: The time each benchmark is judged and scaled by.
MAIN_METRIC = {"ingest": "store_s", "check": "check_s", "notify": "cycle_s", "monthly": "total_s",
               "content": "scan_s", "collect": "collect_s"}
PACKAGES = ("tortoise-orm", "pypika-tortoise", "aiosqlite", "asyncpg", "httpx", "openpyxl", "python-docx", "pyinstrument")
MB_LIMIT = 1024
Rows = list[dict[str, Any]]


def machine() -> list[str]:
    """Machine, OS and versions."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    mem = ""
    if Path("/proc/meminfo").exists():
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    versions = []
    for p in PACKAGES:
        try:
            versions.append(f"{p} {metadata.version(p)}")
        except metadata.PackageNotFoundError:
            continue
    return [f"- Machine: {cpu}, {os.cpu_count()} cores{mem}; {platform.platform()}",
            f"- Python {sys.version.split()[0]}; SQLite {sqlite3.sqlite_version}; " + ", ".join(versions)]


def _v(row: dict[str, Any] | None, key: str, fmt: str = "{}") -> str:
    if row is not None and "|" in key:  # several values shown as a/b
        return "/".join(_v(row, k, fmt) for k in key.split("|"))
    if row is None or row["values"].get(key) is None:
        return "–"
    value = row["values"][key]
    return fmt.format(value)


def table(rows: Rows, columns: Sequence[tuple[str, str, str]]) -> list[str]:
    """A markdown table: (header, value key, format) per column, after db and accounts."""
    out = ["| db | accounts | " + " | ".join(h for h, _, _ in columns) + " |",
           "|---|---:|" + "---:|" * len(columns)]
    for r in rows:
        cells = [_v(r, key, fmt) for _, key, fmt in columns]
        out.append(f"| {r['db']} | {r['accounts']:,} | " + " | ".join(cells) + " |")
        out.extend(f"|  | | note: {n} |" + " |" * (len(columns) - 1) for n in r.get("notes", []))
    return out


def scaling(rows: Rows, key: str) -> dict[str, tuple[float, float, float] | None]:
    """Per db: (size ratio, time ratio, exponent k with time ∝ size^k) from smallest to largest size."""
    out: dict[str, tuple[float, float, float] | None] = {}
    for db in sorted({r["db"] for r in rows}):
        ok = sorted((r for r in rows if r["db"] == db and r["values"].get(key)), key=lambda r: r["accounts"])
        if len(ok) < 2 or ok[0]["accounts"] == ok[-1]["accounts"]:
            out[db] = None
            continue
        n = ok[-1]["accounts"] / ok[0]["accounts"]
        t = ok[-1]["values"][key] / ok[0]["values"][key]
        out[db] = (n, t, math.log(t) / math.log(n))
    return out


def scaling_lines(rows: Rows, key: str) -> list[str]:
    """Scaling sentences for a table."""
    lines = []
    for db, s in scaling(rows, key).items():
        if s:
            verdict = ("better than linear" if s[2] < 0.95 else "linear" if s[2] <= 1.05
                       else "slightly worse than linear: noise or a small super-linear part" if s[2] <= 1.15 else "worse than linear")
            lines.append(f"- Scaling ({db}, `{key}`): {s[0]:.0f}× accounts → {s[1]:.1f}× time "
                         f"(time ∝ accounts^{s[2]:.2f}, {verdict}).")
    return lines


def _largest(rows: Rows, db: str) -> dict[str, Any] | None:
    mine = [r for r in rows if r["db"] == db and r["values"]]
    return max(mine, key=lambda r: r["accounts"]) if mine else None


def verdicts(by: dict[str, Rows], dbs: list[str]) -> list[str]:
    """The targets table."""
    def every(rows: Rows, db: str, test: Callable[[dict[str, Any]], bool]) -> bool | str | None:
        mine = [r for r in rows if r["db"] == db and r["values"]]
        return all(test(r) for r in mine) if mine else None

    def grows(rows: Rows, db: str, key: str) -> bool | str | None:
        s = scaling(rows, key).get(db)
        if s is None:
            return None
        return True if s[2] <= 1.05 else f"borderline (k = {s[2]:.2f})" if s[2] <= 1.15 else False

    def memory(rows: Rows, db: str) -> bool | str | None:
        r = _largest(rows, db)
        return None if r is None else r["values"].get("max_rss_mb", 0) < MB_LIMIT

    checks: list[tuple[str, str, Callable[[str], bool | str | None]]] = [
        ("ingest", "store ≥ 0.5 × raw per-account throughput",
         lambda db: every(by["ingest"], db, lambda r: r["values"]["ratio_vs_raw_per_account"] >= 0.5)),
        ("ingest", "store ≥ 0.5 × raw bulk throughput (one transaction each)",
         lambda db: every(by["ingest"], db, lambda r: r["values"].get("ratio_one_tx_vs_raw_bulk", 0) >= 0.5)),
        ("ingest", "store, a transaction per account, ≥ 0.5 × raw bulk throughput",
         lambda db: every(by["ingest"], db, lambda r: r["values"]["ratio_vs_raw_bulk"] >= 0.5)),
        ("check", "routine check ≤ 3 × last-post query",
         lambda db: every(by["check"], db, lambda r: r["values"]["ratio_check_to_baseline"] <= 3)),
        ("check", "growth no worse than linear", lambda db: grows(by["check"], db, "check_s")),
        ("notify", "growth no worse than linear", lambda db: grows(by["notify"], db, "cycle_s")),
        ("notify", "peak memory < 1 GiB at the largest size", lambda db: memory(by["notify"], db)),
        ("monthly", "growth no worse than linear", lambda db: grows(by["monthly"], db, "total_s")),
        ("monthly", "peak memory < 1 GiB at the largest size", lambda db: memory(by["monthly"], db)),
        ("content", "≥ 0.5 × bare automaton scan throughput",
         lambda db: every(by["content"], db, lambda r: r["values"]["ratio_vs_bare"] >= 0.5)),
        ("content", "growth no worse than linear", lambda db: grows(by["content"], db, "scan_s")),
        ("content", "finds exactly the planted problems",
         lambda db: every(by["content"], db, lambda r: r["values"]["hits"] == r["values"]["planted"])),
        ("collect", "≥ 0.6 × bare httpx loop throughput",
         lambda db: every(by["collect"], db, lambda r: r["values"]["ratio_vs_bare"] >= 0.6)),
    ]
    out = ["| benchmark | target | " + " | ".join(dbs) + " |", "|---|---|" + "---|" * len(dbs)]
    for bench, target, test in checks:
        cells = []
        for db in dbs:
            ok = test(db)
            cells.append("not run" if ok is None else ok if isinstance(ok, str) else "met" if ok else "**missed**")
        out.append(f"| {bench} | {target} | " + " | ".join(cells) + " |")
    return out


SECTIONS: list[tuple[str, str, list[tuple[str, str, str]]]] = [
    ("ingest", "Ingest: `upsert_posts` vs the raw driver (same rows, new post ids)", [
        ("rows", "rows", "{:,}"), ("store rows/s", "store_rows_per_s", "{:,}"),
        ("raw per-account rows/s", "raw_per_account_rows_per_s", "{:,}"), ("raw bulk rows/s", "raw_bulk_rows_per_s", "{:,}"),
        ("ratio vs per-account", "ratio_vs_raw_per_account", "{:.2f}"), ("ratio vs bulk", "ratio_vs_raw_bulk", "{:.2f}"),
        ("store one-tx rows/s", "store_one_tx_rows_per_s", "{:,}"), ("one-tx ratio vs bulk", "ratio_one_tx_vs_raw_bulk", "{:.2f}"),
        ("store update rows/s", "store_update_rows_per_s", "{:,}"), ("peak MiB", "max_rss_mb", "{:.0f}")]),
    ("check", "Check: `run_check` vs one last-post-per-account query", [
        ("baseline s", "baseline_s", "{:.3f}"), ("first check s", "check_first_s", "{:.2f}"),
        ("routine check s", "check_s", "{:.2f}"), ("ratio (routine)", "ratio_check_to_baseline", "{:.1f}×"),
        ("ratio (first)", "ratio_first_check_to_baseline", "{:.1f}×"), ("findings", "findings", "{:,}"),
        ("posts scanned (first)", "content_scanned_first", "{:,}"), ("posts scanned (routine)", "content_scanned", "{:,}"),
        ("reviews opened", "reviews_opened", "{:,}"), ("peak MiB", "max_rss_mb", "{:.0f}")]),
    ("notify", "Notify: `run_cycle` (console notifier) after a check", [
        ("baseline s", "baseline_s", "{:.3f}"), ("open findings", "open_findings", "{:,}"),
        ("first cycle s", "cycle_s", "{:.2f}"), ("second cycle s", "cycle_again_s", "{:.2f}"),
        ("ratio", "ratio_cycle_to_baseline", "{:.0f}×"), ("messages", "written", "{:,}"),
        ("sent 1st/2nd", "sent_first|sent_second", "{:,}"), ("still pending", "still_pending", "{:,}"),
        ("peak MiB", "max_rss_mb", "{:.0f}")]),
    ("monthly", "Monthly report: `build_monthly` (12 trend months, quick runs 3) + HTML/xlsx/docx", [
        ("baseline s", "baseline_s", "{:.3f}"), ("build s", "build_s", "{:.1f}"),
        ("rule evaluations", "evaluations", "{}"), ("of which rules s", "evaluate_s", "{:.1f}"), ("render s", "render_s", "{:.1f}"),
        ("total s", "total_s", "{:.1f}"), ("ratio", "ratio_total_to_baseline", "{:.0f}×"),
        ("html/xlsx/docx KiB", "files_kb", "{}"), ("peak MiB", "max_rss_mb", "{:.0f}")]),
    ("content", "Content: `Scanner.scan` over every post's title and text vs a bare automaton scan", [
        ("posts", "posts", "{:,}"), ("chars", "chars", "{:,}"), ("build ms", "build_ms", "{:.0f}"),
        ("bare s", "bare_s", "{:.2f}"), ("scan s", "scan_s", "{:.2f}"),
        ("bare Mchar/s", "bare_mchars_per_s", "{:.1f}"), ("scan Mchar/s", "scan_mchars_per_s", "{:.1f}"),
        ("posts/s", "scan_posts_per_s", "{:,}"), ("ratio", "ratio_vs_bare", "{:.2f}"),
        ("hits / planted", "hits|planted", "{:,}"), ("peak MiB", "max_rss_mb", "{:.0f}")]),
    ("collect", "Collection pass: `collect` vs a bare httpx loop (fake platform, injected latency)", [
        ("latency ms", "latency_ms", "{}"), ("concurrency", "concurrency", "{}"), ("calls", "calls", "{:,}"),
        ("bare acc/s", "bare_accounts_per_s", "{:.0f}"), ("collect acc/s", "collect_accounts_per_s", "{:.0f}"),
        ("ratio", "ratio_vs_bare", "{:.2f}"), ("bare CPU ms/acc", "bare_cpu_ms_per_account", "{:.2f}"),
        ("collect CPU ms/acc", "collect_cpu_ms_per_account", "{:.2f}"), ("ok", "ok", "{:,}"),
        ("peak MiB", "max_rss_mb", "{:.0f}")]),
]


def profiles(limit: int = 60) -> list[str]:
    """The head of each profile file, and the hand-written notes on them."""
    out: list[str] = []
    for path in sorted(HERE.glob("profile-*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        out += [f"### {path.name}", "", "```", *lines[:limit], "```", ""]
    notes = HERE / "profile-notes.md"
    if notes.exists():
        out += [notes.read_text(encoding="utf-8").rstrip(), ""]
    return out


LOAD = ("load avg", "load1", "{:.1f}")


def server(meta: dict[str, Any]) -> list[str]:
    """The PostgreSQL server, when it was used."""
    return [f"- PostgreSQL {meta['postgres']} on 127.0.0.1 (loopback)"] if meta.get("postgres") else []


def taken(results: Rows) -> list[str]:
    """When the results were taken, and how far to trust their timings."""
    times = sorted(r["at"] for r in results if r.get("at"))
    if not times:
        return []
    return [f"- Taken {times[0]} to {times[-1]}. Timings are wall-clock on a 2-core machine that may be shared "
            "with other work (the load average column shows it when recorded): compare rows taken together, "
            "and read ratios as ±20 % when the load average is above 1."]


def render(results: Rows, meta: dict[str, Any]) -> str:
    """The whole RESULTS.md."""
    by = {name: [r for r in results if r["bench"] == name] for name in (*MAIN_METRIC, "generate")}
    dbs = sorted({r["db"] for r in results})
    lines = ["# govmedia benchmark results", "",
             f"Written by `python -m bench.run` on {dt.date.today().isoformat()}"
             f"{' (QUICK run: small sizes, not for judging)' if meta.get('quick') else ''}. "
             "See bench/README.md for what each benchmark measures.", "", *machine(), *server(meta), *taken(results), "",
             "## Targets", "", *verdicts(by, dbs), "",
             "## Datasets", "", *table(by["generate"], [
                 ("units", "units", "{:,}"), ("posts", "posts", "{:,}"), ("weekly metric rows", "metrics", "{:,}"),
                 ("generation s", "seconds", "{:.0f}")]), ""]
    for name, title, columns in SECTIONS:
        rows = by[name]
        if not rows:
            continue
        lines += [f"## {title}", "", *table(rows, [*columns, LOAD]), "", *scaling_lines(rows, MAIN_METRIC[name]), ""]
    one_host = HERE / "one-host.md"  # written by `python -m bench.one_host` (lanes, issue 13)
    if one_host.exists():
        lines += [one_host.read_text(encoding="utf-8").rstrip(), ""]
    province = HERE / "province-scale.md"  # issue 24: before/after runs, snapshots, batch ingest, workers
    if province.exists():
        lines += [province.read_text(encoding="utf-8").rstrip(), ""]
    lines += ["## Profile of the slowest path", "", *profiles()]
    return "\n".join(lines).rstrip() + "\n"
