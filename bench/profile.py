"""Profile one benchmark with pyinstrument (a development tool, not a project dependency:
``pip install pyinstrument`` into the environment first).

    python -m bench.profile monthly --db sqlite:///tmp/govmedia-bench/bench-20000.db --accounts 20000

Writes bench/profile-<bench>.txt: the call tree (async-aware: time spent awaiting the database is
charged to the awaiting line) and the functions with the most self time.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

from bench.worker import BENCHES, run_one

HERE = Path(__file__).resolve().parent


def self_times(frame: Any, into: Counter[str], parent: str = "") -> Counter[str]:
    """Self time per function over a pyinstrument frame tree; synthetic [self]/[await] frames are
    charged to their parent (awaits as "await in <parent>")."""
    if frame is None:
        return into
    name = f"{frame.function} ({frame.file_path_short}:{frame.line_no})"
    if frame.function == "[self]":
        name = parent
    elif frame.function == "[await]":
        name = f"await in {parent}"
    into[name] += frame.total_self_time
    for child in frame.children:
        self_times(child, into, name)
    return into


async def profiled(bench: str, url: str, accounts: int) -> str:
    """Run the benchmark under the profiler; return the report text."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.002, async_mode="enabled")
    profiler.start()
    result = await run_one(bench, url, accounts)
    profiler.stop()
    session = profiler.last_session
    assert session is not None
    tree = profiler.output_text(unicode=True, color=False, show_all=False, short_mode=False)
    top = self_times(session.root_frame(), Counter()).most_common(20)
    lines = [f"# pyinstrument: {bench}, {accounts} accounts, {url.split('://', 1)[0]}",
             f"# result: {result.to_json()}", "", "## Functions with the most self time (s)", ""]
    lines += [f"{seconds:8.2f}  {name}" for name, seconds in top]
    return "\n".join([*lines, "", "## Call tree", "", tree])


def main() -> None:
    """CLI entry point."""
    parser = argparse.ArgumentParser()
    parser.add_argument("bench", choices=BENCHES)
    parser.add_argument("--db", required=True)
    parser.add_argument("--accounts", type=int, required=True)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    text = asyncio.run(profiled(args.bench, args.db, args.accounts))
    out = Path(args.out) if args.out else HERE / f"profile-{args.bench}.txt"
    out.write_text(text, encoding="utf-8")
    print(out)


if __name__ == "__main__":
    main()
