"""The real-case set (tests/rules/content/real/cases.toml): run every case, say which were caught.

Used by the recall test and by ``python -m tests.rules.content.realcases`` (the table in docs/content.md);
``--batch N`` limits the table and the misses to one collection batch (cases without ``batch`` are batch 1).
"""

from __future__ import annotations

import argparse
import datetime as dt
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rules.content import ScanContext, Scanner, build_scanner

HERE = Path(__file__).parent / "real"


@dataclass(frozen=True)
class Outcome:
    """One case and what the checks made of it."""

    case: dict[str, Any]
    caught: bool  # an error case flagged as the expected problem (any severity)
    severe: bool  # any 严重 hit (for correct texts: must be False)


def cases() -> list[dict[str, Any]]:
    """Every case of the set."""
    return list(tomllib.loads((HERE / "cases.toml").read_text(encoding="utf-8"))["case"])


def batch_of(case: dict[str, Any]) -> int:
    """The collection batch of a case (1: the set the checks were tuned on; later batches were blind)."""
    return int(case.get("batch", 1))


def run(plain: Scanner | None = None, county: Scanner | None = None) -> list[Outcome]:
    """Every case checked as ``govmedia content check`` would (drafts), accounts as the registry check does."""
    plain = plain or build_scanner()
    county = county or build_scanner(leader_paths=[HERE / "leaders.toml"])
    out = []
    for case in cases():
        on: dt.date = case["date"]
        scanner = county if case.get("leaders") else plain
        if case["kind"] == "account":
            found = scanner.outdated_names(case["text"], on)
            out.append(Outcome(case, any(case["expect"] in e.suggestion for _m, e in found),
                               any(e.severity == "severe" for _m, e in found)))
            continue
        hits = scanner.scan(case["text"], on, ScanContext.of(draft=True))
        kind, expect = case["kind"], case["expect"]
        if kind == "privacy":
            caught = any(h.entry_id == f"privacy:{expect}" for h in hits)
        elif kind == "improper":
            caught = any(h.category == "不当言论" for h in hits)
        else:
            caught = any(expect in h.suggestion for h in hits) if kind != "correct" else bool(hits)
        out.append(Outcome(case, caught, any(h.severity == "severe" for h in hits)))
    return out


def table(outcomes: list[Outcome]) -> str:
    """Recall by kind as a Markdown table (correct texts: how many flagged, how many at 严重)."""
    total, caught = Counter[str](), Counter[str]()
    for o in outcomes:
        total[o.case["kind"]] += 1
        caught[o.case["kind"]] += o.caught if o.case["kind"] != "correct" else o.severe
    rows = ["| kind | cases | caught |", "|---|---|---|"]
    for kind in total:
        if kind != "correct":
            rows.append(f"| {kind} | {total[kind]} | {caught[kind]} |")
    errors = sum(v for k, v in total.items() if k != "correct")
    rows.append(f"| **all errors** | {errors} | {sum(v for k, v in caught.items() if k != 'correct')} |")
    flagged = sum(1 for o in outcomes if o.case["kind"] == "correct" and o.caught)
    rows.append(f"| correct texts | {total['correct']} | {flagged} flagged, {caught['correct']} at 严重 |")
    return "\n".join(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, help="only this batch (1: tuned on; 2 and 3: blind, 2026-12-08)")
    batch = parser.parse_args().batch
    results = [o for o in run() if batch is None or batch_of(o.case) == batch]
    print(table(results))
    for o in results:
        if (o.case["kind"] != "correct") != o.caught or (o.case["kind"] == "correct" and o.severe):
            print("MISS" if o.case["kind"] != "correct" else "FLAG", o.case["kind"], o.case["text"][:40].replace("\n", " "))
